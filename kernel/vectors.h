/*
 * vectors.h - kernel/vectors.asm: the interrupt entry points a sidecar
 * CPU's IDT holds besides the exceptions (lib/trap.c) and the EOI-only
 * entry (include/irq_eoi.h).
 */
#ifndef VECTORS_H
#define VECTORS_H

#include <stdint.h>

#define TRAP_REQUEST 256 /* vector marker pushed by irq_request_entry */
/* A started AP to its sleeping starter, and the one-shot timer of a
 * sleeping wait (lab 2, labs/02-halt/sleep.c): only an EOI. */
#define SIDECAR_WAKE_VECTOR 0xef

/* kernel/vectors.asm: the request vector (into trap_handler) and the
 * spurious vector (iretq, no EOI). */
extern const uint8_t irq_request_entry[], irq_spurious_entry[];

#endif
