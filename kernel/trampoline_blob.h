/*
 * trampoline_blob.h - kernel/trampoline_blob.asm: lab 1's trampoline, as the
 * bytes the sidecar image carries (kernel/start.c copies them to its page).
 */
#ifndef TRAMPOLINE_BLOB_H
#define TRAMPOLINE_BLOB_H

#include <stdint.h>

extern const uint8_t trampoline_blob[], trampoline_blob_end[];

#endif
