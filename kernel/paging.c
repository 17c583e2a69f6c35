/*
 * paging.c - the page tables every sidecar CPU runs on.
 *
 * One set for all sidecar CPUs: the first 4 GiB identity mapped with 2 MiB
 * pages (SDM vol. 3A 4.5). The top gigabyte holds the local APIC and other
 * device registers, so its pages are uncached (PCD and PWT, SDM 11.12.3:
 * "memory-mapped I/O must be UC"). The tables sit in the sidecar image,
 * below 4 GiB, because the trampoline loads CR3 from 32-bit code.
 */
#include "kernel.h"

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_LARGE 0x80

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

uint64_t paging_build(void)
{
	for (uint64_t g = 0; g < 4; g++) {
		uint64_t cache = g == 3 ? PTE_PCD | PTE_PWT : 0;
		for (uint64_t i = 0; i < 512; i++)
			pd[g][i] = (g << 30 | i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE | cache;
		pdpt[g] = (uint64_t)pd[g] | PTE_PRESENT | PTE_WRITE;
	}
	pml4[0] = (uint64_t)pdpt | PTE_PRESENT | PTE_WRITE;
	return (uint64_t)pml4;
}
