; irq.asm - linux-stub's response interrupt: count it, then end the wait.
;
; A linux-stub CPU waits with "sti; hlt". Three vectors end such a wait: the
; sidecar's response IPI (a command finished), the BSP's work IPI (run this
; function), and the local APIC timer's tick (so every wait can check its
; deadline). None needs more than an EOI (lib/runtime/irq_eoi.asm), but the response
; vector also counts, in this CPU's struct stub_cpu (field "responses", at
; offset 8 from the GS base), how many responses arrived by IPI: the wake
; command reports it.
;
; stub_irq_spurious: the local APIC's spurious vector (0xff, the one the
; spurious-interrupt vector register names, linux-stub/smp.c). The APIC
; delivers it when an interrupt it signalled went away before the CPU
; acknowledged it (SDM vol. 3A 10.9, "Spurious Interrupt"): "the local APIC
; does not set the in-service bit", so the handler must not send an EOI.
; It only counts, in stub_spurious_count (the spurious command reads it).
; Linux does the same for this vector (arch/x86/kernel/apic/apic.c,
; handle_spurious_interrupt(), v6.1: counted, never acknowledged).

bits 64
section .text

extern irq_eoi_entry, stub_spurious_count
global stub_irq_response, stub_irq_spurious

stub_irq_response:
	inc qword [gs:8]
	jmp irq_eoi_entry

stub_irq_spurious:
	lock inc qword [rel stub_spurious_count]
	iretq                       ; no EOI: nothing is in service
