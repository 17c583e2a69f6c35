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
	// TODO(lab 0): call fn for each enabled processor; refuse a malformed table
	lab_todo(0, __func__);
}
