/*
 * boot_tables.c - two things every image that starts CPUs needs: an identity
 * map of the first 4 GiB, and a copy of the AP trampoline.
 *
 * The sidecar kernel (for its CPUs' boot) and linux-stub (for its own) both
 * build page tables with the first 4 GiB (linux-stub: more) identity mapped
 * in 2 MiB pages (SDM vol.
 * 3A 4.5, PML4 -> PDPT -> PD with PS=1), the top gigabyte uncached because
 * it holds the local APIC and other device registers (SDM 11.3: memory-mapped
 * I/O must be UC). And both copy lab 1's trampoline to a page below 1 MiB and
 * fill in its data block (include/trampoline.h).
 */
#include "klib.h"
#include "boot_tables.h"
#include "x86.h"


void identity_map_4g(uint64_t pml4[512], uint64_t pdpt[512], uint64_t pd[4][512])
{
	identity_map(pml4, pdpt, pd, 4);
}

void identity_map(uint64_t pml4[512], uint64_t pdpt[512], uint64_t pd[][512], uint32_t gib)
{
	for (uint64_t g = 0; g < gib && g < 512; g++) {
		uint64_t cache = g == 3 ? PTE_PCD | PTE_PWT : 0;
		for (uint64_t i = 0; i < 512; i++)
			pd[g][i] = (g << 30 | i << 21) | PTE_P | PTE_W | PTE_PS | cache;
		pdpt[g] = (uint64_t)pd[g] | PTE_P | PTE_W;
	}
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W;
}

int trampoline_install(uint64_t page, const uint8_t *blob, size_t size, uint32_t cr3,
		       uint64_t slots, uint32_t slot_count, uint64_t entry, uint32_t flags)
{
	if (size > 4096 || size < sizeof(struct trampoline_data))
		return -1;
	struct trampoline_data *t = (void *)page;
	memcpy(t, blob, size);
	if (t->magic != TRAMPOLINE_MAGIC)
		return -1;
	/* The assembly stored offsets in the page: make them addresses. */
	uint32_t base = (uint32_t)page;
	t->gdt_base += base;
	t->pm32_offset += base;
	t->lm64_offset += base;
	t->cr3 = cr3;
	t->slots = slots;
	t->slot_count = slot_count;
	t->entry = entry;
	t->flags = flags;
	return 0;
}
