; trampoline.asm - linux-stub carries the same AP trampoline as the sidecar.
;
; linux-stub starts its own CPUs (one per NUMA node by default, and in lab 6
; the CPUs it takes over from the sidecar) the way Linux does: INIT-SIPI-SIPI
; to a real-mode trampoline below 1 MiB. It reuses lab 1's trampoline
; (labs/01-apstart/trampoline.asm, assembled to a flat binary) with its own
; page tables, stacks and entry point in the data block.

section .rodata
global stub_trampoline, stub_trampoline_end
align 16
stub_trampoline:
	incbin TRAMPOLINE_BIN
stub_trampoline_end:
