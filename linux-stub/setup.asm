; setup.asm - the first 1024 bytes of linux-stub's bzImage.
;
; A real bzImage starts with a boot sector and "setup" code that runs in
; real mode; boot loaders read the setup header at offset 0x1f1 of that
; code to learn how to load the rest (Documentation/arch/x86/boot.rst,
; "The Real-Mode Kernel Header"). linux-stub only supports the 64-bit boot
; protocol, so its setup code does nothing but say so, but its header is a
; real one: the shim, GRUB's "linux" command or any other loader reads it
; exactly as it reads Linux's.
;
; tools/mkbzimage fills in syssize and init_size once the size of the 64-bit
; code is known, and appends that code after these two sectors.

bits 16
org 0

boot_sector:
	jmp short .refuse
.refuse:
	cli
	hlt
	jmp .refuse

	times 0x1f1 - ($ - $$) db 0

; boot.rst: the setup header. Offsets in the comments are from the file start.
setup_sects:        db 1             ; 0x1f1: one 512-byte setup sector follows
root_flags:         dw 0
syssize:            dd 0             ; 0x1f4: filled in by tools/mkbzimage
ram_size:           dw 0
vid_mode:           dw 0xffff
root_dev:           dw 0
boot_flag:          dw 0xaa55        ; 0x1fe
jump:               db 0xeb          ; 0x200: a short jmp over the header:
                    db setup_code - 0x202 ; its offset tells where the header ends
header:             db "HdrS"        ; 0x202
version:            dw 0x020f        ; 0x206: boot protocol 2.15
realmode_swtch:     dd 0
start_sys_seg:      dw 0x1000
kernel_version:     dw version_string - 0x200
type_of_loader:     db 0             ; 0x210: written by the loader
loadflags:          db 0x01          ; LOADED_HIGH: code goes at 1 MiB or above
setup_move_size:    dw 0
code32_start:       dd 0x100000
ramdisk_image:      dd 0
ramdisk_size:       dd 0
bootsect_kludge:    dd 0
heap_end_ptr:       dw 0
ext_loader_ver:     db 0
ext_loader_type:    db 0
cmd_line_ptr:       dd 0             ; 0x228: written by the loader
initrd_addr_max:    dd 0x7fffffff
kernel_alignment:   dd 0x200000      ; 0x230
relocatable_kernel: db 0             ; linked at one address: load it there
min_alignment:      db 21
xloadflags:         dw 0x0001        ; 0x236: XLF_KERNEL_64, entry at +0x200
cmdline_size:       dd 2047
hardware_subarch:   dd 0
hardware_subarch_data: dq 0
payload_offset:     dd 0
payload_length:     dd 0
setup_data:         dq 0
pref_address:       dq 0x1000000     ; 0x258: 16 MiB, where stub.ld links it
init_size:          dd 0             ; 0x260: filled in by tools/mkbzimage
handover_offset:    dd 0
kernel_info_offset: dd 0

setup_code:
	cli                              ; 16-bit entry: not supported
	hlt
	jmp setup_code

version_string:
	db "linux-stub (Sidecar OS)", 0

	times 1024 - ($ - $$) db 0
