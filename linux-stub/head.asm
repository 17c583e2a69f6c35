; head.asm - linux-stub's entry points, at the start of its protected-mode code.
;
; boot.rst: a kernel with XLF_KERNEL_64 has its 64-bit entry 0x200 bytes
; after the start of the protected-mode code; the 32-bit entry is at the
; start. The shim uses the 64-bit one: long mode, paging on with everything
; we need identity mapped, interrupts off, %rsi = struct boot_params.

section .head.text progbits alloc exec nowrite align=16

bits 32
global startup_32
startup_32:                         ; 32-bit protocol: not supported
	cli
	hlt
	jmp startup_32

	times 0x200 - ($ - $$) db 0xcc

bits 64
global startup_64
extern stub_main
extern bss_start, bss_end
startup_64:
	cli
	mov r12, rsi                    ; the zero page, kept across the setup below
	lea rsp, [rel stack_top]
	; Zero .bss: the loader copied only the file, and C expects zeros.
	lea rdi, [rel bss_start]
	lea rcx, [rel bss_end]
	sub rcx, rdi
	xor eax, eax
	cld
	rep stosb
	; Our own GDT: the same layout as the loader's (__BOOT_CS 0x10, DS 0x18),
	; but in our memory, so the loader's memory may be reused.
	lgdt [rel gdt_ptr]
	mov ax, 0x18
	mov ds, ax
	mov es, ax
	mov ss, ax
	push 0x10                       ; reload CS with a far return
	lea rax, [rel .reloaded]
	push rax
	retfq
.reloaded:
	xor ebp, ebp                    ; the end of the backtrace chain
	mov rdi, r12
	call stub_main
.hang:
	cli
	hlt
	jmp .hang

section .data
align 16
gdt:
	dq 0
	dq 0
	dq 0x00af9a000000ffff           ; 0x10: 64-bit code, ring 0
	dq 0x00cf92000000ffff           ; 0x18: data, ring 0
gdt_end:
global gdt_ptr
gdt_ptr:
	dw gdt_end - gdt - 1
	dq gdt

section .bss
align 4096
stack:
	resb 16384
stack_top:
