/*
 * paging.c - the sidecar's page tables: the boot tables every CPU starts on,
 * and the address space each sidecar CPU moves to once it is up.
 *
 * Boot tables (the BSP builds them, once; shared): the first 4 GiB identity
 * mapped with 2 MiB pages (lib/runtime/boot_tables.c), and every node's memory block
 * above 4 GiB identity mapped too, so that the BSP can lay the blocks out and
 * each AP can find its stack wherever its node's memory is. They sit in the
 * image, below 4 GiB, because the trampoline loads CR3 from 32-bit code. The
 * BSP runs sidecar_start() on them and gives the shim its own CR3 back.
 *
 * A CPU's own address space (built by the AP itself at the end of its
 * bring-up, in its private pages; used from then on). As in OpenHCL's sidecar
 * (openhcl/sidecar/src/arch/x86_64/init.rs: "each CPU has its own set of page
 * tables ... so that they only map what they use"), it maps
 *
 *   VA                       what                         rights
 *   2 MiB + image            the sidecar image (identity) code R+X, rodata R,
 *                                                         data/bss RW, IDT R
 *   IA32_APIC_BASE           the local APIC (xAPIC only)  RW, uncached
 *   WINDOW_BASE + 4 KiB ...  this CPU's window:           RW, never X
 *      guard page (unmapped), two stack pages (struct percpu at the top),
 *      unmapped page, its command page, its node's control page, its own
 *      PML4 and PT (to map guest memory while a command runs), the VP's
 *      scratch pages and guest memory (only while RUN_VP/TRANSLATE_GVA runs)
 *
 * and nothing else: not the other CPUs' pages, not the main kernel, not the
 * shim's parameter page, not the page tables themselves (they need no
 * mapping to be used). A write anywhere else is a page fault, which the
 * sidecar turns into a FAILED CPU (kernel/fault.c), not a corrupted kernel.
 *
 * The walk (SDM vol. 3A 4.5, "4-Level Paging and 5-Level Paging"): PML4 ->
 * PDPT -> PD -> PT -> 4 KiB page. Rights are the AND of every level (4.6,
 * "Access Rights"): upper levels allow everything, leaves decide; R/W (bit
 * 1) clear is read-only, for ring 0 too once CR0.WP is set; XD (bit 63)
 * forbids fetches, and means something only with IA32_EFER.NXE (4.1.1,
 * Table 4-1; kernel/protect.c sets it) - without NXE bit 63 is reserved and
 * must stay 0 (4.5.4), so protect_nx_bit() gives 0 then. PCD|PWT make the
 * APIC page uncached (SDM 12.3 on memory types: MMIO is UC).
 *
 * What is shared and what is not: PML4 entry 0 points to a shared PDPT for
 * the identity part (one for xAPIC CPUs, one for x2APIC ones, which map no
 * APIC), so the image's page table is built once. PML4 entry 511 points to
 * the CPU's own PDPT -> PD -> PT for its window at the top of the address
 * space. Four pages per CPU (SIDECAR_PAGE_TABLE_PAGES), as OpenHCL's four.
 */
#include "paging.h"
#include "boot_tables.h"
#include "lapic.h"
#include "percpu.h"
#include "protect.h"
#include "x86.h"

#define TABLE (PTE_P | PTE_W) /* an upper-level entry: the leaves decide */
#define INDEX(va, level) (((va) >> (12 + 9 * ((level) - 1))) & 511)
#define BOOT_POOL_PAGES 16 /* upper tables for node memory above 4 GiB */

extern const uint8_t image_start[], image_text_end[], image_rodata_end[], image_data_end[],
	image_idt_end[];

#define PAGETABLE __attribute__((section(".pagetables"), aligned(4096)))
static uint64_t boot_pml4[512] PAGETABLE;
static uint64_t boot_pdpt[512] PAGETABLE;
static uint64_t boot_pd[4][512] PAGETABLE;
static uint64_t boot_pool[BOOT_POOL_PAGES][512] PAGETABLE;
static uint32_t boot_pool_used;
/* The identity part every CPU's own tables share (PML4 entry 0). */
static uint64_t low_pdpt[2][512] PAGETABLE; /* [0] x2APIC: no APIC page; [1] xAPIC */
static uint64_t low_pd0[512] PAGETABLE;     /* the first GiB: the image */
static uint64_t image_pt[512] PAGETABLE;
static uint64_t apic_pd[512] PAGETABLE;
static uint64_t apic_pt[512] PAGETABLE;

/* The IDT every sidecar CPU loads (lab 2 fills it through pc->idt); 256
 * gates of 16 bytes (SDM vol. 3A 6.14.1), one page. */
uint8_t sidecar_idt[4096] __attribute__((section(".idt"), aligned(4096)));

static uint64_t *boot_table(uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		if (boot_pool_used == BOOT_POOL_PAGES)
			return NULL;
		uint64_t *t = boot_pool[boot_pool_used++];
		memset(t, 0, PAGE_SIZE);
		*entry = (uint64_t)t | TABLE;
	}
	return (uint64_t *)(*entry & PTE_ADDR);
}

/* Identity map [base, base+size) with 2 MiB pages in the boot tables. */
static int boot_map(uint64_t base, uint64_t size)
{
	for (uint64_t pa = base & ~(MiB(2) - 1); pa < base + size; pa += MiB(2)) {
		uint64_t *pdpt = boot_table(&boot_pml4[INDEX(pa, 4)]);
		uint64_t *pd = pdpt ? boot_table(&pdpt[INDEX(pa, 3)]) : NULL;
		if (!pd)
			return -1;
		pd[INDEX(pa, 2)] = pa | PTE_P | PTE_W | PTE_PS;
	}
	return 0;
}

static void build_shared(void)
{
	uint64_t nx = protect_nx_bit();
	uint64_t apic = rdmsr(MSR_APIC_BASE) & PTE_ADDR; /* the xAPIC page (SDM 11.4.4) */
	/* The linker's symbols as addresses (kernel/kernel.ld), page aligned. */
	uint64_t text_end = (uint64_t)image_text_end, rodata_end = (uint64_t)image_rodata_end;
	uint64_t data_end = (uint64_t)image_data_end, idt_end = (uint64_t)image_idt_end;
	for (uint64_t p = (uint64_t)image_start; p < idt_end; p += PAGE_SIZE) {
		uint64_t rights = p < text_end     ? PTE_P
				  : p < rodata_end ? PTE_P | nx
				  : p < data_end   ? PTE_P | PTE_W | nx
						   : PTE_P | nx; /* the IDT */
		image_pt[INDEX(p, 1)] = p | rights;
	}
	low_pd0[INDEX(SIDECAR_IMAGE_BASE, 2)] = (uint64_t)image_pt | TABLE;
	apic_pt[INDEX(apic, 1)] = apic | PTE_P | PTE_W | PTE_PCD | PTE_PWT | nx;
	apic_pd[INDEX(apic, 2)] = (uint64_t)apic_pt | TABLE;
	for (int x = 0; x < 2; x++)
		low_pdpt[x][0] = (uint64_t)low_pd0 | TABLE;
	low_pdpt[1][INDEX(apic, 3)] = (uint64_t)apic_pd | TABLE;
}

int paging_build(const struct sidecar_params *p, uint64_t *cr3)
{
	_Static_assert(SIDECAR_IMAGE_BASE % MiB(2) == 0 && SIDECAR_IMAGE_MAX == MiB(2),
		       "the image fills one page table");
	identity_map_4g(boot_pml4, boot_pdpt, boot_pd);
	for (uint32_t n = 0; n < p->node_count; n++) {
		const struct sidecar_param_node *pn = &p->nodes[n];
		if (pn->memory_size && pn->memory_base + pn->memory_size > GiB(4) &&
		    boot_map(pn->memory_base, pn->memory_size))
			return -1;
	}
	build_shared();
	*cr3 = (uint64_t)boot_pml4;
	return 0;
}

/* ---- one CPU's own tables (the AP, on the boot tables, for itself) ----- */

static uint64_t window_va(unsigned slot)
{
	return WINDOW_BASE + slot * PAGE_SIZE;
}

void paging_build_own(struct percpu *pc, uint64_t private_pa, uint64_t command_pa,
		      uint64_t control_pa)
{
	uint64_t nx = protect_nx_bit();
	uint64_t tables = private_pa + SIDECAR_STACK_PAGES * PAGE_SIZE;
	uint64_t *pml4 = (uint64_t *)tables, *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = pd + 512;
	memset(pml4, 0, SIDECAR_PAGE_TABLE_PAGES * PAGE_SIZE);
	bool x2apic = rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC; /* this CPU's mode (SDM 11.12.1) */
	pml4[0] = (uint64_t)low_pdpt[!x2apic] | TABLE;
	pml4[INDEX(WINDOW_BASE, 4)] = (uint64_t)pdpt | TABLE;
	pdpt[INDEX(WINDOW_BASE, 3)] = (uint64_t)pd | TABLE;
	pd[INDEX(WINDOW_BASE, 2)] = (uint64_t)pt | TABLE;
	for (unsigned i = 0; i < SIDECAR_STACK_PAGES; i++)
		pt[WIN_STACK + i] = (private_pa + i * PAGE_SIZE) | PTE_P | PTE_W | nx;
	pt[WIN_COMMAND] = command_pa | PTE_P | PTE_W | nx;
	pt[WIN_CONTROL] = control_pa | PTE_P | PTE_W | nx;
	pt[WIN_PML4] = (uint64_t)pml4 | PTE_P | PTE_W | nx;
	pt[WIN_PT] = (uint64_t)pt | PTE_P | PTE_W | nx;
	pc->cr3 = (uint64_t)pml4;
	pc->pml4 = (uint64_t *)window_va(WIN_PML4);
	pc->pt = (uint64_t *)window_va(WIN_PT);
}

uint64_t paging_window(uint64_t pa, uint64_t private_pa)
{
	return window_va(WIN_STACK) + (pa - private_pa);
}

uint64_t paging_root(void)
{
	return this_cpu()->cr3;
}

/* ---- guest memory, while a command runs -------------------------------- */

void *paging_map_run(struct percpu *pc, unsigned slot, uint64_t pa, uint64_t pages)
{
	uint64_t nx = protect_nx_bit();
	for (uint64_t i = 0; i < pages; i++)
		pc->pt[slot + i] = (pa + i * PAGE_SIZE) | PTE_P | PTE_W | nx;
	return (void *)window_va(slot);
}

void paging_unmap_run(struct percpu *pc)
{
	for (unsigned i = WIN_SCRATCH; i < 512; i++)
		pc->pt[i] = 0;
	for (unsigned i = 1; i < 256; i++) /* the guest's half of the PML4 */
		pc->pml4[i] = 0;
	write_cr3(pc->cr3); /* no global pages here: this flushes every mapping (4.10.4.1) */
}

bool paging_window_holds(uint64_t va)
{
	return va >= WINDOW_BASE;
}
