/*
 * fuzz_mb2.c - libFuzzer harness: GRUB's multiboot2 information.
 *
 * The input is the information itself, as GRUB leaves it in memory
 * (Multiboot2 spec 3.6): the shim's mb2_parse() (lib/portable/mb2.c, lab 0's tag
 * walk) must either refuse it with a message or return a result whose every
 * pointer lies inside the input. The input sits in a buffer of exactly its
 * size, so AddressSanitizer catches any read past its end. Seeds: the
 * information GRUB gave QEMU's machines (tools/fuzz_seeds.py).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "mb2.h"

#define IN(p, base, n) ((const uint8_t *)(p) >= (base) && (const uint8_t *)(p) < (base) + (n))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *info = malloc(size ? size : 1); /* malloc: 16-byte aligned, as GRUB's is 8 */
	if (size)
		memcpy(info, data, size);
	struct mb2_parsed p;
	struct diag d = {""};
	int r = mb2_parse(info, size, &p, &d);
	if (r) {
		fuzz_expect_explained(r, &d);
	} else {
		if (p.nmemory == 0 || p.nmemory > MB2_MAX_MMAP || p.nmodules > MB2_MAX_MODULES)
			abort();
		if (p.cmdline[0] && !IN(p.cmdline, info, size))
			abort();
		for (uint32_t i = 0; i < p.nmodules; i++)
			if (p.modules[i].end < p.modules[i].start ||
			    !IN(p.modules[i].string, info, size))
				abort();
		if (p.rsdp && (!IN(p.rsdp, info, size) ||
			       (const uint8_t *)p.rsdp + p.rsdp_len > info + size))
			abort();
		/* The shim looks these up next (shim/linux_boot.c). */
		mb2_find_module(&p, "kernel");
		mb2_find_module(&p, "initrd");
	}
	free(info);
	return 0;
}
