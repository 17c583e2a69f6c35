; hello.asm - a guest that says hello on its serial port, then halts.
;
; Guests are flat binaries the VMM (linux-stub/vmm.c) copies to guest
; physical 0x4000, which its page tables map at 0x8000004000: 512 GiB up,
; because the first 512 GiB of every address space belong to the sidecar
; (SIDECAR_GUEST_GVA_MIN). They run in ring 3 with IOPL 0, so each `out`
; below faults into the sidecar, which returns to the VMM with an IO exit;
; the VMM prints the byte and runs the guest on - one exit per character.
; `hlt` is an exit too: the VMM ends the run there.

bits 64
default rel
org 0x8000004000

COM1 equ 0x3f8

start:
	lea rsi, [message]
	mov dx, COM1
.next:
	lodsb                       ; al = *rsi++
	test al, al
	jz .done
	out dx, al                  ; an IO exit: port 0x3f8, size 1, value al
	jmp .next
.done:
	hlt                         ; a HLT exit: the run is over
	jmp .done

message:
	db "Hello from a VP on a sidecar CPU!", 10, 0
