; fpu.asm - a guest that tries to use the x87 floating-point unit.
;
; Sidecar CPUs run with CR0.EM set (kernel/gdt.c): a guest gets no FPU, so
; that no floating-point state - which the sidecar never saves - can pass
; from one VP to the next. fninit therefore raises #NM (device not
; available, SDM vol. 3A 6.15), an exception exit. r15 points past it, so
; the VMM resumes the guest (see escape.asm), which says so and halts.

bits 64
org 0x8000004000

%define SERIAL 0x3f8

start:
	lea r15, [rel after]
	fninit                      ; #NM: an exception exit, then resume at r15
after:
	lea rsi, [rel message]
	mov dx, SERIAL
.next:
	lodsb
	test al, al
	jz .done
	out dx, al                  ; an I/O exit per byte
	jmp .next
.done:
	hlt

message:
	db "fpu: no floating point here, as it should be", 10, 0
