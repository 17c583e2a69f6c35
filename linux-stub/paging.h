/*
 * paging.h - linux-stub/paging.c: linux-stub's own page tables, the first
 * STUB_IDENTITY_GIB GiB of physical memory mapped one-to-one.
 */
#ifndef STUB_PAGING_H
#define STUB_PAGING_H

#include <stdint.h>

#define STUB_IDENTITY_GIB 64
void paging_init(void);
uint64_t paging_root(void); /* the PML4's physical address (below 4 GiB) */

#endif
