/*
 * Lab 0 - walking the multiboot2 boot information.
 *
 * Runs in the shim, on the BSP, interrupts off (and the host's unit tests).
 *
 * GRUB leaves a list of tags in memory and passes its address to the shim in
 * %ebx (Multiboot2 spec 3.3, "I386 machine state"). Everything the shim knows
 * about the machine at first - the memory map, its command line, the modules
 * (the sidecar and the main kernel) and a copy of the ACPI RSDP - is in those
 * tags. lib/portable/mb2.c interprets each tag; you write the walk itself, and you
 * must not trust the data: a tag that runs past the end, a size smaller than
 * a tag header or a missing end tag must be refused with a message, never
 * read through.
 *
 * Implement: mb2_walk() (declared in include/mb2.h).
 * Tests: tests/unit/test_mb2.c (suite "mb2"), and every lab-0 boot test.
 */
#include "lab_boot.h"

int mb2_walk(const void *info, size_t limit, mb2_tag_fn fn, void *ctx, struct diag *d)
{
	// BEGIN LAB 0: call fn for every tag before the end tag; refuse a malformed list
	const uint8_t *base = info;

	/* 3.6.2: u32 total_size, u32 reserved; the smallest valid information is
	 * that header and an end tag: 16 bytes. */
	if (limit < sizeof(struct mb2_info_header))
		return diag_fail(d, E_INVAL, "mb2: information truncated: %zu bytes", limit);
	uint32_t total = ((const struct mb2_info_header *)info)->total_size;
	if (total < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag))
		return diag_fail(d, E_INVAL, "mb2: total_size %u too small", total);
	if (total > limit)
		return diag_fail(d, E_INVAL, "mb2: total_size %u larger than the %zu bytes given",
				 total, limit);
	if ((uintptr_t)info % MB2_TAG_ALIGN)
		return diag_fail(d, E_INVAL, "mb2: information at %p is not 8-byte aligned", info);

	size_t off = sizeof(struct mb2_info_header);
	while (off + sizeof(struct mb2_tag) <= total) {
		const struct mb2_tag *tag = (const void *)(base + off);
		if (tag->size < sizeof(struct mb2_tag))
			return diag_fail(d, E_INVAL, "mb2: tag type %u at offset %zu has size %u < 8",
					 tag->type, off, tag->size);
		if (tag->size > total - off)
			return diag_fail(d, E_INVAL,
					 "mb2: tag type %u at offset %zu (size %u) runs past total_size %u",
					 tag->type, off, tag->size, total);
		if (tag->type == MB2_TAG_END) {
			if (tag->size != sizeof(struct mb2_tag))
				return diag_fail(d, E_INVAL, "mb2: end tag has size %u, expected 8",
						 tag->size);
			return 0;
		}
		int r = fn(tag, ctx);
		if (r)
			return r;
		/* 3.6.2: each tag starts on an 8-byte boundary; size excludes padding. */
		off += ALIGN_UP(tag->size, MB2_TAG_ALIGN);
	}
	return diag_fail(d, E_INVAL, "mb2: no end tag within total_size %u", total);
	// END LAB 0
}
