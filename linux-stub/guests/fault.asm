; fault.asm - a guest that reads memory nobody mapped for it.
;
; Its page tables map only 0x8000004000-0x800000ffff. Reading 0x9000000000
; (576 GiB, a legal guest address with no mapping behind it) raises a page
; fault in ring 3; the sidecar reports it to the VMM as an MMIO exit with
; the address, as a hypervisor reports an access to unbacked guest memory.
; r15 is 0, so the VMM does not resume the guest (see escape.asm): the run
; ends there.

bits 64
org 0x8000004000

start:
	mov rax, 0x9000000000       ; beyond 4 GiB: too far for a 32-bit displacement
	mov al, [rax]               ; an MMIO (or page-fault) exit: read at 0x9000000000
	hlt                         ; never reached
