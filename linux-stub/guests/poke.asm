; poke.asm - a guest that tries to write, read and run the address in rdi.
;
; The VMM's `isolate` command (linux-stub/isolate.c) runs it once for each
; region of memory the guest must not reach - the sidecar's image, page
; tables, control, command and per-CPU pages, linux-stub's code, data and
; page tables, this guest's own page tables - with the region's physical
; address in rdi. Guest virtual addresses below 512 GiB are the sidecar's
; identity map, supervisor-only (kernel/vp.c), so the address names the
; region exactly, and each attempt must end as an MMIO exit (a page fault
; the sidecar reports) at that address. The guest counts the attempts that
; trapped in rbx (trap.inc) and halts; `isolate` reads rbx.

bits 64
default rel
org 0x8000004000

start:
	jmp main

%include "trap.inc"

main:
	xor ebx, ebx
	TRY
		mov byte [rdi], 0xcc ; write
	CATCH
	TRY
		mov al, [rdi]       ; read
	CATCH
	TRY
		call rdi            ; execute
	CATCH
	xor r15d, r15d
	hlt
	jmp $
