; exits.asm - a guest that exits as often as it can: make bench's RUN_VP
; round trip.
;
; Each `out` faults into the sidecar (ring 3, IOPL 0), which returns to the
; VMM with an IO exit; the VMM answers and runs the guest on. A carriage
; return to the console port is the cheapest exit there is: the VMM's
; console drops it (lib/portable/vmm_core.c), so nothing is printed and the
; round trip `run` measures is the exit path alone. 1000 of them, then a
; line of text and hlt.

bits 64
default rel
org 0x8000004000

COM1 equ 0x3f8
ROUNDS equ 1000

start:
	mov dx, COM1
	mov ecx, ROUNDS
	mov al, 13                  ; '\r': dropped by the VMM's console
.exit:
	out dx, al                  ; one IO exit
	dec ecx
	jnz .exit
	lea rsi, [message]
.next:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp .next
.done:
	hlt
	jmp .done

message:
	db "exits: 1000 round trips done", 10, 0
