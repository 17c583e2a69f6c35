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
#include "paging.h"
#include "boot_tables.h"
#include "x86.h"

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[STUB_IDENTITY_GIB][512] __attribute__((aligned(4096)));

uint64_t paging_root(void)
{
	return (uint64_t)pml4;
}

void paging_init(void)
{
	identity_map(pml4, pdpt, pd, STUB_IDENTITY_GIB); /* lib/runtime/boot_tables.c */
	write_cr3((uint64_t)pml4);
}
