/*
 * vmm.h - linux-stub's small VMM: guest programs and guest memory.
 *
 * DESIGN.md section 4: a VP is a guest context the sidecar runs in ring 3;
 * the VMM (here, on the main kernel's CPU) supplies its memory, page tables
 * and registers through the command page and handles its exits.
 *
 * Guest memory, one 64 KiB block per sidecar CPU, allocated on first use:
 *
 *   GPA 0x0000  PML4  \
 *   GPA 0x1000  PDPT   | the guest's page tables (holding GPAs): they map
 *   GPA 0x2000  PD     | GVA GUEST_GVA_BASE + x -> GPA x for every page x in
 *   GPA 0x3000  PT    /  [0x4000, 0x10000), user, writable
 *   GPA 0x4000  the program (at most GUEST_PROGRAM_MAX bytes), entry here
 *      ...      free, then the stack, growing down from
 *   GPA 0x10000 (the stack top, GVA GUEST_GVA_BASE + 0x10000)
 *
 * GUEST_GVA_BASE is the sidecar's SIDECAR_GUEST_GVA_MIN (512 GiB): the
 * first 512 GiB of the address space are the sidecar's own. The guest
 * programs (linux-stub/guests/NAME.asm) are linked with "org 0x8000004000".
 */
#ifndef VMM_H
#define VMM_H

#include "klib.h"
#include "sidecar.h"

#define GUEST_GVA_BASE SIDECAR_GUEST_GVA_MIN
#define GUEST_MEMORY_SIZE KiB(64)
#define GUEST_PAGE_TABLE_GPA 0x0000ull /* PML4; PDPT, PD, PT follow */
#define GUEST_PROGRAM_GPA 0x4000ull
#define GUEST_PROGRAM_MAX 0xb000ull    /* leaves at least a page of stack */
#define GUEST_ENTRY (GUEST_GVA_BASE + GUEST_PROGRAM_GPA)
#define GUEST_STACK_TOP (GUEST_GVA_BASE + GUEST_MEMORY_SIZE)
#define GUEST_SCRATCH_PAGES 8          /* for the sidecar's real page tables */

/* The guests built into linux-stub (linux-stub/guests.asm). */
struct guest {
	const char *name;
	const uint8_t *image;
	uint64_t size;
};
extern const struct guest guest_table[]; /* ended by a NULL name */

#endif
