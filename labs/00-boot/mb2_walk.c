/*
 * Lab 0 - walking the multiboot2 boot information.
 *
 * Runs in the shim, on the BSP, interrupts off (and the host's unit tests).
 *
 * GRUB leaves a list of tags in memory and passes its address to the shim in
 * %ebx (Multiboot2 spec 3.3, "I386 machine state"). Everything the shim knows
 * about the machine at first - the memory map, its command line, the modules
 * (the sidecar and the main kernel) and a copy of the ACPI RSDP - is in those
 * tags. lib/portable/mb2.c interprets each tag; you write the walk itself, and you
 * must not trust the data: a tag that runs past the end, a size smaller than
 * a tag header or a missing end tag must be refused with a message, never
 * read through.
 *
 * Implement: mb2_walk() (declared in include/mb2.h).
 * Tests: tests/unit/test_mb2.c (suite "mb2"), and every lab-0 boot test.
 */
#include "lab_boot.h"

int mb2_walk(const void *info, size_t limit, mb2_tag_fn fn, void *ctx, struct diag *d)
{
	// TODO(lab 0): call fn for every tag before the end tag; refuse a malformed list
	lab_todo(0, __func__);
}
