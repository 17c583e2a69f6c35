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
	// TODO(lab 4): translate gva as the CPU would, or refuse it with the reason
	lab_todo(4, __func__);
}
