; switch.asm - an AP's move from the shared boot tables to its own.
;
; paging_switch(cr3, rsp, fn, arg) loads CR3 and RSP together and calls
; fn(arg), which never returns. Both at once, with interrupts off (the
; caller's job): the old stack is not mapped in the new tables, so not even
; one instruction may push to it after CR3 changes. The code runs on at both
; sides of the move because the image is identity mapped in both (kernel/
; paging.c). SDM vol. 3A 4.10.4.1: the mov to CR3 flushes the TLB's
; non-global entries, and the boot tables have no global ones.

bits 64
section .text

global paging_switch

paging_switch:
	mov cr3, rdi
	mov rsp, rsi
	mov rdi, rcx
	xor ebp, ebp                    ; the end of the backtrace
	call rdx
.park:
	cli
	hlt
	jmp .park
