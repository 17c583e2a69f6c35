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
	// TODO(lab 0): refuse what is not a bootable bzImage, saying why; else describe it in *out
	lab_todo(0, __func__);
}
