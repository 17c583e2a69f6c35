; hypercall.asm - a guest that calls its hypervisor.
;
; `vmcall` is the hypercall instruction. Outside VMX operation it raises
; #UD (SDM vol. 3C, VMCALL), which the sidecar decodes as a HYPERCALL exit:
; rax is the call number. The VMM answers (linux-stub/vmm.c answers 0), and
; the next RUN_VP steps over the vmcall with the answer in rax, as a real
; hypervisor would. The guest checks that the answer arrived.

bits 64
default rel
org 0x8000004000

COM1 equ 0x3f8

start:
	mov eax, 1                  ; call 1; the answer (0) must replace it
	mov edi, 42
	vmcall                      ; a HYPERCALL exit
	lea rsi, [answered]
	test rax, rax
	jz .report
	lea rsi, [unanswered]
.report:
	mov dx, COM1
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	hlt
	jmp .done

answered:
	db "hypercall: rax is 0 after vmcall: the VMM's answer", 10, 0
unanswered:
	db "hypercall: rax is NOT the VMM's answer", 10, 0
