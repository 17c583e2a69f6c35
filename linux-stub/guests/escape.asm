; escape.asm - a guest that tries to take the machine, and fails each time.
;
; A VP runs in ring 3 with IOPL 0 (book/design.md), so each of these
; must become an exit to the VMM instead of doing harm:
;   1. cli               - CPL > IOPL: #GP (SDM vol. 2A, CLI)
;   2. a write to GVA 0x200000, where the sidecar's own image lives: the
;      first 512 GiB belong to the sidecar and hold no user pages: #PF
;   3. wrmsr             - privileged: #GP in ring 3 (SDM vol. 2D, WRMSR)
;   4. popf clearing IF  - no fault: with CPL > IOPL, POPF leaves IF alone
;      (SDM vol. 2B, POPF); the guest checks and reports what it sees -
;      then hlt, which is privileged: a HLT exit ends the run.
;
; The VMM's recovery convention: after an EXCEPTION or MMIO exit, if r15 is
; not zero the VMM resumes the guest at r15 (and clears r15). So before each
; risky instruction the guest puts in r15 the address of a label that counts
; the trap in rbx; an instruction that did not trap falls through past it.

bits 64
default rel
org 0x8000004000

COM1 equ 0x3f8
IF_FLAG equ 0x200

start:
	xor ebx, ebx                ; attempts that trapped
	lea r15, [.cli_trapped]
	cli
	jmp .write                  ; reached only if cli did not trap
.cli_trapped:
	inc ebx
.write:
	lea r15, [.write_trapped]
	mov byte [abs 0x200000], 0xcc ; into the sidecar's image
	jmp .wrmsr
.write_trapped:
	inc ebx
.wrmsr:
	lea r15, [.wrmsr_trapped]
	mov ecx, 0x1b               ; IA32_APIC_BASE: 0 would disable the APIC
	xor eax, eax
	xor edx, edx
	wrmsr
	jmp .popf
.wrmsr_trapped:
	inc ebx
.popf:
	xor r15d, r15d              ; nothing below should fault
	pushfq
	and qword [rsp], ~IF_FLAG
	popfq                       ; silently keeps IF = 1 in ring 3
	lea rsi, [trapped]
	lea eax, [rbx + '0']
	mov [rsi + trapped_digit - trapped], al
	call print
	pushfq
	pop rax
	lea rsi, [if_set]
	test eax, IF_FLAG
	jnz .report
	lea rsi, [if_clear]
.report:
	call print
.halt:
	hlt                         ; privileged: a HLT exit, not a halted CPU
	jmp .halt

; Print the NUL-terminated string at rsi on COM1, a byte at a time.
print:
	mov dx, COM1
.next:
	lodsb
	test al, al
	jz .done
	out dx, al                  ; an IO exit per byte
	jmp .next
.done:
	ret

trapped:
	db "escape: "
trapped_digit:
	db "? of 3 attempts trapped", 10, 0
if_set:
	db "escape: IF still set after popf", 10, 0
if_clear:
	db "escape: IF CLEARED by popf", 10, 0
