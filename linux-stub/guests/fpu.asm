; fpu.asm - a guest whose FPU/SSE state must survive its exits.
;
; The VP's x87/SSE registers are part of it (kernel/fpu.c): the VMM sets
; them with the rest when it starts a fresh VP (FCW 0x37f, MXCSR 0x1f80,
; XMM0-15 zero: lib/portable/vmm_core.c, vmm_reset_registers), RUN_VP loads
; them just before entering the guest and saves them at each exit. This
; guest checks both halves:
;   1. it starts with exactly what the VMM set - had the sidecar not loaded
;      the VMM's values, a second run would find the first run's leftovers;
;   2. it fills XMM0-15 with a pattern, sets MXCSR and FCW to values of its
;      own, then makes 60 exits (each one a trip through the sidecar and the
;      VMM, on two CPUs) and checks that every register still holds them.
; It ends with its values in place, so `regs <cpu>` (GET_VP_REGISTERS)
; afterwards shows them: xmm0 0x201f1e1d1c1b1a191817161514131211.

bits 64
default rel
org 0x8000004000

%define MXCSR_MINE 0x7f80       ; every exception masked, rounding toward zero
%define FCW_MINE 0x027f         ; 53-bit precision

start:
	; 1. a fresh VP
	xor ebx, ebx                ; rbx: the number of wrong things
	stmxcsr [mxcsr]
	cmp dword [mxcsr], 0x1f80
	setne bl
	fnstcw [fcw]
	cmp word [fcw], 0x037f
	setne al
	add bl, al
%assign n 0
%rep 16
	movdqu [saved + 16*n], xmm %+ n
%assign n n + 1
%endrep
	lea rsi, [saved]
	mov ecx, 256 / 8
.zero:
	lodsq
	test rax, rax
	setnz al
	add bl, al
	loop .zero
	lea rsi, [fresh]
	test ebx, ebx
	jz .say_fresh
	lea rsi, [not_fresh]
.say_fresh:
	call print

	; 2. our own state, then exits
%assign n 0
%rep 16
	movdqu xmm %+ n, [pattern + 16*n]
%assign n n + 1
%endrep
	ldmxcsr [mxcsr_mine]
	fldcw [fcw_mine]
	mov r12d, 30
.exits:
	lea rsi, [dot]              ; two IO exits a round: ". "
	call print
	dec r12d
	jnz .exits
	lea rsi, [newline]
	call print

	xor ebx, ebx
%assign n 0
%rep 16
	movdqu [saved + 16*n], xmm %+ n
%assign n n + 1
%endrep
	lea rsi, [saved]
	lea rdi, [pattern]
	mov ecx, 256
	repe cmpsb                  ; leaves ZF set if all 256 bytes matched
	setne bl
	stmxcsr [mxcsr]
	cmp dword [mxcsr], MXCSR_MINE
	setne al
	add bl, al
	fnstcw [fcw]
	cmp word [fcw], FCW_MINE
	setne al
	add bl, al
	lea rsi, [kept]
	test ebx, ebx
	jz .say_kept
	lea rsi, [lost]
.say_kept:
	call print
	hlt
	jmp $

; print: the NUL-terminated string at rsi on COM1 (an IO exit a byte).
print:
	mov dx, 0x3f8
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	ret

fresh:		db "fpu: a fresh VP: MXCSR 0x1f80, FCW 0x37f, XMM0-15 zero, as the VMM set them", 10, 0
not_fresh:	db "fpu: NOT the state the VMM set", 10, 0
dot:		db ". ", 0
newline:	db 10, 0
kept:		db "fpu: XMM0-15, MXCSR and FCW kept across 60 exits", 10, 0
lost:		db "fpu: state LOST across exits", 10, 0
mxcsr_mine:	dd MXCSR_MINE
fcw_mine:	dw FCW_MINE
mxcsr:		dd 0
fcw:		dw 0
	align 16
pattern:			; XMMn byte k: 16n + k + 0x11
%assign i 0
%rep 256
	db (i + 0x11) & 0xff
%assign i i + 1
%endrep
saved:		times 256 db 0
