; Lab 1 - the AP trampoline: real mode to long mode, for many CPUs at once.
;
; Runs in a starting AP, from real mode to long mode, interrupts off (the
; sidecar kernel's and linux-stub's APs alike).
;
; A started AP begins in real mode at CS:IP = (vector << 8):0000, that is at
; the start of the page whose number the Startup IPI carried (SDM vol. 3A
; 8.4.4.2 / 9.4.4.2, "Typical AP Initialization Sequence"). This file is
; assembled as a flat binary (org 0) and copied by kernel/start.c to that page,
; so every address here is an offset into the page.
;
; Several APs run this code at the same time (fan-out starts them in
; parallel), so it must be re-entrant: it writes no memory and uses no stack
; until each AP has found its own. It goes
;   16-bit real mode -> 32-bit protected mode -> 64-bit long mode
; and then looks its own APIC ID up in the table the BSP filled (slots) to
; find its stack and its struct percpu, and jumps to ap_main(percpu).
;
; Its APIC ID: in x2APIC mode an ID has 32 bits, and only CPUID leaf 0BH
; (EDX) gives all of them; CPUID.01H:EBX[31:24] (and the xAPIC ID register)
; hold 8. Use leaf 0BH where it exists. When flags bit 0 is set the image
; runs its APICs in x2APIC mode (the BSP already does): the AP switches to it
; too before anything else touches its APIC (SDM vol. 3A 10.12.1: set
; IA32_APIC_BASE.EXTD with EN set).
;
; The data block (the first 96 bytes) is include/trampoline.h's struct
; trampoline_data: keep the offsets. Fields marked "relocated" hold offsets
; in this page; the BSP adds the page's address.
;
; Implement: the code after the data block (start16, start32, start64).
; Tests: every lab 1 boot test (tests/lab_tests.py).

bits 16
org 0

	jmp short start16               ; 0
	align 4, db 0
magic:          dd 0x504d5254           ; 4: "TRMP"
gdt_ptr:        dw gdt_end - gdt - 1    ; 8: lgdt operand
                dd gdt                  ; relocated
                dw 0
pm32_ptr:       dd start32              ; 16: far pointer, relocated
                dw 0x08
                dw 0
lm64_ptr:       dd start64              ; 24: far pointer, relocated
                dw 0x10
                dw 0
cr3_value:      dd 0                    ; 32
slot_count:     dd 0                    ; 36
slots:          dq 0                    ; 40: struct ap_slot { u32 apic_id, pad; u64 stack_top, percpu; }
entry:          dq 0                    ; 48: ap_main
flags:          dd 0                    ; 56: bit 0: switch to x2APIC mode
                dd 0                    ; 60
gdt:                                    ; 64
	dq 0                            ; null
	dq 0x00cf9a000000ffff           ; 0x08: 32-bit code, flat 4 GiB
	dq 0x00af9a000000ffff           ; 0x10: 64-bit code (L=1)
	dq 0x00cf92000000ffff           ; 0x18: data, flat 4 GiB
gdt_end:

%define SLOT_SIZE 24
%define FLAG_X2APIC 1
%define IA32_APIC_BASE 0x1b
%define APIC_BASE_EXTD (1 << 10)
%define APIC_BASE_EN (1 << 11)

start16:
	; BEGIN LAB 1: real mode -> protected mode
	cli
	cld
	mov ax, cs                      ; CS = the SIPI vector << 8: this page
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4                      ; ebx = the page's linear address, kept to the end
	lgdt [gdt_ptr]
	mov eax, cr0
	or eax, 1                       ; CR0.PE: protected mode
	mov cr0, eax
	jmp dword far [pm32_ptr]        ; load CS = 0x08 (32-bit code)
	;> cli
	;> hlt                          ; nothing here yet: the AP stops
	;> jmp start16
	; END LAB 1

bits 32
start32:
	; BEGIN LAB 1: protected mode -> long mode (SDM vol. 3A 9.8.5)
	mov ax, 0x18
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, 1 << 5                  ; CR4.PAE
	mov cr4, eax
	mov eax, [ebx + cr3_value]      ; the sidecar's page tables
	mov cr3, eax
	mov ecx, 0xc0000080             ; IA32_EFER
	rdmsr
	or eax, 1 << 8                  ; EFER.LME
	wrmsr
	mov eax, cr0
	or eax, 1 << 31                 ; CR0.PG: paging on, long mode active
	mov cr0, eax
	jmp far [ebx + lm64_ptr]        ; load CS = 0x10 (64-bit code)
	;> hlt
	; END LAB 1

bits 64
start64:
	; BEGIN LAB 1: find this CPU's slot by APIC ID, take its stack, call ap_main
	mov esi, ebx                    ; the page (zero-extended: upper halves are undefined)
	mov ax, 0x18
	mov ds, ax
	mov es, ax
	mov ss, ax
	test dword [rsi + flags], FLAG_X2APIC
	jz .apic_id
	mov ecx, IA32_APIC_BASE
	rdmsr
	or eax, APIC_BASE_EXTD | APIC_BASE_EN ; xAPIC -> x2APIC (SDM vol. 3A 10.12.1)
	wrmsr
.apic_id:
	xor eax, eax
	cpuid                           ; EAX = the highest basic leaf
	cmp eax, 0x0b
	jb .xapic_id
	mov eax, 0x0b
	xor ecx, ecx
	cpuid                           ; CPUID.0BH:EDX = the 32-bit x2APIC ID
	test ebx, ebx                   ; EBX = 0: leaf 0BH not implemented
	jz .xapic_id
	mov ebx, edx
	jmp .lookup
.xapic_id:
	mov eax, 1
	cpuid                           ; CPUID.01H:EBX[31:24] = initial APIC ID
	shr ebx, 24
.lookup:
	mov rcx, [rsi + slots]
	mov edx, [rsi + slot_count]
.find:
	test edx, edx
	jz .not_found
	cmp [rcx], ebx
	je .found
	add rcx, SLOT_SIZE
	dec edx
	jmp .find
.found:
	mov rsp, [rcx + 8]              ; this CPU's own stack
	mov rdi, [rcx + 16]             ; ap_main(struct percpu *)
	xor ebp, ebp                    ; end of the backtrace chain
	push rbp                        ; a fake return address keeps the ABI's alignment
	jmp [rsi + entry]
.not_found:                             ; not ours to run: stop quietly
	cli
	hlt
	jmp .not_found
	;> hlt
	; END LAB 1
