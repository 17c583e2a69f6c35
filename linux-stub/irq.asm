; irq.asm - linux-stub's interrupts that only wake a CPU.
;
; A linux-stub CPU waits with "sti; hlt". Three vectors end such a wait: the
; sidecar's response IPI (a command finished), the BSP's work IPI (run this
; function), and the local APIC timer's tick (so every wait can check its
; deadline). None needs more than an EOI: the waiting code looks at memory
; once hlt returns. The stub saves what the C ABI lets lapic_eoi() clobber.

bits 64
section .text

extern lapic_eoi
global stub_irq_wake, stub_irq_response

; The response vector also counts, in this CPU's struct stub_cpu (field
; "responses", at offset 8 from the GS base), how many responses arrived by
; IPI: the wake command reports it.
stub_irq_response:
	inc qword [gs:8]
	; fall through

stub_irq_wake:
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	cld
	call lapic_eoi
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	iretq
