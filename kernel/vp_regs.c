/*
 * vp_regs.c - the VP registers the sidecar will and will not load.
 *
 * Runs on the sidecar CPU that owns the VP: from command_run() for
 * SET_VP_REGISTERS, and from vp_run() just before vp_enter()'s iretq. Also
 * built on the host for the unit suite "vpregs" (tests/unit/test_vpregs.c).
 *
 * Two registers decide whether iretq to ring 3 can even happen:
 *   RIP must be canonical: bits 63:47 all equal (SDM vol. 1 3.3.7.1). On
 *       Intel hardware IRET itself faults in ring 0 otherwise (SDM vol. 2A,
 *       IRET, 64-bit mode exceptions: "#GP(0) If the return instruction
 *       pointer is not canonical"), with the guest's registers loaded and
 *       the kernel's stack half unwound; QEMU's TCG reports the #GP at the
 *       target instead. Either way the sidecar refuses such a RIP first,
 *       with an error in the command page.
 *   RFLAGS: the guest owns the flags it can change itself in ring 3 with
 *       popf - CF PF AF ZF SF TF DF OF, AC and ID - and RF, which the CPU
 *       sets in the RFLAGS it saves for a fault: they are kept as they are.
 *       TF gives a #DB exit after the next instruction, which the VMM sees;
 *       AC gives #AC for a misaligned access (CR0.AM is on in ring 3,
 *       kernel/protect.c), and the trap entry clears it again before any
 *       sidecar code runs (lib/runtime/trap_entry.asm), so SMAP stays on for us.
 *       Bit 1 (always 1) and IF are forced on: IF must stay on, since STOP
 *       is an interrupt. Every other bit - IOPL (a guest with IOPL 3 could
 *       cli and do port I/O), NT (iretq with NT set faults in 64-bit mode,
 *       SDM vol. 2A IRET), VM, VIF, VIP and the reserved ones - is refused
 *       with an error, never cleared silently. A guest can set NT itself
 *       with popf; then the RUN_VP after that exit is refused, and the VMM
 *       decides (GET, clear it, SET).
 */
#include "vp_regs.h"
#include "lab_vp.h"

/* SDM vol. 1 3.4.3, Figure 3-8: the bits of RFLAGS. */
#define RFLAGS_CF (1ull << 0)
#define RFLAGS_ALWAYS_ONE (1ull << 1)
#define RFLAGS_PF (1ull << 2)
#define RFLAGS_AF (1ull << 4)
#define RFLAGS_ZF (1ull << 6)
#define RFLAGS_SF (1ull << 7)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_OF (1ull << 11)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_AC (1ull << 18)
#define RFLAGS_ID (1ull << 21)

/* The guest's own: kept as they are. */
#define RFLAGS_GUEST (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | \
		      RFLAGS_DF | RFLAGS_OF | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)
/* Forced on at every entry. */
#define RFLAGS_FIXED (RFLAGS_ALWAYS_ONE | RFLAGS_IF)

bool vp_rip_canonical(uint64_t rip)
{
	uint64_t top = rip >> 47; /* bits 63:47: all zeros or all ones */
	return top == 0 || top == 0x1ffff;
}

uint64_t vp_entry_rflags(uint64_t rflags)
{
	return (rflags & RFLAGS_GUEST) | RFLAGS_FIXED;
}

int vp_check_entry(const uint64_t regs[VP_REGISTER_COUNT], struct diag *d)
{
	uint64_t rip = regs[VP_RIP], rflags = regs[VP_RFLAGS];
	if (!vp_rip_canonical(rip))
		return diag_fail(d, E_RANGE, "rip 0x%lx is not canonical (bits 63:47 differ): "
				 "iretq would fault", (unsigned long)rip);
	uint64_t bad = rflags & ~(RFLAGS_GUEST | RFLAGS_FIXED);
	if (bad)
		return diag_fail(d, E_INVAL, "rflags 0x%lx sets 0x%lx: IOPL, NT, VM, VIF, VIP and "
				 "reserved bits are not the guest's", (unsigned long)rflags,
				 (unsigned long)bad);
	return 0;
}

int vp_set_registers(struct vp_state *vp, struct sidecar_registers *req, struct diag *d)
{
	uint64_t regs[VP_REGISTER_COUNT];
	memcpy(regs, vp->regs, sizeof(regs));
	int r = vp_registers(regs, req, true, d); /* lab 4: into the copy */
	if (!r)
		r = vp_check_entry(regs, d);
	if (r)
		return r; /* all or nothing: the VP is as it was */
	memcpy(vp->regs, regs, sizeof(regs));
	/* include/sidecar.h, SIDECAR_CMD_SET_VP_REGISTERS: a SET ends a pending
	 * exit completion; the VMM has decided the state itself. */
	vp->pending = VP_EXIT_NONE;
	return 0;
}
