; irq_eoi.asm - an interrupt whose only job is to end a halted wait.
;
; A CPU that waits with "sti; hlt" only needs the interrupt to happen: the
; waiting code looks at memory once hlt returns. So the handler just sends
; the local APIC its EOI (SDM vol. 3A 10.8.5) and returns. It saves the
; registers the C ABI lets lapic_eoi() clobber; after the CPU's 40-byte
; frame, nine pushes leave %rsp 16-byte aligned for the call. Used by the
; sidecar's halted waits during fan-out (lab 2's labs/02-halt/sleep.c) and by linux-stub's
; work, response and tick vectors (linux-stub/smp.c). Ring 0 only.

bits 64
section .text

extern lapic_eoi
global irq_eoi_entry

irq_eoi_entry:
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
