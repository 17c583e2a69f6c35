; flags.asm - a guest that sets AC and TF itself, and checks that the sidecar
; keeps them.
;
; RFLAGS.AC and RFLAGS.TF are the guest's own: popf in ring 3 may set both
; (SDM vol. 2B, POPF). The sidecar must neither clear them behind the
; guest's back at the next entry nor let them reach its own code
; (kernel/vp_regs.c):
;   1. AC: set it, take an IO exit, and look again: still set, the guest
;      prints "AC kept across an exit" (it clears AC itself afterwards).
;   2. TF: set it; the instruction after popf is an out, which faults
;      (an IO exit) before the single-step trap could come. The sidecar
;      enters the guest again with TF still set, so the next instruction,
;      the nop, ends in a #DB exit (SDM vol. 3A 18.3.1.4, "Single-Step
;      Exception Condition"): the run ends there, with the exception. A
;      sidecar that cleared TF would let the guest print "TF lost" and halt.

bits 64
default rel
org 0x8000004000

COM1 equ 0x3f8
TF equ 1 << 8
AC equ 1 << 18

start:
	xor r15d, r15d              ; no recovery (linux-stub/guests/escape.asm)
	pushfq
	or dword [rsp], AC
	popfq                       ; AC on, in ring 3
	mov al, 'A'
	out 0x80, al                ; an IO exit; RUN_VP brings us back
	pushfq
	pop rax
	lea rsi, [ac_kept]
	test eax, AC
	jnz .report_ac
	lea rsi, [ac_lost]
.report_ac:
	pushfq
	and dword [rsp], ~AC
	popfq                       ; AC off again: nothing below depends on it
	call print

	pushfq
	or dword [rsp], TF
	popfq                       ; TF on: a trap after the next instruction...
	out 0x80, al                ; ...which faults first: an IO exit
	nop                         ; with TF kept, #DB right after this
	lea rsi, [tf_lost]          ; reached only if TF was cleared
	call print
.halt:
	hlt
	jmp .halt

; Print the NUL-terminated string at rsi on COM1 (one IO exit per byte).
print:
	mov dx, COM1
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	ret

ac_kept:
	db "flags: AC kept across an exit", 10, 0
ac_lost:
	db "flags: AC lost across an exit", 10, 0
tf_lost:
	db "flags: TF lost across an exit", 10, 0
