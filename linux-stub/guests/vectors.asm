; vectors.asm - a guest that raises every exception it can, then int N for
; every N.
;
; Each must reach the VMM as an exit (the VMM resumes the guest after it,
; trap.inc), and none may reach the sidecar's own handlers as anything but
; a guest's exit. What ring 3 can raise (SDM vol. 3A 6.15):
;   #DE div by 0; #DB int1 (icebp; QEMU's TCG makes it #UD) and a single
;       step (RFLAGS.TF, set by one popf and cleared by the next, which
;       still traps: TF was set when it began, SDM vol. 3A 18.3.1.4);
;   #BP int3 and #OF into and #BR bound: int3 is a software interrupt whose
;       gate has DPL 0, so it is #GP; into and bound do not exist in 64-bit
;       mode: #UD;
;   #UD ud2; #NM none: the FPU is the guest's (kernel/fpu.c: CR0.EM and
;       CR0.TS clear), so no instruction raises it;
;   #MF an x87 0/0 with the invalid-operation exception unmasked in FCW,
;       raised at the next waiting x87 instruction (CR0.NE set);
;   #XM an SSE 0/0 with the invalid-operation exception unmasked in MXCSR
;       (CR4.OSXMMEXCPT set) - on hardware; QEMU's TCG raises no SSE
;       exceptions, so that one is tried but not counted, like #AC;
;   #SS a push through a non-canonical rsp (#GP(0) under QEMU's TCG);
;   #GP a non-canonical address;
;   #PF an unmapped page (an MMIO exit); #AC a misaligned load with
;       RFLAGS.AC set (the sidecar sets CR0.AM) - on hardware; QEMU's TCG
;       does not check alignment, so that one is tried but not counted.
; Then `int N` for N = 0..255: every gate has DPL 0, so each is #GP with
; error code naming IDT entry N (N*8+2 on hardware; QEMU's TCG says
; N*16+2), not a call into the sidecar - the request vector 0xf0 and the
; spurious vector 0xff included.

bits 64
default rel
org 0x8000004000

start:
	jmp main

%include "trap.inc"

main:
	xor ebx, ebx
	TRY
		xor ecx, ecx
		div ecx             ; #DE
	CATCH
	TRY
		int1                ; #DB (icebp: no DPL check)
	CATCH
	TRY
		pushfq              ; RFLAGS without TF, for the second popfq
		pushfq
		or qword [rsp], 0x100 ; TF: #DB after the next instruction...
		popfq
		popfq               ; ...this one, which clears TF again: the
	CATCH                       ; sidecar keeps the guest's TF at entry, so
				    ; a TF left set would trap once more
	TRY
		int3                ; #GP: the #BP gate has DPL 0
	CATCH
	TRY
		db 0xce             ; into: #UD in 64-bit mode
	CATCH
	TRY
		db 0x62, 0x00       ; bound: #UD in 64-bit mode
	CATCH
	TRY
		ud2                 ; #UD
	CATCH
	TRY
		fninit
		fldcw [fcw_unmasked]
		fldz
		fldz
		fdivp               ; 0/0: invalid operation, pending
		fwait               ; #MF
	CATCH
	fninit                      ; clears the pending exception, masks them all
	; #XM: not counted either, since QEMU's TCG raises no SSE exceptions
	; (it sets MXCSR's flag and goes on; hardware raises #XM here).
	lea r15, [.after_xm]
	ldmxcsr [mxcsr_unmasked]
	xorps xmm0, xmm0
	divps xmm0, xmm0            ; 0/0: #XM
.after_xm:
	ldmxcsr [mxcsr_reset]
	TRY
		mov rsp, 0x8000000000000000
		push rax            ; #SS(0)
	CATCH
	TRY
		mov rax, 0x8000000000000000
		mov [rax], al       ; #GP(0)
	CATCH
	TRY
		mov rax, 0x9000000000
		mov [rax], al       ; #PF: an MMIO exit
	CATCH
	; #AC: not counted, since QEMU's TCG does not emulate alignment checks
	; (hardware raises #AC(0) here: an exception exit, resumed at r15).
	lea r15, [.after_ac]
	mov r14, rsp
	pushfq
	or qword [rsp], 0x40000     ; AC
	popfq
	sub rsp, 16
	mov eax, [rsp + 1]          ; misaligned
.after_ac:
	mov rsp, r14
	pushfq
	and qword [rsp], ~0x40000
	popfq
%assign n 0
%rep 256
	TRY
		int n               ; #GP(n*8+2)
	CATCH
%assign n n + 1
%endrep
	REPORT "vectors"

fcw_unmasked:	dw 0x037e           ; FNINIT's, with IM (bit 0) clear
mxcsr_unmasked:	dd 0x1f00           ; the reset value, with IM (bit 7) clear
mxcsr_reset:	dd 0x1f80
