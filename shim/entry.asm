; entry.asm - where GRUB jumps: from 32-bit protected mode into long mode.
;
; Multiboot2 spec 3.3 "I386 machine state": GRUB enters here in 32-bit protected
; mode with paging off, interrupts off, EAX = 0x36d76289 and EBX = the
; physical address of the boot information. To run C compiled for x86-64 we
; must enter long mode (SDM vol. 3A 9.8.5 "Initializing IA-32e Mode"):
;   1. build page tables (here: the first 4 GiB identity mapped, 2 MiB pages),
;   2. set CR4.PAE, load CR3,
;   3. set EFER.LME (MSR 0xc0000080 bit 8),
;   4. set CR0.PG - the CPU is now in compatibility mode,
;   5. far-jump to a 64-bit code segment.

%define MB2_MAGIC        0xe85250d6
%define MB2_ARCH_I386    0
%define MB2_LOADER_MAGIC 0x36d76289

section .multiboot2 progbits alloc noexec nowrite align=8
; Multiboot2 spec 3.1.1: magic, architecture, header length, checksum; then tags.
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; 3.1.11 module alignment tag: load modules on page boundaries.
	align 8
	dw 6, 0
	dd 8
	; 3.1.3: the end tag.
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .bss
align 4096
pml4:	resb 4096
pdpt:	resb 4096
pd:	resb 4096 * 4               ; four page directories: 4 x 1 GiB
boot_stack:
	resb 16384
boot_stack_top:

section .data
align 16
; The GDT the Linux boot protocol asks for at the 64-bit hand-off
; (boot.rst, "64-bit Boot Protocol"): __BOOT_CS = 0x10, __BOOT_DS = 0x18.
global gdt64
gdt64:
	dq 0                        ; 0x00 null
	dq 0                        ; 0x08 unused
	dq 0x00af9a000000ffff       ; 0x10 code: present, ring 0, L=1 (64-bit)
	dq 0x00cf92000000ffff       ; 0x18 data: present, ring 0, writable
gdt64_end:
global gdt64_ptr
gdt64_ptr:
	dw gdt64_end - gdt64 - 1
	dq gdt64

mb2_magic: dd 0
mb2_info:  dd 0

section .text
bits 32
global start32
start32:
	cli
	mov esp, boot_stack_top
	mov [mb2_magic], eax
	mov [mb2_info], ebx

	; A CPU without long mode cannot run us: CPUID 0x80000001 EDX bit 29 (LM).
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode

	; 1. Identity map 0-4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> PD[0..3],
	;    each PD entry a 2 MiB page (bit 7 PS) present (bit 0) and writable (bit 1).
	mov eax, pdpt
	or eax, 0x3
	mov [pml4], eax
	mov ecx, 0
.fill_pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, pd
	or eax, 0x3
	mov [pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jne .fill_pdpt
	mov ecx, 0
.fill_pd:
	mov eax, ecx
	shl eax, 21                 ; entry n maps n * 2 MiB (low 32 bits)
	or eax, 0x83                ; present, writable, page size
	mov [pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11                 ; the high bits of n * 2 MiB
	mov [pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 512 * 4
	jne .fill_pd

	; 2. PAE on, CR3 = PML4.
	mov eax, cr4
	or eax, 1 << 5
	mov cr4, eax
	mov eax, pml4
	mov cr3, eax
	; 3. EFER.LME.
	mov ecx, 0xc0000080
	rdmsr
	or eax, 1 << 8
	wrmsr
	; 4. Paging on (CR0.PG, bit 31); protection (bit 0) is already on.
	mov eax, cr0
	or eax, 1 << 31
	mov cr0, eax
	; 5. Load the GDT and jump to 64-bit code.
	lgdt [gdt64_ptr]
	jmp 0x10:start64

.no_long_mode:
	mov esi, no_long_mode_msg
.print:
	lodsb
	test al, al
	jz .halt
	mov dx, 0x3f8
	out dx, al
	jmp .print
.halt:
	mov dx, 0xf4                ; isa-debug-exit, if present: fail
	mov eax, 0x11
	out dx, eax
	hlt
	jmp .halt

no_long_mode_msg: db "shim: this CPU has no long mode (CPUID 0x80000001 EDX.LM)", 13, 10, 0

bits 64
extern shim_main
start64:
	mov ax, 0x18                ; data segments: the flat data descriptor
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	xor rbp, rbp                ; the end of the backtrace chain
	mov edi, [mb2_magic]
	mov esi, [mb2_info]
	call shim_main
.hang:
	cli
	hlt
	jmp .hang

; boot_linux64(entry, boot_params): the last thing the shim does.
; Boot protocol, 64-bit: interrupts off, CS = __BOOT_CS, DS/ES/SS = __BOOT_DS,
; RSI = the zero page, and the kernel, zero page and command line identity
; mapped. Our GDT and page tables already are what the protocol asks.
global boot_linux64
boot_linux64:
	cli
	mov rax, rdi
	xor ebp, ebp
	xor edi, edi
	jmp rax
