/*
 * console.h - printing and reading on the serial port, and stopping.
 *
 * Every image talks to people (and to the tests) through COM1. Output lines
 * are written whole under a lock so that lines from several CPUs never mix.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "klib.h"

void console_init(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
/* A byte from the serial port, or -1 when none is waiting. */
int console_getc(void);

/* Leave QEMU through the isa-debug-exit device (port 0xf4); on a machine
 * without it, halt forever with interrupts off. */
#define QEMU_EXIT_SUCCESS 0x10 /* QEMU exits with (0x10 << 1) | 1 = 33 */
#define QEMU_EXIT_FAILURE 0x11 /* QEMU exits with 35 */
__attribute__((noreturn)) void qemu_exit(uint8_t code);

/* Print "panic: cpu <apic id>: <reason>", a backtrace, and exit failing. */
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The name of the running image, for messages: "shim", "linux-stub", ... */
extern const char image_name[];

#endif
