/*
 * boot_tables.h - lib/boot_tables.c: what the shim and linux-stub build the
 * same way: identity page tables, and lab 1's trampoline copied to its page
 * with its data block filled in (include/trampoline.h).
 */
#ifndef BOOT_TABLES_H
#define BOOT_TABLES_H

#include "trampoline.h"

/* Copy blob (size bytes) to page, check its magic,
 * relocate it and fill in the rest of the data block; flags is
 * TRAMPOLINE_X2APIC when this image runs in x2APIC mode. 0 or -1. */
int trampoline_install(uint64_t page, const uint8_t *blob, size_t size, uint32_t cr3,
		       uint64_t slots, uint32_t slot_count, uint64_t entry, uint32_t flags);

/* The first 4 GiB identity mapped, 2 MiB pages, the top
 * gigabyte (device registers) uncached. */
void identity_map_4g(uint64_t pml4[512], uint64_t pdpt[512], uint64_t pd[4][512]);
/* The same for the first gib GiB (at most 512: one PDPT); GiB 3 uncached. */
void identity_map(uint64_t pml4[512], uint64_t pdpt[512], uint64_t pd[][512], uint32_t gib);

#endif
