/*
 * Lab 0 - finding the CPUs in the ACPI MADT.
 *
 * Runs in the shim and linux-stub, on the BSP, interrupts off (and the host's
 * unit tests).
 *
 * The firmware lists every processor in the Multiple APIC Description Table
 * (ACPI 6.5, 5.2.12). After a 44-byte fixed part come variable-length
 * "interrupt controller structures", each starting with a type byte and a
 * length byte. Processors appear as Processor Local APIC structures (type 0,
 * 8 bytes, 8-bit APIC ID, 5.2.12.2) or, for APIC IDs of 255 and above, as
 * Processor Local x2APIC structures (type 9, 16 bytes, 32-bit ID, 5.2.12.12).
 * A processor whose Enabled flag (Table 5.23, bit 0) is clear is not usable
 * now: skip it. The CPU index the whole system uses is the position of an
 * enabled processor in this walk.
 *
 * Implement: madt_walk() (declared in include/acpi.h).
 * Tests: tests/unit/test_madt.c (suite "madt"), and every lab-0 boot test.
 */
#include "lab_boot.h"

int madt_walk(const struct acpi_madt *madt, madt_cpu_fn fn, void *ctx, struct diag *d)
{
	// BEGIN LAB 0: call fn for each enabled processor; refuse a malformed table
	uint32_t len = madt->header.length;
	if (len < sizeof(*madt))
		return diag_fail(d, E_INVAL, "acpi: MADT length %u < %zu", len, sizeof(*madt));

	const uint8_t *p = (const uint8_t *)(madt + 1);
	const uint8_t *end = (const uint8_t *)madt + len;
	while (p < end) {
		const struct madt_entry *e = (const void *)p;
		long offset = (long)(p - (const uint8_t *)madt);
		/* Every structure is at least its two header bytes and fits the table. */
		if (end - p < 2 || e->length < 2 || e->length > end - p)
			return diag_fail(d, E_INVAL, "acpi: MADT entry at offset %ld has length %u",
					 offset, end - p < 2 ? 0 : e->length);

		struct madt_cpu cpu;
		uint32_t flags;
		if (e->type == MADT_LOCAL_APIC) {
			const struct madt_local_apic *a = (const void *)p;
			if (a->length < sizeof(*a))
				return diag_fail(d, E_INVAL,
						 "acpi: MADT Local APIC at offset %ld has length %u, expected 8",
						 offset, a->length);
			cpu = (struct madt_cpu){a->apic_id, a->processor_uid, false};
			flags = a->flags;
		} else if (e->type == MADT_LOCAL_X2APIC) {
			const struct madt_local_x2apic *a = (const void *)p;
			if (a->length < sizeof(*a))
				return diag_fail(d, E_INVAL,
						 "acpi: MADT Local x2APIC at offset %ld has length %u, expected 16",
						 offset, a->length);
			cpu = (struct madt_cpu){a->x2apic_id, a->processor_uid, true};
			flags = a->flags;
		} else {
			p += e->length; /* I/O APICs, overrides, NMIs: not ours */
			continue;
		}
		if (flags & MADT_ENABLED) {
			int r = fn(&cpu, ctx);
			if (r)
				return r;
		}
		p += e->length;
	}
	return 0;
	// END LAB 0
}
