/*
 * Lab 4 - TRANSLATE_GVA: walking the guest's page tables.
 *
 * Runs in the sidecar kernel, on the VP's CPU inside a command or a fault,
 * interrupts on or off (and the host's unit tests).
 *
 * x86-64 4-level paging (SDM vol. 3A 4.5): a 48-bit virtual address splits
 * into four 9-bit indexes (bits 47:39 PML4, 38:30 PDPT, 29:21 PD, 20:12 PT)
 * and a 12-bit offset. Each entry holds the physical address of the next
 * table (bits 51:12), P (bit 0, present), W (bit 1, writable) and, at the
 * PDPT and PD levels, PS (bit 7: a 1 GiB or 2 MiB page, which this system
 * does not support in guests). An address is canonical when bits 63:47 are
 * all equal (SDM vol. 1 3.3.7.1).
 *
 * The guest's tables hold guest physical addresses: a table at GPA g is at
 * m->base + g for the sidecar, and only if it lies inside guest memory (check
 * every one: the guest wrote them). The sidecar keeps GVAs below
 * SIDECAR_GUEST_GVA_MIN and from SIDECAR_GUEST_GVA_LIMIT up for itself.
 * The framework uses this walk for TRANSLATE_GVA and to read the instruction
 * a guest faulted on.
 *
 * Implement: vp_translate() (declared in include/lab_vp.h).
 * Tests: unit suite "gva"; lab 4's boot test "gva".
 */
#include "lab_vp.h"

int vp_translate(const struct vp_memory_view *m, uint64_t gva, uint64_t *gpa, bool *writable,
		 struct diag *d)
{
	// BEGIN LAB 4: translate gva as the CPU would, or refuse it with the reason
	int64_t high = (int64_t)gva >> 47;
	if (high != 0 && high != -1)
		return diag_fail(d, E_INVAL, "gva 0x%lx is not canonical", (unsigned long)gva);
	if (gva < SIDECAR_GUEST_GVA_MIN || gva >= SIDECAR_GUEST_GVA_LIMIT)
		return diag_fail(d, E_RANGE, "gva 0x%lx is reserved for the sidecar", (unsigned long)gva);

	uint64_t table = m->page_table;
	bool w = true;
	for (int level = 4; level >= 1; level--) {
		if (table % 4096 || table >= m->size || m->size - table < 4096) /* no wrap-around */
			return diag_fail(d, E_RANGE, "level-%d table at GPA 0x%lx is outside guest memory",
					 level, (unsigned long)table);
		uint64_t index = (gva >> (12 + 9 * (level - 1))) & 511;
		uint64_t entry = ((const uint64_t *)(m->base + table))[index];
		if (!(entry & PTE_P))
			return diag_fail(d, E_NOTFOUND, "gva 0x%lx is not mapped (level %d entry %lu)",
					 (unsigned long)gva, level, (unsigned long)index);
		if (level > 1 && level < 4 && (entry & PTE_PS))
			return diag_fail(d, E_UNSUPPORTED, "gva 0x%lx is in a large page",
					 (unsigned long)gva);
		w = w && (entry & PTE_W);
		table = entry & PTE_ADDR;
	}
	uint64_t address = table | (gva & 4095);
	if (table >= m->size || m->size - table < 4096)
		return diag_fail(d, E_RANGE, "gva 0x%lx maps to GPA 0x%lx, outside guest memory",
				 (unsigned long)gva, (unsigned long)address);
	*gpa = address;
	*writable = w;
	return 0;
	// END LAB 4
}
