/*
 * paging.c - the page tables every sidecar CPU runs on.
 *
 * One set for all sidecar CPUs: the first 4 GiB identity mapped
 * (lib/boot_tables.c). The tables sit in the sidecar image, below 4 GiB,
 * because the trampoline loads CR3 from 32-bit code. A VP's address space
 * borrows their first PML4 entry (kernel/vp.c).
 */
#include "kernel.h"
#include "trampoline.h"

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

uint64_t paging_build(void)
{
	identity_map_4g(pml4, pdpt, pd);
	return (uint64_t)pml4;
}

uint64_t paging_root(void)
{
	return (uint64_t)pml4;
}
