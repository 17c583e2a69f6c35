/*
 * klib.h - lib/runtime/string.c and the basic sizes and macros every file uses.
 *
 * The shim, the sidecar kernel and linux-stub run with no libc: they are
 * freestanding (-ffreestanding), so memcpy and friends are our own
 * (lib/runtime/string.c). The parsers in lib/ are also compiled on the host for the
 * unit tests; there HOSTED is defined and the host's libc provides these.
 * Formatting (include/fmt.h) and number parsing (include/parse.h) come
 * with it: nearly every file uses both.
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#include "fmt.h"
#include "parse.h"

#endif
