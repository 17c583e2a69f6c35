/*
 * fuzz_acpi.c - libFuzzer harness: from the RSDP to the machine.
 *
 * machine_from_acpi() (lib/portable/machine.c) follows the firmware's pointers: the
 * RSDP to the RSDT or XSDT, that to the MADT and the SRAT (lib/portable/acpi.c),
 * and turns them into CPUs and nodes. The input is a small physical memory:
 *
 *   u8 flags                 bit 0: fix checksums (see below)
 *   then segments            u64 physical address, u32 length, the bytes
 *
 * The first segment is the RSDP copy (as GRUB hands it over); physical
 * memory is the union of the others, each in its own exactly-sized buffer so
 * AddressSanitizer sees any read past a table. Random bytes almost never
 * have valid checksums, so with flag bit 0 the "memory" fixes each table's
 * checksum the first time the parser maps the whole table (and the RSDP's
 * before parsing): that lets the fuzzer reach the MADT and SRAT logic; with
 * the bit clear the checksum checks themselves are fuzzed. Every machine
 * returned must be consistent: CPU and memory nodes below nnodes, counts
 * within the tables. Seeds: QEMU's tables (tools/fuzz_seeds.py).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "machine.h"

#define MAX_SEGMENTS 32

struct segment {
	uint64_t pa;
	uint32_t len;
	uint8_t *bytes;
};

struct memory {
	struct segment seg[MAX_SEGMENTS];
	uint32_t n;
	bool fix_checksums;
};

static const void *map(void *ctx, uint64_t pa, size_t len)
{
	struct memory *m = ctx;
	for (uint32_t i = 1; i < m->n; i++) {
		struct segment *s = &m->seg[i];
		if (pa < s->pa || pa - s->pa > s->len || len > s->len - (pa - s->pa))
			continue;
		uint8_t *p = s->bytes + (pa - s->pa);
		if (m->fix_checksums && len >= sizeof(struct acpi_sdt_header) &&
		    ((struct acpi_sdt_header *)p)->length == len)
			p[9] -= acpi_sum(p, len); /* byte 9: the header's checksum */
		return p;
	}
	return NULL;
}

static void fix_rsdp(uint8_t *r, uint32_t len)
{
	if (len >= 20)
		r[8] -= acpi_sum(r, 20);
	if (len >= 36 && ((struct acpi_rsdp *)r)->length <= len)
		r[32] -= acpi_sum(r, ((struct acpi_rsdp *)r)->length);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine machine;
	struct memory mem = {.n = 0};
	if (size < 1)
		return 0;
	mem.fix_checksums = data[0] & 1;
	size_t off = 1;
	while (mem.n < MAX_SEGMENTS && size - off >= 12) {
		struct segment *s = &mem.seg[mem.n];
		memcpy(&s->pa, data + off, 8);
		memcpy(&s->len, data + off + 8, 4);
		off += 12;
		if (s->len > size - off)
			s->len = (uint32_t)(size - off);
		s->bytes = malloc(s->len ? s->len : 1);
		memcpy(s->bytes, data + off, s->len);
		off += s->len;
		mem.n++;
	}
	if (mem.n == 0)
		return 0;
	if (mem.fix_checksums)
		fix_rsdp(mem.seg[0].bytes, mem.seg[0].len);

	struct acpi_mem am = {map, &mem};
	struct diag d = {""};
	int r = machine_from_acpi(&machine, &am, mem.seg[0].bytes, mem.seg[0].len, &d);
	if (r) {
		fuzz_expect_explained(r, &d);
	} else {
		if (machine.ncpus == 0 || machine.ncpus > MAX_CPUS || machine.nnodes == 0 ||
		    machine.nnodes > MAX_NODES || machine.nmemory > MAX_NODE_MEMORY)
			abort();
		for (uint32_t i = 0; i < machine.ncpus; i++) {
			if (machine.cpus[i].node >= machine.nnodes)
				abort();
			for (uint32_t j = 0; j < i; j++) /* each APIC ID once */
				if (machine.cpus[j].apic_id == machine.cpus[i].apic_id)
					abort();
		}
		for (uint32_t i = 0; i < machine.nmemory; i++)
			if (machine.memory[i].node >= machine.nnodes)
				abort();
	}
	for (uint32_t i = 0; i < mem.n; i++)
		free(mem.seg[i].bytes);
	return 0;
}
