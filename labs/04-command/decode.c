/*
 * Lab 4 - decoding a guest's exit: which instruction faulted?
 *
 * Runs in the sidecar kernel, on the CPU whose guest faulted, interrupts off
 * (and the host's unit tests).
 *
 * A VP runs in ring 3 with IOPL 0 and no I/O permission bitmap, so every
 * in/out faults with #GP(0) (SDM vol. 1 18.5.1); hlt is privileged and faults
 * with #GP(0) too; vmcall outside VMX operation raises #UD. The framework
 * hands you the bytes at the guest's RIP; turn the ones the VMM handles into
 * exits (include/sidecar.h, struct sidecar_vp_exit):
 *
 *   E4 ib   in al, imm8        E6 ib   out imm8, al
 *   E5 ib   in eax, imm8       E7 ib   out imm8, eax
 *   EC      in al, dx          EE      out dx, al
 *   ED      in eax, dx         EF      out dx, eax
 *   F4      hlt                0F 01 C1  vmcall (our hypercall)
 *
 * A 66 prefix turns the eax forms into ax forms (2 bytes). For out, value is
 * rax cut to the size. instruction_length counts prefix, opcode and
 * immediate: the framework adds it to RIP when the VMM resumes the VP.
 * Anything else (cli, wrmsr, a string instruction, too few bytes) is not
 * decoded: return -1 and the framework reports an exception exit.
 * SDM vol. 2A/2B: IN, OUT, HLT; vol. 3C: VMCALL.
 *
 * Implement: vp_decode_instruction() (declared in include/lab_vp.h).
 * Tests: unit suite "decode"; lab 4's boot tests (run hello, escape).
 */
#include "lab_vp.h"

int vp_decode_instruction(const uint8_t *code, size_t n, uint64_t rax, uint64_t rdx,
			  struct sidecar_vp_exit *exit)
{
	// TODO(lab 4): recognize the instructions the VMM handles; -1 for anything else
	lab_todo(4, __func__);
}
