/*
 * trampoline.h - the data block at the start of the AP trampoline page.
 *
 * The trampoline (labs/01-apstart/trampoline.asm) is assembled as a flat
 * binary that runs wherever it is copied: a free page below 1 MiB. The
 * sidecar starts its CPUs with it, and linux-stub its own. The
 * first 96 bytes are data the BSP fills in after copying it there; the
 * assembly lays them out with the same offsets, and the BSP checks the magic
 * before trusting them. Addresses the assembly stores are relative to the
 * page; the BSP adds the page's address ("relocates" them).
 */
#ifndef TRAMPOLINE_H
#define TRAMPOLINE_H

#include <stdint.h>

#define TRAMPOLINE_MAGIC 0x504d5254 /* "TRMP" */
#define TRAMPOLINE_X2APIC 0x1        /* flags: the AP switches to x2APIC mode */

struct __attribute__((packed)) trampoline_data {
	uint8_t jump[4];        /* 0: jmp over this block */
	uint32_t magic;         /* 4 */
	uint16_t gdt_limit;     /* 8: the operand of lgdt */
	uint32_t gdt_base;      /* relocated */
	uint16_t pad0;
	uint32_t pm32_offset;   /* 16: far pointer to the 32-bit code, relocated */
	uint16_t pm32_selector;
	uint16_t pad1;
	uint32_t lm64_offset;   /* 24: far pointer to the 64-bit code, relocated */
	uint16_t lm64_selector;
	uint16_t pad2;
	uint32_t cr3;           /* 32: the sidecar's page tables (below 4 GiB) */
	uint32_t slot_count;    /* 36: entries in slots */
	uint64_t slots;         /* 40: struct ap_slot[]: APIC ID -> stack, percpu */
	uint64_t entry;         /* 48: ap_main */
	uint32_t flags;         /* 56: TRAMPOLINE_X2APIC */
	uint32_t pad3;          /* 60 */
	uint64_t gdt[4];        /* 64: null, 32-bit code 0x08, 64-bit code 0x10, data 0x18 */
};
_Static_assert(sizeof(struct trampoline_data) == 96, "trampoline data block");

/* lib/boot_tables.c: copy blob (size bytes) to page, check its magic,
 * relocate it and fill in the rest of the data block; flags is
 * TRAMPOLINE_X2APIC when this image runs in x2APIC mode. 0 or -1. */
int trampoline_install(uint64_t page, const uint8_t *blob, size_t size, uint32_t cr3,
		       uint64_t slots, uint32_t slot_count, uint64_t entry, uint32_t flags);

/* lib/boot_tables.c: the first 4 GiB identity mapped, 2 MiB pages, the top
 * gigabyte (device registers) uncached. */
void identity_map_4g(uint64_t pml4[512], uint64_t pdpt[512], uint64_t pd[4][512]);
/* The same for the first gib GiB (at most 512: one PDPT); GiB 3 uncached. */
void identity_map(uint64_t pml4[512], uint64_t pdpt[512], uint64_t pd[][512], uint32_t gib);

#endif
