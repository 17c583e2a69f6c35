; start.asm - where a C guest begins (linux-stub/guests/rt/guest.h).
;
; The VMM starts a fresh VP at the entry (GVA 0x8000004000, the first byte of
; the image: rt/guest.ld puts .text.start there) with rsp at the top of its
; stack, 16-byte aligned, as the System V ABI wants before a call. main()'s
; return value goes to the VMM in a GUEST_CALL_RESULT hypercall; then the
; guest halts, which ends the run.

bits 64
default rel

%define GUEST_CALL_RESULT 0x100

extern main
global _start

section .text.start progbits alloc exec nowrite align=16
_start:
	xor ebp, ebp                ; the end of the frame-pointer chain
	call main
	mov edi, eax                ; main's int: the result, 0 for success
	mov eax, GUEST_CALL_RESULT
	vmcall                      ; a HYPERCALL exit
	hlt                         ; a HLT exit: the run is over
	jmp $                       ; never reached: the VMM ends the run at hlt
