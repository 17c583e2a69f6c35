/*
 * panic.h - lib/panic.c: stopping cleanly when something is wrong, and
 * leaving QEMU with a status the tests read.
 */
#ifndef PANIC_H
#define PANIC_H

#include <stdint.h>

/* Leave QEMU through the isa-debug-exit device (port 0xf4); on a machine
 * without it, halt forever with interrupts off. */
#define QEMU_EXIT_SUCCESS 0x10 /* QEMU exits with (0x10 << 1) | 1 = 33 */
#define QEMU_EXIT_FAILURE 0x11 /* QEMU exits with 35 */
__attribute__((noreturn)) void qemu_exit(uint8_t code);

/* Print "panic: cpu <apic id>: <reason>", a backtrace, and exit failing. */
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
