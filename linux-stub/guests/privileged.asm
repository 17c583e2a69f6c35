; privileged.asm - a guest that tries the privileged instructions, one by one.
;
; A VP runs in ring 3 with IOPL 0 (book/design.md). Each instruction
; below is reserved for ring 0, or needs something the sidecar leaves off
; (EFER.SCE for syscall, CR4.PCE for rdpmc, CR4.OSXSAVE for xsetbv), so each
; must fault into the sidecar and come back to the VMM as an exception exit
; (#GP or #UD) instead of doing what it says. The VMM resumes the guest
; after each (trap.inc); at the end it prints "privileged: N of M
; trapped" and halts. hlt itself is the last one: an exit that ends the run.
;
; in/out are not refused but intercepted: the last two writes go to QEMU's
; isa-debug-exit port (which would end QEMU) and to the keyboard
; controller's reset command, and reach only the VMM, as IO exits. (That
; an iretq cannot raise IOPL or clear IF in ring 3 is escape.asm's popf
; test in another form; QEMU's TCG with SMAP faults on any ring-3 iretq.)

bits 64
default rel
org 0x8000004000

start:
	jmp main

%include "trap.inc"

descriptor:
	dw 0xffff
	dq 0
kernel_code:
	dd 0                        ; offset
	dw 0x10                     ; the sidecar's 64-bit code selector

main:
	xor ebx, ebx
	TRY
		cli                 ; CPL > IOPL: #GP(0) (SDM vol. 2A, CLI)
	CATCH
	TRY
		sti
	CATCH
	TRY
		lgdt [descriptor]   ; CPL > 0: #GP(0)
	CATCH
	TRY
		lidt [descriptor]
	CATCH
	TRY
		xor eax, eax
		lldt ax
	CATCH
	TRY
		mov ax, 0x30        ; the TSS's selector
		ltr ax
	CATCH
	TRY
		mov rax, cr0        ; MOV from CR: CPL > 0: #GP(0)
	CATCH
	TRY
		mov rax, cr2
	CATCH
	TRY
		mov rax, cr3
	CATCH
	TRY
		mov rax, cr4
	CATCH
	TRY
		mov rax, cr8
	CATCH
	TRY
		xor eax, eax        ; paging off
		mov cr0, rax
	CATCH
	TRY
		lea rax, [start]    ; its own code as page tables
		mov cr3, rax
	CATCH
	TRY
		xor eax, eax        ; SMEP and SMAP off
		mov cr4, rax
	CATCH
	TRY
		mov rax, dr0        ; MOV from DR: CPL > 0: #GP(0)
	CATCH
	TRY
		mov rax, dr7
	CATCH
	TRY
		lea rax, [start]    ; a breakpoint on the sidecar's own code
		mov dr0, rax
	CATCH
	TRY
		mov ecx, 0x1b       ; IA32_APIC_BASE
		rdmsr
	CATCH
	TRY
		mov ecx, 0xc0000080 ; EFER: long mode off
		xor eax, eax
		xor edx, edx
		wrmsr
	CATCH
	TRY
		mov ecx, 0xc0000102 ; KERNEL_GS_BASE: where the sidecar keeps its percpu
		rdmsr
	CATCH
	TRY
		invlpg [start]
	CATCH
	TRY
		invd
	CATCH
	TRY
		wbinvd
	CATCH
	TRY
		clts
	CATCH
	TRY
		xor eax, eax
		lmsw ax
	CATCH
	TRY
		swapgs              ; CPL != 0: #GP(0)
	CATCH
	TRY
		syscall             ; EFER.SCE = 0: #UD
	CATCH
	TRY
		o64 sysret          ; #UD (SCE = 0) or #GP (CPL != 0)
	CATCH
	TRY
		sysenter            ; IA32_SYSENTER_CS = 0: #GP(0)
	CATCH
	TRY
		o64 sysexit         ; CPL != 0: #GP(0)
	CATCH
	TRY
		xor ecx, ecx
		rdpmc               ; CR4.PCE = 0: #GP(0)
	CATCH
	TRY
		xor ecx, ecx
		xor eax, eax
		xor edx, edx
		xsetbv              ; CR4.OSXSAVE = 0: #UD
	CATCH
	TRY
		lea rax, [start]
		xor ecx, ecx
		xor edx, edx
		monitor             ; ring 3: #UD
	CATCH
	TRY
		xor eax, eax
		xor ecx, ecx
		mwait
	CATCH
	TRY
		mov ax, 0x18        ; the sidecar's data segment (DPL 0): #GP
		mov ds, ax
	CATCH
	TRY
		mov ax, 0x18
		mov ss, ax
	CATCH
	TRY
		mov ax, 0x30        ; a system descriptor (the TSS): #GP
		mov es, ax
	CATCH
	TRY
		jmp far [kernel_code] ; into the sidecar's code segment: #GP
	CATCH
	TRY
		call far [kernel_code]
	CATCH
	TRY
		push qword 0x18     ; iretq to ring 0: SS, RSP, RFLAGS, CS, RIP
		push qword 0
		push qword 0x202
		push qword 0x10
		lea rax, [start]
		push rax
		iretq               ; return CS RPL 0 < CPL 3: #GP (under QEMU's TCG
	CATCH                       ; with SMAP, a #PF on the pops: a quirk, trapped all the same)
	mov dx, 0xf4                ; isa-debug-exit: an IO exit, QEMU goes on
	mov eax, 0x31
	out dx, eax
	mov al, 0xfe                ; pulse the reset line: an IO exit, no reset
	out 0x64, al
	REPORT "privileged"
