; selfmap.asm - a guest that edits the page tables it runs on.
;
; The VMM maps this guest's own page tables into it (GUEST_MAPS_ITS_TABLES,
; include/vmm_core.h): its PML4, PDPT, PD and PT are at GVA 0x8000000000-
; 0x8000003fff, writable. The real page tables are the sidecar's shadow
; copies, outside guest memory (kernel/vp.c); they are rebuilt, and every
; entry checked again, at each RUN_VP. So an edit takes effect after the
; guest's next exit, and only if it keeps to the guest's own memory:
;   1. it reads its PML4 entry 1, which must point at its PDPT (GPA 0x1000);
;   2. it marks a page it can run code from no-execute (PTE bit 63), exits
;      (an out to port 0x80) and calls into that page again: with NX in the
;      sidecar's paging, that is a page fault, an MMIO exit (counted);
;   3. it maps a page of its address space to GPA 0x100000, past its 64 KiB,
;      and exits: the sidecar refuses the next RUN_VP, naming the GVA and
;      GPA, and the VMM's run ends with that error. Nothing of the guest
;      ever runs with that mapping.

bits 64
default rel
org 0x8000004000

BASE equ 0x8000000000
PML4 equ BASE + 0x0000
PT equ BASE + 0x3000
CODE_PAGE equ 0xe000           ; a free page of the guest's memory
NX equ 1 << 63

start:
	jmp main

%include "trap.inc"

main:
	xor ebx, ebx
	; 1. Its own PML4, as data.
	mov rdx, PML4               ; above 4 GiB: through a register
	mov rax, [rdx + 1 * 8]
	and rax, ~0xfff
	cmp rax, 0x1000
	jne .fail
	lea rsi, [sees]
	call print
	; 2. A page of code: "ret". Run it, then mark it NX and run it again.
	mov rdi, BASE + CODE_PAGE
	mov byte [rdi], 0xc3
	call rdi                    ; runs: returns
	mov r8, PT
	mov rax, NX
	or [r8 + (CODE_PAGE >> 12) * 8], rax
	out 0x80, al                ; an exit: the next RUN_VP rebuilds the shadow
	TRY
		call rdi            ; no-execute now: #PF, an MMIO exit
	CATCH
	lea rsi, [nx_report]
	lea eax, [rbx + '0']
	mov [nx_digit], al
	call print
	; 3. A mapping outside its memory, then an exit: refused.
	mov qword [r8 + 0x10 * 8], 0x100000 | 7
	out 0x80, al                ; the sidecar refuses the next RUN_VP
	lea rsi, [ran_on]           ; never printed
	call print
.fail:
	hlt
	jmp $

sees:
	db "selfmap: its PML4 entry 1 points at its PDPT", 10, 0
nx_report:
	db "selfmap: "
nx_digit:
	db "? of 1 calls into a no-execute page trapped", 10, 0
ran_on:
	db "selfmap: RAN WITH A MAPPING OUTSIDE ITS MEMORY", 10, 0
