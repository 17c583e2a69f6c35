/*
 * asm.h - what linux-stub's assembly files define for its C: the trampoline
 * it carries (trampoline.asm, the same bytes as the sidecar's), the entries
 * of its two interrupt vectors (irq.asm) and its GDT (head.asm).
 */
#ifndef STUB_ASM_H
#define STUB_ASM_H

#include <stdint.h>

/* linux-stub/trampoline.asm: lab 1's trampoline, as bytes. */
extern const uint8_t stub_trampoline[], stub_trampoline_end[];
/* linux-stub/irq.asm: the response vector (counts, EOI) and the spurious
 * vector (counts, no EOI). */
extern const uint8_t stub_irq_response[], stub_irq_spurious[];
/* linux-stub/head.asm: the lgdt operand of linux-stub's GDT. */
extern const uint8_t gdt_ptr[];

#endif
