; ports.asm - a guest that talks to ports with no device behind them.
;
; Every in/out is an IO exit (ring 3, IOPL 0, no I/O bitmap). The VMM
; prints writes to ports other than the console's, and answers every "in"
; with all ones, as a PC bus does where no device decodes the port. The
; next RUN_VP puts the answer in al, ax or eax the way the instruction
; would (SDM vol. 2A, IN: 8- and 16-bit reads leave the rest of rax alone,
; a 32-bit read zeroes its upper half). The guest checks all three and
; says what it found on its serial port.

bits 64
default rel
org 0x8000004000

COM1 equ 0x3f8

start:
	mov al, 0x42
	out 0x80, al                ; POST code port: exit, size 1, imm8 port
	mov dx, 0x1234
	mov ax, 0xbeef
	out dx, ax                  ; exit, size 2, port in dx
	xor ebx, ebx                ; checks that failed
	mov rax, 0x1111111111111100
	in al, 0x60                 ; exit: al = 0xff, the rest untouched
	mov rcx, 0x11111111111111ff
	cmp rax, rcx
	setne cl
	add bl, cl
	mov rax, 0x1111111111110000
	in ax, dx                   ; ax = 0xffff
	mov rcx, 0x111111111111ffff
	cmp rax, rcx
	setne cl
	add bl, cl
	mov rax, 0x1111111100000000
	in eax, dx                  ; eax = 0xffffffff, upper half zeroed
	mov ecx, 0xffffffff
	cmp rax, rcx
	setne cl
	add bl, cl
	lea rsi, [good]
	test bl, bl
	jz .report
	lea rsi, [bad]
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

good:
	db "ports: in returned all ones in al, ax and eax", 10, 0
bad:
	db "ports: in returned something else", 10, 0
