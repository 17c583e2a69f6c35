/*
 * fmt.h - lib/fmt.c: printf-style formatting into a buffer, the same code on
 * the host and in the images.
 */
#ifndef FMT_H
#define FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Printf-style formatting into a buffer, on the host and in the
 * images alike. Supports %d %i %u %x %X %p %s %c %% with l, ll, z and a
 * field width (0-padded or not). Always NUL-terminates; returns the length
 * the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
