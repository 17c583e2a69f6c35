/*
 * Lab 0 - reading a Linux kernel image before booting it.
 *
 * Runs in the shim, on the BSP, interrupts off (and the host's unit tests).
 *
 * The main kernel arrives as a GRUB module: a file in the bzImage format of
 * Documentation/arch/x86/boot.rst. Its first sector holds the "real-mode
 * kernel header" (struct setup_header, at offset 0x1f1). A loader must check
 * that the file really is a kernel (boot_flag 0xaa55 at 0x1fe, "HdrS" at
 * 0x202), that it speaks a protocol new enough for a 64-bit entry (version
 * 2.12+ with XLF_KERNEL_64 in xloadflags), and learn where the protected-mode
 * code starts: after the boot sector and setup_sects more sectors of 512 bytes
 * (setup_sects = 0 means 4, for historical reasons). Anything else - a text
 * file, a truncated image, an ELF - must be refused with a message that says
 * what is wrong.
 *
 * Implement: bzimage_parse() (declared in include/bootparam.h).
 * Tests: tests/unit/test_bzimage.c (suite "bzimage"); the boot test
 * "bad kernel image".
 */
#include "lab_boot.h"

int bzimage_parse(const void *image, size_t size, struct bzimage_info *out, struct diag *d)
{
	// BEGIN LAB 0: refuse what is not a bootable bzImage, saying why; else describe it in *out
	const uint8_t *bytes = image;
	const size_t header_end = SETUP_HEADER_OFFSET + sizeof(struct setup_header);

	memset(out, 0, sizeof(*out));
	if (size < 0x208) /* up to and including the version field */
		return diag_fail(d, E_INVAL, "bzimage: %zu bytes is too small for a setup header",
				 size);
	const struct setup_header *h = (const void *)(bytes + SETUP_HEADER_OFFSET);
	if (h->boot_flag != BOOT_FLAG_MAGIC)
		return diag_fail(d, E_INVAL, "bzimage: boot_flag 0x%04x, expected 0xaa55",
				 h->boot_flag);
	if (h->header != SETUP_HDRS_MAGIC)
		return diag_fail(d, E_INVAL, "bzimage: no \"HdrS\" magic at 0x202 (found 0x%08x)",
				 h->header);
	if (h->version < BZIMAGE_MIN_VERSION)
		return diag_fail(d, E_UNSUPPORTED,
				 "bzimage: boot protocol %u.%02u, need 2.12 or later for a 64-bit entry",
				 h->version >> 8, h->version & 0xff);
	if (size < header_end)
		return diag_fail(d, E_INVAL, "bzimage: %zu bytes is too small for a 2.12 header",
				 size);
	if (!(h->xloadflags & XLF_KERNEL_64))
		return diag_fail(d, E_UNSUPPORTED, "bzimage: xloadflags 0x%x has no XLF_KERNEL_64",
				 h->xloadflags);
	if (!(h->loadflags & LOADED_HIGH))
		return diag_fail(d, E_UNSUPPORTED, "bzimage: not a bzImage (LOADED_HIGH clear)");

	uint64_t sects = h->setup_sects ? h->setup_sects : 4;
	uint64_t setup_size = (sects + 1) * 512;
	if (setup_size >= size)
		return diag_fail(d, E_INVAL, "bzimage: setup (%lu bytes) is the whole %zu-byte file",
				 (unsigned long)setup_size, size);
	uint64_t code_size = size - setup_size;
	/* syssize counts 16-byte paragraphs of protected-mode code. */
	if ((uint64_t)h->syssize * 16 > code_size)
		return diag_fail(d, E_INVAL,
				 "bzimage: syssize says %lu bytes of code, file has %lu (truncated?)",
				 (unsigned long)h->syssize * 16, (unsigned long)code_size);
	uint64_t align = h->kernel_alignment;
	if (h->relocatable_kernel && (align == 0 || (align & (align - 1))))
		return diag_fail(d, E_INVAL, "bzimage: kernel_alignment 0x%x is not a power of two",
				 h->kernel_alignment);

	out->hdr = h;
	out->version = h->version;
	out->setup_size = setup_size;
	out->code_offset = setup_size;
	out->code_size = code_size;
	/* init_size (2.10+) is what the kernel needs from its load address on:
	 * at least the code itself. */
	out->init_size = h->init_size > code_size ? h->init_size : code_size;
	/* boot.rst: kernel_alignment counts only "if relocatable_kernel is
	 * true"; a fixed kernel goes to pref_address and the field may hold
	 * anything (found by tests/fuzz/fuzz_bzimage.c). */
	out->alignment = h->relocatable_kernel ? align : MiB(2);
	out->pref_address = h->pref_address;
	out->relocatable = h->relocatable_kernel != 0;
	out->cmdline_max = h->cmdline_size ? h->cmdline_size : 255;
	return 0;
	// END LAB 0
}
