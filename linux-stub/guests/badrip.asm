; badrip.asm - a guest that asks the VMM to resume it at a non-canonical RIP.
;
; The VMM's recovery convention (lib/portable/vmm_core.c, recover()): after an
; exception exit, if r15 is not zero the VMM sets RIP to r15 with
; SET_VP_REGISTERS. Here r15 is 0x800000000000, the first address past the
; lower half: not canonical (SDM vol. 1 3.3.7.1). On Intel hardware an iretq
; to it faults in ring 0, in the sidecar (SDM vol. 2A, IRET: "#GP(0) If the
; return instruction pointer is not canonical"), so the sidecar must refuse
; the SET with an error in the command page; the VMM reports it and the run
; fails, and the CPU runs the next guest as usual.

bits 64
default rel
org 0x8000004000

start:
	mov r15, 0x0000800000000000 ; "go on there after the fault"
	ud2                         ; an exception exit (#UD)
.halt:
	hlt                         ; never reached
	jmp .halt
