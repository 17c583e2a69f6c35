; image.asm - the sidecar image header, and the trampoline carried inside.
;
; The shim loads the sidecar from a GRUB module: a flat binary whose first
; bytes are struct sidecar_image_header (include/sidecar.h). The values come
; from the linker script (kernel/kernel.ld). The AP trampoline is assembled
; separately as a flat binary (it runs at whatever page it is copied to) and
; included here as bytes; kernel/start.c copies it to its page.

%define SIDECAR_IMAGE_MAGIC 0x5241434544495353
%define SIDECAR_ABI_VERSION 1

extern image_start, image_file_size, image_memory_size, sidecar_start

section .image_header progbits alloc noexec nowrite align=8
	dq SIDECAR_IMAGE_MAGIC
	dd SIDECAR_ABI_VERSION
	dd 48                       ; header_size
	dq image_start              ; load_address
	dq image_file_size
	dq image_memory_size
	dq sidecar_start            ; bsp_entry

section .rodata
global trampoline_blob, trampoline_blob_end
align 16
trampoline_blob:
	incbin TRAMPOLINE_BIN
trampoline_blob_end:
