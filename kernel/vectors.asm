; vectors.asm - the sidecar's two interrupt entry points.
;
; irq_request_entry: the request vector a client sends to wake a CPU. It
; saves the registers the C ABI lets a callee clobber, calls
; ipi_request_interrupt(this CPU) (lab 3) which sends the EOI, and returns.
; After the CPU's 40-byte interrupt frame (pushed on a 16-byte aligned stack,
; SDM vol. 3A 6.14.2) nine pushes leave %rsp 16-byte aligned for the call.
;
; irq_spurious_entry: the local APIC's spurious vector. SDM vol. 3A 10.9:
; a spurious interrupt is not in service, so its handler sends no EOI.

bits 64
section .text

extern ipi_request_interrupt
global irq_request_entry, irq_spurious_entry

irq_request_entry:
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
	mov rdi, [gs:0]             ; struct percpu *self
	call ipi_request_interrupt
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

irq_spurious_entry:
	iretq
