/*
 * guest.h - the tiny runtime of the guests written in C (linux-stub/guests/NAME.c).
 *
 * A C guest is an ordinary freestanding program: the Makefile compiles it
 * with the compiler's defaults for x86-64 (SSE2 for floating point, SSE
 * registers for copies) and -ffreestanding -nostdlib -fno-pic -static,
 * links it with rt/start.asm and rt/runtime.c at the guest load address
 * (rt/guest.ld: GVA 0x8000004000, as the nasm guests' "org"), and carries
 * it in linux-stub like them (linux-stub/guests.asm). It runs in ring 3 on a
 * sidecar CPU; the VP's FPU/SSE state is its own (kernel/fpu.c).
 *
 * Its ABI with the VMM is the one every guest has (book/04-command.md):
 *   out to port 0x3f8    a byte on its console (an IO exit)
 *   vmcall, rax = call   a hypercall (#UD, which the sidecar decodes), the
 *                        VMM's answer in rax afterwards
 *   hlt                  the end of the run
 * start.asm calls main() and reports its return value with the
 * GUEST_CALL_RESULT hypercall (0: success), then halts.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hypercall numbers (rax) lib/portable/vmm_core.c knows. */
#define GUEST_CALL_RESULT 0x100 /* rdi: 0 success, else a failure code */

void guest_putc(char c);
void guest_puts(const char *s);          /* no newline added */
void guest_put_u64(uint64_t v);          /* in decimal */
uint64_t guest_hypercall(uint64_t call, uint64_t arg);

/* The compiler may call these itself, even freestanding (GCC's manual,
 * "Standards": memcpy, memmove, memset and memcmp must be supplied). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

int main(void);

#endif
