; irq.asm - linux-stub's response interrupt: count it, then end the wait.
;
; A linux-stub CPU waits with "sti; hlt". Three vectors end such a wait: the
; sidecar's response IPI (a command finished), the BSP's work IPI (run this
; function), and the local APIC timer's tick (so every wait can check its
; deadline). None needs more than an EOI (lib/irq_eoi.asm), but the response
; vector also counts, in this CPU's struct stub_cpu (field "responses", at
; offset 8 from the GS base), how many responses arrived by IPI: the wake
; command reports it.

bits 64
section .text

extern irq_eoi_entry
global stub_irq_response

stub_irq_response:
	inc qword [gs:8]
	jmp irq_eoi_entry
