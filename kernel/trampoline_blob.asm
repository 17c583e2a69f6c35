; trampoline_blob.asm - lab 1's AP trampoline, carried inside the sidecar
; image.
;
; The trampoline is assembled separately as a flat binary (it runs at
; whatever page below 1 MiB it is copied to) and included here as bytes;
; kernel/start.c copies it to its page. (linux-stub/trampoline.asm carries
; the same bytes for linux-stub's own CPUs.)

section .rodata
global trampoline_blob, trampoline_blob_end
align 16
trampoline_blob:
	incbin TRAMPOLINE_BIN
trampoline_blob_end:
