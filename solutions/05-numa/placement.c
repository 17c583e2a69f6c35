/*
 * Lab 5 - node-local memory for each node's sidecar pages.
 *
 * Runs in the shim, on the BSP before any AP starts, interrupts off (and the
 * host's unit tests).
 *
 * A sidecar CPU spends its life touching its stack, its per-CPU page and its
 * command page; on a NUMA machine those should be in the CPU's own node's
 * memory, and so should the node's control page that its CPUs and the
 * node's main-kernel CPU share. The ACPI SRAT's memory affinity structures
 * (ACPI 6.5, 5.2.16.2) say which physical ranges belong to which proximity
 * domain; lib/portable/machine.c turned them into m->memory[] with dense node
 * numbers. A node may have CPUs and no memory at all (QEMU makes one when a
 * -numa node has no memdev): then the pages must come from elsewhere, and
 * the caller warns.
 *
 * Implement: numa_alloc_node_block() (declared in include/numa.h).
 * Tests: unit suite "numa"; lab 5's boot tests ("nodes" says local yes).
 */
#include "lab_shim.h"

/* The highest physical address x86-64 can have: MAXPHYADDR is at most 52
 * (SDM vol. 3A 4.1.4). Node memory may be anywhere below it: the sidecar
 * reaches its blocks through its own page tables (kernel/paging.c). */
#define PHYS_LIMIT (1ull << 52)

int numa_alloc_node_block(struct physmem *pm, const struct machine *m, uint32_t node,
			  uint64_t size, uint64_t *out, bool *local)
{
	// BEGIN LAB 5: node-local pages when the node has room; any pages otherwise
	for (uint32_t i = 0; m->have_srat && i < m->nmemory; i++) {
		const struct machine_memory *r = &m->memory[i];
		uint64_t end = r->base + r->length < PHYS_LIMIT ? r->base + r->length : PHYS_LIMIT;
		if (r->node != node || r->base >= end || end <= MiB(1))
			continue;
		if (physmem_alloc(pm, size, PAGE_SIZE, r->base < MiB(1) ? MiB(1) : r->base, end, out) == 0) {
			*local = true;
			return 0;
		}
	}
	*local = false;
	return physmem_alloc(pm, size, PAGE_SIZE, MiB(1), PHYS_LIMIT, out);
	//> lab_fallback(5, __func__, "sidecar pages come from any memory");
	//> *local = false;
	//> return physmem_alloc(pm, size, PAGE_SIZE, MiB(1), GiB(4), out);
	// END LAB 5
}
