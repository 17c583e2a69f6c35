; trap_entry.asm - the first instructions run on an exception.
;
; The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30 (SDM
; vol. 3A 6.15) and nothing for the others; the stubs push a 0 for those so
; that every frame has the same shape, then the vector number, then jump to
; the common code that saves the general registers and calls C.
;
; Coming from ring 3 (a VP, from lab 4 on) the GS base is the guest's: swapgs
; exchanges it with the kernel's (IA32_KERNEL_GS_BASE, SDM vol. 2B SWAPGS)
; on the way in, and back on the way out. The saved CS says where we came from.

bits 64
section .text

extern trap_handler
global trap_stubs, trap_common

%macro stub 1
align 16
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
	push qword %1           ; the CPU already pushed an error code
%else
	push qword 0            ; no error code: push a placeholder
	push qword %1
%endif
	jmp trap_common
%endmacro

align 16
trap_stubs:
%assign v 0
%rep 32
	stub v
%assign v v + 1
%endrep

trap_common:
	; the frame so far: ss rsp rflags cs rip error vector
	test qword [rsp + 3*8], 3       ; the CS the CPU pushed: ring 3?
	jz .from_kernel
	swapgs
	push qword 2                    ; RFLAGS with only the always-1 bit: clears
	popfq                           ; the AC a guest may have set, which would
					; switch SMAP off for us (SDM vol. 3A 4.6)
.from_kernel:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld                     ; the C ABI expects the direction flag clear
	mov rdi, rsp            ; struct trap_frame *
	call trap_handler
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16             ; vector and error code
	test qword [rsp + 8], 3         ; returning to ring 3?
	jz .to_kernel
	swapgs
.to_kernel:
	iretq
