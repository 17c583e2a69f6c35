/*
 * fuzz_bzimage.c - libFuzzer harness: a kernel image and its zero page.
 *
 * The input is a bzImage file (Documentation/arch/x86/boot.rst). Lab 0's
 * bzimage_parse() must refuse it with a message or describe it
 * consistently (code after the setup sectors, inside the file; a
 * power-of-two alignment); then the shim's pure half of the boot protocol
 * (lib/portable/bootproto.c) builds the command line and the zero page for it, as
 * shim_boot_linux() does, with QEMU's memory map and an initrd. The zero
 * page must carry the image's header as the protocol says (the loader's
 * fields written over it). Seeds: linux-stub's real setup header
 * (tools/fuzz_seeds.py).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "bootproto.h"

/* QEMU's 512 MiB machine, as GRUB reports it (type 1 RAM, 2 reserved). */
static const struct e820_range qemu_map[] = {
	{0x0, 0x9fc00, E820_RAM},         {0x9fc00, 0x400, E820_RESERVED},
	{0xf0000, 0x10000, E820_RESERVED}, {0x100000, 0x1fee0000, E820_RAM},
	{0x1ffe0000, 0x20000, E820_RESERVED}, {0xfffc0000, 0x40000, E820_RESERVED},
};
static const struct e820_range sidecar[] = {{0x200000, 0x200000, E820_RESERVED}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_params bp;
	static char cmdline[4096];
	uint8_t *image = malloc(size ? size : 1);
	if (size)
		memcpy(image, data, size);

	struct bzimage_info k;
	struct diag d = {""};
	int r = bzimage_parse(image, size, &k, &d);
	if (r) {
		fuzz_expect_explained(r, &d);
		free(image);
		return 0;
	}
	if (k.hdr != (const void *)(image + SETUP_HEADER_OFFSET) || k.code_offset < 512 ||
	    k.code_offset + k.code_size != size || k.init_size < k.code_size ||
	    k.alignment == 0 || (k.alignment & (k.alignment - 1)) || k.version < BZIMAGE_MIN_VERSION)
		abort();

	size_t cmdline_max = k.cmdline_max + 1 < sizeof(cmdline) ? k.cmdline_max + 1 : sizeof(cmdline);
	if (bootproto_cmdline(cmdline, cmdline_max, "kernel console=ttyS0 quiet", 0x400000, &d) == 0 &&
	    strlen(cmdline) >= cmdline_max)
		abort();
	struct bootproto_load where = {
		.load = 0x1000000, .cmdline_pa = 0x9000, .initrd_start = 0x1800000,
		.initrd_end = 0x1900000, .rsdp_pa = 0xf5b90,
		.firmware = qemu_map, .nfirmware = ARRAY_SIZE(qemu_map),
		.reserved = sidecar, .nreserved = ARRAY_SIZE(sidecar),
	};
	r = bootproto_fill(&bp, &k, &where, &d);
	if (r) {
		fuzz_expect_explained(r, &d);
	} else {
		if (bp.hdr.boot_flag != BOOT_FLAG_MAGIC || bp.hdr.header != SETUP_HDRS_MAGIC ||
		    bp.hdr.type_of_loader != 0xff || bp.hdr.code32_start != where.load ||
		    bp.sentinel != 0 || bp.e820_entries == 0 || bp.e820_entries > E820_MAX_ENTRIES)
			abort();
	}
	free(image);
	return 0;
}
