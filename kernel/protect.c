/*
 * protect.c - the CPU's own protections, turned on for every sidecar CPU.
 *
 * A guest runs in ring 3 on page tables the sidecar builds (kernel/vp.c):
 * its pages are user pages, the sidecar's are supervisor pages. The paging
 * hardware can hold both sides to that, where CPUID says it can (SDM vol.
 * 3A 4.6, "Access Rights"):
 *   SMEP (CR4 bit 20; CPUID.7.0:EBX bit 7): ring 0 cannot execute a user
 *        page - a bug that jumps into guest memory faults instead of running
 *        the guest's code with the sidecar's privileges;
 *   SMAP (CR4 bit 21; CPUID.7.0:EBX bit 20): ring 0 cannot read or write a
 *        user page unless RFLAGS.AC is set - the sidecar reads guest memory
 *        only through its own identity map, never through the guest's
 *        mappings, so nothing here ever sets AC (the trap entry clears the
 *        AC a guest may have set: lib/runtime/trap_entry.asm);
 *   NX   (IA32_EFER bit 11; CPUID.80000001H:EDX bit 20): the execute-disable
 *        bit of page-table entries means something; the shadow tables then
 *        carry the guest's own NX bits, so a guest that marks its data
 *        non-executable gets a page fault when it jumps there.
 * Two CR0 bits as well: WP (bit 16), so ring 0 cannot write a read-only
 * page either, and AM (bit 18), so a guest that sets RFLAGS.AC gets #AC for
 * a misaligned access (alignment checks only ever apply in ring 3).
 */
#include "protect.h"
#include "x86.h"

#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define MSR_EFER 0xc0000080
#define EFER_NXE (1ull << 11)

/* Set once by the BSP (protect_probe) before any AP starts; read-only after. */
static bool have_smep, have_smap, have_nx;

void protect_probe(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		have_smep = b & (1u << 7);
		have_smap = b & (1u << 20);
	}
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		have_nx = d & (1u << 20);
	}
}

void protect_init(void)
{
	uint64_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_WP | CR0_AM) : "memory");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (have_smep ? CR4_SMEP : 0) | (have_smap ? CR4_SMAP : 0);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	if (have_nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

uint64_t protect_nx_bit(void)
{
	return have_nx ? 1ull << 63 : 0;
}

const char *protect_summary(void)
{
	static const char *const names[8] = {
		"none", "SMEP", "SMAP", "SMEP SMAP", "NX", "SMEP NX", "SMAP NX", "SMEP SMAP NX",
	};
	return names[have_smep | have_smap << 1 | have_nx << 2];
}
