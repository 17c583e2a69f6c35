/*
 * fuzz_srat.c - libFuzzer harness: the SRAT's affinity structures.
 *
 * The input is one SRAT (ACPI 6.5, 5.2.16), its length field set to the
 * input's size as acpi_find_table() guarantees. srat_walk() (lib/portable/acpi.c)
 * must visit only whole structures inside the table - CPU, memory and
 * x2APIC affinities - or refuse the table with a message. Seeds: QEMU's
 * SRATs for one and two nodes (tools/fuzz_seeds.py).
 */
#include "fuzz.h"

static int on_cpu(void *ctx, uint32_t apic_id, uint32_t proximity)
{
	(void)apic_id, (void)proximity;
	(*(uint32_t *)ctx)++;
	return 0;
}

static int on_memory(void *ctx, uint64_t base, uint64_t length, uint32_t proximity)
{
	(void)base, (void)proximity;
	if (length == 0) /* the walk skips empty ranges */
		abort();
	(*(uint32_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *table = fuzz_acpi_table(data, size);
	if (!table)
		return 0;
	uint32_t seen = 0;
	struct srat_visitor v = {on_cpu, on_memory, &seen};
	struct diag d = {""};
	fuzz_expect_explained(srat_walk(table, &v, &d), &d);
	if (seen > size / 16) /* the shortest structure reported is 16 bytes */
		abort();
	free(table);
	return 0;
}
