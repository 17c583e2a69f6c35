/*
 * physmem.c - free physical memory as a sorted list of ranges.
 *
 * The shim allocates a handful of things (the main kernel's load area, the
 * zero page, the command line, later the sidecar's pages) so a short sorted
 * list beats a bitmap: every operation is a walk over at most 64 ranges.
 */
#include "physmem.h"

void physmem_init(struct physmem *pm)
{
	pm->nfree = 0;
}

static int insert_at(struct physmem *pm, uint32_t i, uint64_t base, uint64_t end)
{
	if (pm->nfree == PHYSMEM_MAX_RANGES)
		return E_NOMEM;
	memmove(&pm->free[i + 1], &pm->free[i], (pm->nfree - i) * sizeof(pm->free[0]));
	pm->free[i] = (struct physmem_range){base, end};
	pm->nfree++;
	return 0;
}

static void remove_at(struct physmem *pm, uint32_t i)
{
	memmove(&pm->free[i], &pm->free[i + 1], (pm->nfree - i - 1) * sizeof(pm->free[0]));
	pm->nfree--;
}

int physmem_add(struct physmem *pm, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	if (size == 0)
		return 0;
	if (end < base)
		return E_INVAL;
	/* Keep the list sorted and merge with overlapping or touching ranges. */
	uint32_t i = 0;
	while (i < pm->nfree && pm->free[i].end < base)
		i++;
	while (i < pm->nfree && pm->free[i].base <= end) {
		if (pm->free[i].base < base)
			base = pm->free[i].base;
		if (pm->free[i].end > end)
			end = pm->free[i].end;
		remove_at(pm, i);
	}
	return insert_at(pm, i, base, end);
}

int physmem_reserve(struct physmem *pm, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	if (size == 0)
		return 0;
	if (end < base)
		end = UINT64_MAX;
	for (uint32_t i = 0; i < pm->nfree; i++) {
		struct physmem_range r = pm->free[i];
		if (r.end <= base || r.base >= end)
			continue;
		/* A hole in the middle needs one more slot: check before changing anything. */
		if (r.base < base && r.end > end && pm->nfree == PHYSMEM_MAX_RANGES)
			return E_NOMEM;
		remove_at(pm, i);
		uint32_t at = i;
		if (r.base < base && insert_at(pm, at++, r.base, base))
			return E_NOMEM;
		if (r.end > end && insert_at(pm, at++, end, r.end))
			return E_NOMEM;
		i = at - 1; /* continue after what we inserted */
	}
	return 0;
}

bool physmem_is_free(const struct physmem *pm, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < pm->nfree; i++)
		if (pm->free[i].base <= base && base + size <= pm->free[i].end &&
		    base + size >= base)
			return true;
	return false;
}

int physmem_alloc(struct physmem *pm, uint64_t size, uint64_t align, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	if (size == 0 || align == 0 || (align & (align - 1)))
		return E_INVAL;
	for (uint32_t i = 0; i < pm->nfree; i++) {
		uint64_t start = pm->free[i].base < min ? min : pm->free[i].base;
		uint64_t base = ALIGN_UP(start, align);
		if (base < start || base + size < base)
			continue; /* aligning up or the size wrapped past 2^64 */
		if (base + size <= pm->free[i].end && base + size <= max) {
			*out = base;
			return physmem_reserve(pm, base, size);
		}
	}
	return E_NOMEM;
}

uint64_t physmem_total_free(const struct physmem *pm)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < pm->nfree; i++)
		sum += pm->free[i].end - pm->free[i].base;
	return sum;
}
