; vectors.asm - the sidecar's two interrupt entry points.
;
; irq_request_entry: the request vector a client sends to wake a CPU (or to
; stop a running VP). It builds the same struct trap_frame as the exception
; stubs (lib/trap_entry.asm) - the interrupted code may be a guest in ring 3,
; whose registers the VP exit must save - with the marker vector
; TRAP_REQUEST (256) whatever number the request vector has, and goes
; through trap_common to the sidecar's trap_handler (kernel/vp.c), which
; calls ipi_request_interrupt() (lab 3).
;
; irq_spurious_entry: the local APIC's spurious vector. SDM vol. 3A 10.9:
; a spurious interrupt is not in service, so its handler sends no EOI.

bits 64
section .text

extern trap_common, lapic_eoi
global irq_request_entry, irq_spurious_entry, irq_wake_entry

irq_request_entry:
	push qword 0                ; no error code
	push qword 256              ; TRAP_REQUEST
	jmp trap_common

irq_spurious_entry:
	iretq

; irq_wake_entry: the local APIC timer or a checked-in CPU ending a halted
; wait (kernel/sleep.c). Only ever taken in ring 0: send the EOI, return.
irq_wake_entry:
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
