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

#define MAX_BOUNDS (2 * (E820_MAX_ENTRIES + 64))

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

static void sort_u64(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) /* insertion sort: n is small */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static const struct e820_range *range_at(size_t i, const struct e820_range *fw, size_t nfw,
					 const struct e820_range *res)
{
	return i < nfw ? &fw[i] : &res[i - nfw];
}

int e820_build(struct e820_entry *out, size_t max, const struct e820_range *fw, size_t nfw,
	       const struct e820_range *res, size_t nres, struct diag *d)
{
	uint64_t bounds[MAX_BOUNDS];
	size_t nb = 0, total = nfw + nres;

	if (2 * total > MAX_BOUNDS)
		return diag_fail(d, E_RANGE, "e820: %zu input ranges, at most %d", total,
				 MAX_BOUNDS / 2);
	for (size_t i = 0; i < total; i++) {
		const struct e820_range *r = range_at(i, fw, nfw, res);
		if (r->size == 0)
			continue;
		if (r->addr + r->size < r->addr)
			return diag_fail(d, E_INVAL, "e820: range at 0x%lx size 0x%lx wraps around",
					 (unsigned long)r->addr, (unsigned long)r->size);
		bounds[nb++] = r->addr;
		bounds[nb++] = r->addr + r->size;
	}
	sort_u64(bounds, nb);

	size_t n = 0;
	for (size_t b = 0; b + 1 < nb; b++) {
		uint64_t lo = bounds[b], hi = bounds[b + 1];
		if (lo == hi)
			continue;
		/* Reserved ranges only restrict: they never create memory where the
		 * firmware said there was none, so the piece must be covered by a
		 * firmware range first. */
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
		if (!in_firmware)
			continue;
		if (n > 0 && out[n - 1].type == type && out[n - 1].addr + out[n - 1].size == lo) {
			out[n - 1].size += hi - lo;
			continue;
		}
		if (n == max)
			return diag_fail(d, E_NOMEM, "e820: map needs more than %zu entries", max);
		out[n++] = (struct e820_entry){lo, hi - lo, type};
	}
	return (int)n;
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
