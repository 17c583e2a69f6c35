; guests.asm - the guest programs linux-stub's VMM can run, built in.
;
; Each linux-stub/guests/<name>.asm is assembled on its own as a flat binary
; (nasm -f bin; see the Makefile's GUESTS), each <name>.c compiled and
; linked into one (rt/guest.h), and included here as bytes, the
; way kernel/trampoline_blob.asm carries the AP trampoline. vmm.c finds them through
; guest_table: entries of struct guest {name, image, size, flags}, ended by an
; entry whose name is 0.

%ifndef GUEST_DIR
%error "GUEST_DIR: the directory of the assembled guests (the Makefile defines it)"
%endif

section .rodata.guest_table progbits alloc noexec nowrite align=8
global guest_table
guest_table:

; guest name [flags]: the entry in guest_table, the name string and the
; image. flags: 1 = GUEST_MAPS_ITS_TABLES (include/vmm_core.h).
%macro guest 1-2 0
	%defstr %%name %1
	%strcat %%file GUEST_DIR, "/", %%name, ".bin"
section .rodata.guest_table
	dq %%string, %%image, %%end - %%image, %2
section .rodata
%%string:
	db %%name, 0
	align 16
%%image:
	incbin %%file
%%end:
%endmacro

guest hello
guest spin
guest fault
guest escape
guest hypercall
guest ports
guest fpu
guest privileged
guest vectors
guest poke
guest selfmap, 1
guest exits
guest flags
guest badrip
guest primes

section .rodata.guest_table
	dq 0, 0, 0, 0               ; the end of the table
