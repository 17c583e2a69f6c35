/*
 * lab_vp.h - lab 4's API: the VP's pieces. They run on a sidecar CPU with
 * interrupts off, inside a command, but they are portable C: they touch
 * no hardware, only what they are given, and the host unit tests link them.
 */
#ifndef LAB_VP_H
#define LAB_VP_H

#include "lab.h"
#include "vp_state.h" /* struct vp_memory_view, VP_REGISTER_COUNT */

/*
 * Lab 4 (labs/04-command/gva.c): walk the guest's 4-level page tables for
 * gva. Returns 0 with *gpa (and *writable: every level has W set), or a
 * negative error with d naming the problem: a non-canonical address, a GVA
 * the sidecar reserves (below SIDECAR_GUEST_GVA_MIN or at/above
 * SIDECAR_GUEST_GVA_LIMIT), a table or page outside guest memory, a large
 * page, or a level that is not present.
 */
int vp_translate(const struct vp_memory_view *m, uint64_t gva, uint64_t *gpa, bool *writable,
		 struct diag *d);

/*
 * Lab 4 (labs/04-command/decode.c): the instruction that faulted in ring 3
 * (#GP or #UD), as bytes from the guest's RIP. If it is one the VMM handles
 * - in/out (with an imm8 port or DX, byte or word/dword), hlt, vmcall - fill
 * exit (reason, port, size, write, value for out, instruction_length) and
 * return 0; else return -1 (the framework reports an exception exit).
 */
int vp_decode_instruction(const uint8_t *code, size_t n, uint64_t rax, uint64_t rdx,
			  struct sidecar_vp_exit *exit);

/*
 * Lab 4 (labs/04-command/registers.c): GET (set = false) or SET the
 * registers named in req (at most SIDECAR_MAX_REGISTERS, each name below
 * VP_REGISTER_COUNT) from or into regs. The request comes from shared
 * memory: copy the count and each name once, check them, and only then use
 * them. RIP and RFLAGS are stored as given: for SET the framework calls
 * this on a copy and checks the copy (kernel/vp_regs.c) before keeping it,
 * then checks the FPU values and segment bases (kernel/fpu.c).
 */
int vp_registers(uint64_t regs[VP_REGISTER_COUNT], struct sidecar_registers *req, bool set,
		 struct diag *d);

#endif
