; vectors.asm - the sidecar's two interrupt entry points.
;
; irq_request_entry: the request vector a client sends to wake a CPU (or to
; stop a running VP). It builds the same struct trap_frame as the exception
; stubs (lib/runtime/trap_entry.asm) - the interrupted code may be a guest in ring 3,
; whose registers the VP exit must save - with the marker vector
; TRAP_REQUEST (256) whatever number the request vector has, and goes
; through trap_common to the sidecar's trap_handler (kernel/vp.c), which
; calls ipi_request_interrupt() (lab 3).
;
; irq_spurious_entry: the local APIC's spurious vector. SDM vol. 3A 10.9:
; a spurious interrupt is not in service, so its handler sends no EOI.

bits 64
section .text

extern trap_common
global irq_request_entry, irq_spurious_entry

irq_request_entry:
	push qword 0                ; no error code
	push qword 256              ; TRAP_REQUEST
	jmp trap_common

irq_spurious_entry:
	iretq
