/*
 * klib.h - the small C library every image links.
 *
 * The shim, the sidecar kernel and linux-stub run with no libc: they are
 * freestanding (-ffreestanding), so memcpy and friends are our own
 * (lib/string.c). The parsers in lib/ are also compiled on the host for the
 * unit tests; there HOSTED is defined and the host's libc provides these.
 */
#ifndef KLIB_H
#define KLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef HOSTED
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* lib/fmt.c: printf-style formatting into a buffer, on the host and in the
 * images alike. Supports %d %i %u %x %X %p %s %c %% with l, ll, z and a
 * field width (0-padded or not). Always NUL-terminates; returns the length
 * the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* lib/parse.c: numbers as people type them: decimal, or hex with 0x. */
bool parse_u64(const char *s, size_t len, uint64_t *out);
/* A size with an optional K, M or G suffix (binary units). */
bool parse_size(const char *s, size_t len, uint64_t *out);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#endif
