/*
 * trap.h - exceptions: the IDT and what a handler sees.
 *
 * SDM vol. 3A chapter 6: in 64-bit mode the IDT holds 16-byte gates; on an
 * exception the CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some vectors, an
 * error code. lib/runtime/trap_entry.asm pushes the rest so that every handler sees
 * the same struct trap_frame.
 */
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>

#include "trap_names.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code; /* error_code is 0 where the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Fill the IDT with gates for vectors 0-31 and load it on this CPU. */
void trap_init(void);
/* Load the already filled IDT on another CPU. */
void trap_load(void);
/* The IDT trap_init() filled, for images that add their own gates. */
void *trap_idt(void);

/* Fill gate `vector` of an IDT (256 gates, 4 KiB) with an interrupt gate to
 * handler, and load an IDT on this CPU. trap_stub(v) is the exception stub. */
void idt_set_gate(void *idt, unsigned vector, const void *handler);
void idt_load(const void *idt);
const void *trap_stub(unsigned vector);

/* Called by the entry stubs. The default panics with the vector's name. */
void trap_handler(struct trap_frame *f);
/* Stop with the exception's name, where and why (the default handler). */
__attribute__((noreturn)) void trap_panic(struct trap_frame *f);

#endif
