; spin.asm - a guest that never exits on its own.
;
; `jmp $` loops forever in ring 3 without touching a port, a privileged
; instruction or memory: nothing traps, so RUN_VP would never return by
; itself. Only the VMM's STOP request (cpu_status RUN -> STOP plus the
; request IPI) brings the CPU back, with a STOPPED exit: the test that the
; interrupt reaches a CPU running guest code and that the sidecar, not the
; guest, then owns it.

bits 64
org 0x8000004000

start:
	jmp $
