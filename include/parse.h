/*
 * parse.h - lib/parse.c: numbers, sizes and CPU lists as people type them
 * on a command line.
 */
#ifndef PARSE_H
#define PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal, or hex with 0x. */
bool parse_u64(const char *s, size_t len, uint64_t *out);
/* A size with an optional K, M or G suffix (binary units). */
bool parse_size(const char *s, size_t len, uint64_t *out);

/* A CPU list as people write it: "0,4,8-11": set[i] for each CPU i named
 * (set has MAX_CPUS entries, include/machine.h). */
bool parse_cpu_list(const char *s, size_t len, bool *set);

#endif
