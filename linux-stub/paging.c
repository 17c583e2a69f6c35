/*
 * paging.c - linux-stub's own page tables.
 *
 * The boot protocol only promises that the loader's mapping covers the
 * kernel, the zero page and the command line, and the loader's tables live in
 * the loader's memory. Like Linux, linux-stub builds its own at once: the
 * first 4 GiB identity mapped with 2 MiB pages (SDM vol. 3A 4.5, "4-Level
 * Paging": PML4 -> PDPT -> PD with PS=1), which covers RAM, the local APIC
 * (0xfee00000) and the firmware's ACPI tables.
 */
#include "stub.h"
#include "x86.h"

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_LARGE 0x80 /* in a PD entry: a 2 MiB page */

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

uint64_t paging_root(void)
{
	return (uint64_t)pml4;
}

void paging_init(void)
{
	for (uint64_t g = 0; g < 4; g++) {
		/* The top gigabyte is device registers (the local APIC among them):
		 * uncached, as SDM vol. 3A 11.3 asks for memory-mapped I/O. */
		uint64_t cache = g == 3 ? PTE_PCD | PTE_PWT : 0;
		for (uint64_t i = 0; i < 512; i++)
			pd[g][i] = (g << 30 | i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE | cache;
		pdpt[g] = (uint64_t)pd[g] | PTE_PRESENT | PTE_WRITE;
	}
	pml4[0] = (uint64_t)pdpt | PTE_PRESENT | PTE_WRITE;
	write_cr3((uint64_t)pml4);
}
