/*
 * fuzz_madt.c - libFuzzer harness: the MADT's processor list (lab 0).
 *
 * The input is one MADT (ACPI 6.5, 5.2.12). Its header's length field is
 * set to the input's size, as acpi_find_table() guarantees before
 * machine_from_acpi() calls the walk (the length fits what was mapped, the
 * checksum was checked). madt_walk() must visit only structures that lie
 * inside the table, report only enabled processors, or refuse the table
 * with a message. Seeds: QEMU's MADTs (tools/fuzz_seeds.py).
 */
#include "fuzz.h"

static int count_cpu(const struct madt_cpu *cpu, void *ctx)
{
	(void)cpu;
	(*(uint32_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *table = fuzz_acpi_table(data, size);
	if (!table)
		return 0;
	uint32_t cpus = 0;
	struct diag d = {""};
	fuzz_expect_explained(madt_walk(table, count_cpu, &cpus, &d), &d);
	/* No processor structure is shorter than 8 bytes: at most one per 8. */
	if (cpus > size / 8)
		abort();
	free(table);
	return 0;
}
