/*
 * fuzz_e820.c - libFuzzer harness: the memory map the main kernel gets.
 *
 * e820_build() (lib/portable/e820.c) turns the firmware's memory map - GRUB passes
 * it on as it found it: any order, possibly overlapping - plus the ranges
 * the sidecar keeps into the map of boot_params (zero-page.rst). The input
 * is u8 count of firmware ranges, then ranges of u64 address, u64 size,
 * u32 type; those past the count are the ranges to reserve. The map built
 * must be sorted, free of overlaps, within its 128 entries, and must never
 * call usable RAM what a reserved range covers. Seeds: QEMU's memory maps
 * (from the multiboot2 seeds) with the sidecar's reservations.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "e820.h"

#define RANGE_BYTES 20

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct e820_range ranges[256];
	static struct e820_entry out[E820_MAX_ENTRIES];
	if (size < 1)
		return 0;
	size_t n = (size - 1) / RANGE_BYTES;
	if (n > ARRAY_SIZE(ranges))
		n = ARRAY_SIZE(ranges);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *r = data + 1 + i * RANGE_BYTES;
		memcpy(&ranges[i].addr, r, 8);
		memcpy(&ranges[i].size, r + 8, 8);
		memcpy(&ranges[i].type, r + 16, 4);
	}
	size_t nfw = data[0] < n ? data[0] : n;

	struct diag d = {""};
	int r = e820_build(out, E820_MAX_ENTRIES, ranges, nfw, ranges + nfw, n - nfw, &d);
	if (r < 0) {
		fuzz_expect_explained(r, &d);
		return 0;
	}
	if (r > E820_MAX_ENTRIES)
		abort();
	for (int i = 0; i < r; i++) {
		if (out[i].size == 0 || out[i].addr + out[i].size < out[i].addr)
			abort();
		if (i > 0 && out[i - 1].addr + out[i - 1].size > out[i].addr)
			abort(); /* unsorted or overlapping */
		if (out[i].type != E820_RAM)
			continue;
		for (size_t j = nfw; j < n; j++) /* RAM must not overlap a reservation */
			if (ranges[j].size && out[i].addr < ranges[j].addr + ranges[j].size &&
			    ranges[j].addr < out[i].addr + out[i].size)
				abort();
	}
	return 0;
}
