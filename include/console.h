/*
 * console.h - lib/runtime/console.c: printing and reading on the serial port.
 * Stopping (panic, qemu_exit) is include/panic.h's, which comes with it.
 *
 * Every image talks to people (and to the tests) through COM1. Output lines
 * are written whole under a lock so that lines from several CPUs never mix.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "klib.h"
#include "panic.h"

void console_init(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);
/* A byte from the serial port, or -1 when none is waiting. */
int console_getc(void);

/* The name of the running image, for messages: "shim", "linux-stub", ... */
extern const char image_name[];

#endif
