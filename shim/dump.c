/*
 * dump.c - the shim option dump_tables: firmware data as hex on the serial
 * line.
 *
 * The fuzzers (tests/fuzz/) start from real inputs: the multiboot2
 * information GRUB built and the ACPI tables QEMU's firmware wrote. With
 * dump_tables the shim prints each one, after it has been checked, as
 *   dump <name> <physical address> <length>
 *   dump <name> <offset> <32 bytes in hex>
 *   ...
 * and tools/fuzz_seeds.py reads them back into tests/fuzz/corpus/. The
 * names are "mb2", "rsdp" (GRUB's copy) and each table's signature as the
 * RSDT or XSDT lists it (ACPI 6.5, 5.2.7/5.2.8), the root table included.
 */
#include "dump.h"
#include "console.h"
#include "identity.h"
#include "shim.h"

#define BYTES_PER_LINE 32

static void dump(const char *name, uint64_t pa, const void *p, size_t len)
{
	const uint8_t *b = p;
	kprintf("dump %s 0x%lx %lu\n", name, (unsigned long)pa, (unsigned long)len);
	for (size_t off = 0; off < len; off += BYTES_PER_LINE) {
		char hex[2 * BYTES_PER_LINE + 1];
		size_t n = len - off < BYTES_PER_LINE ? len - off : BYTES_PER_LINE;
		for (size_t i = 0; i < n; i++)
			fmt_snprintf(hex + 2 * i, 3, "%02x", b[off + i]);
		kprintf("dump %s %lu %s\n", name, (unsigned long)off, hex);
	}
}

/* A table through the identity map, if its header and length are readable. */
static void dump_table(const char *name, uint64_t pa)
{
	const struct acpi_sdt_header *h = identity_acpi_mem.map(NULL, pa, sizeof(*h));
	if (!h || h->length < sizeof(*h) || h->length > MiB(1) ||
	    !identity_acpi_mem.map(NULL, pa, h->length)) {
		kprintf("dump: %s at 0x%lx is not readable\n", name, (unsigned long)pa);
		return;
	}
	dump(name, pa, h, h->length);
}

void shim_dump_tables(const struct shim *s)
{
	const struct mb2_info_header *info = (const void *)(uintptr_t)s->mb2_info;
	dump("mb2", s->mb2_info, info, info->total_size);
	if (!s->boot.rsdp)
		return;
	dump("rsdp", (uint64_t)(uintptr_t)s->boot.rsdp, s->boot.rsdp, s->boot.rsdp_len);

	uint64_t root_pa;
	bool is_xsdt;
	struct diag d = {""};
	if (acpi_check_rsdp(s->boot.rsdp, s->boot.rsdp_len, &root_pa, &is_xsdt, &d)) {
		kprintf("dump: %s\n", d.msg);
		return;
	}
	dump_table(is_xsdt ? "XSDT" : "RSDT", root_pa);
	const struct acpi_sdt_header *root = identity_acpi_mem.map(NULL, root_pa, sizeof(*root));
	if (!root || root->length < sizeof(*root))
		return;
	size_t n = acpi_root_count(root, is_xsdt);
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = acpi_root_entry(root, is_xsdt, i);
		const struct acpi_sdt_header *h = identity_acpi_mem.map(NULL, pa, sizeof(*h));
		if (!h)
			continue;
		char sig[5] = {h->signature[0], h->signature[1], h->signature[2], h->signature[3], 0};
		for (int c = 0; c < 4; c++)
			if (sig[c] <= ' ' || sig[c] > '~')
				sig[c] = '_';
		dump_table(sig, pa);
	}
}
