; vp_entry.asm - into ring 3 to run a VP, and back.
;
; vp_enter(struct vp_state *vp, struct tss *tss) saves the callee-saved
; registers and the stack pointer (vp->kernel_rsp), points the TSS's rsp0 just
; below them - so an interrupt or exception in the guest pushes its frame
; there, not over live kernel frames - switches to the VP's page tables,
; loads the guest's registers and "returns" to ring 3 with iretq (SDM vol.
; 3A 6.14.3: iret to an outer privilege level pops RIP, CS, RFLAGS, RSP, SS).
;
; The guest leaves only through an interrupt or exception. The sidecar's
; trap handler (kernel/vp.c) saves the guest registers from the trap frame,
; records the exit, restores the kernel's page tables and calls
; vp_leave(vp->kernel_rsp), which unwinds to vp_enter's frame and returns to
; vp_enter's caller as if vp_enter had returned.

bits 64
section .text

%define VP_RIP          16*8
%define VP_RFLAGS       17*8
%define VP_KERNEL_RSP   488             ; offsetof(struct vp_state, kernel_rsp): kernel/vp.c checks
%define VP_SHADOW_CR3   496
%define USER_CODE       0x28 | 3
%define USER_DATA       0x20 | 3

global vp_enter, vp_leave

vp_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rdi + VP_KERNEL_RSP], rsp
	mov rax, rsp
	and rax, -16
	mov [rsi + 4], rax              ; TSS.rsp0 (offset 4): below our frame
	mov rax, [rdi + VP_SHADOW_CR3]
	mov cr3, rax                    ; the VP's address space (ours stays in PML4[0])
	push USER_DATA                  ; SS
	push qword [rdi + 4*8]          ; RSP
	push qword [rdi + VP_RFLAGS]    ; RFLAGS (IF set: interrupts reach us)
	push USER_CODE                  ; CS
	push qword [rdi + VP_RIP]       ; RIP
	mov rax, [rdi + 0*8]
	mov rcx, [rdi + 1*8]
	mov rdx, [rdi + 2*8]
	mov rbx, [rdi + 3*8]
	mov rbp, [rdi + 5*8]
	mov rsi, [rdi + 6*8]
	mov r8,  [rdi + 8*8]
	mov r9,  [rdi + 9*8]
	mov r10, [rdi + 10*8]
	mov r11, [rdi + 11*8]
	mov r12, [rdi + 12*8]
	mov r13, [rdi + 13*8]
	mov r14, [rdi + 14*8]
	mov r15, [rdi + 15*8]
	mov rdi, [rdi + 7*8]
	swapgs                          ; the guest's GS base; ours waits in KERNEL_GS_BASE
	iretq

vp_leave:
	mov rsp, rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
