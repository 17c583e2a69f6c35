/*
 * e820.c - building the main kernel's memory map.
 *
 * The firmware's map may overlap and come in any order; the map the shim
 * hands over must not (Linux would sanitize it, but a teaching loader should
 * hand over a clean one). The method: cut the address space at every range
 * boundary, give each piece the most restrictive type that covers it, and
 * merge neighbours of the same type.
 */
#include "e820.h"

/* Higher rank wins where ranges overlap. Unknown types count as reserved. */
static int rank(uint32_t type)
{
	switch (type) {
	case E820_RAM:
		return 1;
	case E820_ACPI:
		return 2;
	case E820_NVS:
		return 3;
	case E820_UNUSABLE:
		return 4;
	default:
		return 5;
	}
}

static const struct e820_range *range_at(size_t i, const struct e820_range *fw, size_t nfw,
					 const struct e820_range *res)
{
	return i < nfw ? &fw[i] : &res[i - nfw];
}

/* The smallest range boundary (a start or an end) above pos; false if none.
 * Walking the boundaries one by one keeps no table of them, so the number
 * of input ranges has no limit of its own: only the output map has one. */
static bool next_bound(uint64_t pos, bool first, const struct e820_range *fw, size_t nfw,
		       const struct e820_range *res, size_t total, uint64_t *next)
{
	bool found = false;
	for (size_t i = 0; i < total; i++) {
		const struct e820_range *r = range_at(i, fw, nfw, res);
		if (r->size == 0)
			continue;
		const uint64_t b[2] = {r->addr, r->addr + r->size};
		for (int k = 0; k < 2; k++)
			if ((first || b[k] > pos) && (!found || b[k] < *next)) {
				*next = b[k];
				found = true;
			}
	}
	return found;
}

int e820_build(struct e820_entry *out, size_t max, const struct e820_range *fw, size_t nfw,
	       const struct e820_range *res, size_t nres, struct diag *d)
{
	size_t total = nfw + nres;

	for (size_t i = 0; i < total; i++) {
		const struct e820_range *r = range_at(i, fw, nfw, res);
		if (r->size != 0 && r->addr + r->size < r->addr)
			return diag_fail(d, E_INVAL, "e820: range at 0x%lx size 0x%lx wraps around",
					 (unsigned long)r->addr, (unsigned long)r->size);
	}

	size_t n = 0;
	uint64_t lo, hi;
	if (!next_bound(0, true, fw, nfw, res, total, &lo))
		return 0;
	while (next_bound(lo, false, fw, nfw, res, total, &hi)) {
		/* Reserved ranges only restrict: they never create memory where the
		 * firmware said there was none, so the piece [lo, hi) must be
		 * covered by a firmware range first. */
		int best = 0;
		uint32_t type = 0;
		bool in_firmware = false;
		for (size_t i = 0; i < total; i++) {
			const struct e820_range *r = range_at(i, fw, nfw, res);
			if (r->size == 0 || r->addr > lo || r->addr + r->size < hi)
				continue;
			if (i < nfw)
				in_firmware = true;
			int k = i < nfw ? rank(r->type) : rank(E820_RESERVED);
			if (k > best) {
				best = k;
				type = i < nfw ? r->type : E820_RESERVED;
			}
		}
		uint64_t piece = lo;
		lo = hi;
		if (!in_firmware)
			continue;
		/* Neighbours of one type merge: many adjacent reservations (the
		 * sidecar's pages of several nodes) cost one entry. */
		if (n > 0 && out[n - 1].type == type && out[n - 1].addr + out[n - 1].size == piece) {
			out[n - 1].size += hi - piece;
			continue;
		}
		if (n == max)
			return diag_fail(d, E_NOMEM, "e820: map needs more than %zu entries", max);
		out[n++] = (struct e820_entry){piece, hi - piece, type};
	}
	return (int)n;
}

int e820_add(struct e820_range *list, uint32_t *n, size_t max, uint64_t addr, uint64_t size,
	     uint32_t type, struct diag *d)
{
	if (size != 0 && addr + size < addr)
		return diag_fail(d, E_INVAL, "e820: range at 0x%lx size 0x%lx wraps around",
				 (unsigned long)addr, (unsigned long)size);
	if (*n >= max)
		return diag_fail(d, E_NOMEM,
				 "e820: no room for range 0x%lx-0x%lx: the list holds %zu ranges",
				 (unsigned long)addr, (unsigned long)(addr + size - 1), max);
	list[(*n)++] = (struct e820_range){addr, size, type};
	return 0;
}

const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case E820_RAM:
		return "usable";
	case E820_ACPI:
		return "ACPI data";
	case E820_NVS:
		return "ACPI NVS";
	case E820_UNUSABLE:
		return "unusable";
	default:
		return "reserved";
	}
}
