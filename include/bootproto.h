/*
 * bootproto.h - filling the zero page for a bzImage (lib/portable/bootproto.c).
 *
 * The part of the Linux boot protocol that is pure computation: given an
 * image bzimage_parse() accepted and the places the loader chose, build the
 * kernel's command line and its struct boot_params. The shim does the rest
 * (choosing memory, copying, jumping); the host's unit tests and fuzzers
 * call these directly.
 */
#ifndef BOOTPROTO_H
#define BOOTPROTO_H

#include "bootparam.h"

/* Where the loader put things (physical addresses). */
struct bootproto_load {
	uint64_t load;                     /* the protected-mode code */
	uint64_t cmdline_pa;               /* the command line: below 4 GiB (32-bit field) */
	uint64_t initrd_start, initrd_end; /* [start, end), or both 0 for none */
	uint64_t rsdp_pa;                  /* the firmware's RSDP, or 0 */
	const struct e820_range *firmware; /* the firmware's memory map */
	size_t nfirmware;
	const struct e820_range *reserved; /* memory the kernel must not use */
	size_t nreserved;
};

/* The kernel's command line: the module string's words after "kernel"
 * (GRUB's backslashes before \, ' and " taken out), then
 * "sidecar=<output page>" if sidecar_output is not 0. */
int bootproto_cmdline(char *buf, size_t size, const char *module_string,
		      uint64_t sidecar_output, struct diag *d);

/* Fill bp (4096 bytes, zeroed here) for the image k describes. */
int bootproto_fill(struct boot_params *bp, const struct bzimage_info *k,
		   const struct bootproto_load *l, struct diag *d);

#endif
