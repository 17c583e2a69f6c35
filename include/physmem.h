/*
 * physmem.h - the shim's physical memory allocator.
 *
 * Starts from the RAM in GRUB's memory map, takes out what is already in use
 * (the shim, GRUB's modules and boot information, the first megabyte) and
 * then hands out aligned ranges. It never frees: the shim runs once.
 */
#ifndef PHYSMEM_H
#define PHYSMEM_H

#include "diag.h"

#define PHYSMEM_MAX_RANGES 64

struct physmem_range {
	uint64_t base, end; /* [base, end) */
};

struct physmem {
	uint32_t nfree;
	struct physmem_range free[PHYSMEM_MAX_RANGES];
};

void physmem_init(struct physmem *pm);
int physmem_add(struct physmem *pm, uint64_t base, uint64_t size);
/* Take [base, base+size) out of the free ranges (it need not be free). */
int physmem_reserve(struct physmem *pm, uint64_t base, uint64_t size);
/* Is all of [base, base+size) free? */
bool physmem_is_free(const struct physmem *pm, uint64_t base, uint64_t size);
/* The lowest free, aligned range of size bytes within [min, max); 0 or error. */
int physmem_alloc(struct physmem *pm, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
		  uint64_t *out);
uint64_t physmem_total_free(const struct physmem *pm);

#endif
