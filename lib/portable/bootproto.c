/*
 * bootproto.c - the zero page and the command line for a bzImage.
 *
 * Documentation/arch/x86/boot.rst asks a 64-bit loader to fill a zero page
 * (struct boot_params, zero-page.rst): a copy of the image's setup header,
 * with the loader's own fields (type_of_loader, vid_mode, code32_start,
 * cmd_line_ptr, the ramdisk fields) written over it, the e820 memory map and
 * the RSDP. None of that needs the hardware, so it lives here and the shim
 * (shim/linux_boot.c) calls it after choosing where everything goes; the
 * unit tests and the fuzzers (tests/fuzz/fuzz_bzimage.c) call it on the host.
 */
#include "bootproto.h"
#include "cmdline.h"

/* boot.rst: init_size is the 4 bytes at 0x260. */
#define INIT_SIZE_END 0x264

int bootproto_cmdline(char *buf, size_t size, const char *module_string,
		      uint64_t sidecar_output, struct diag *d)
{
	if (size == 0)
		return diag_fail(d, E_RANGE, "bootproto: no room for a command line");
	/* The module string is "kernel <the kernel's own parameters>". */
	const char *own = module_string;
	if (strncmp(own, "kernel", 6) == 0)
		own += 6;
	while (*own == ' ')
		own++;
	buf[0] = '\0';
	int r = cmdline_append(buf, size, own, d);
	if (r)
		return r;
	/* GRUB writes a module's words with a backslash before every \, ' and "
	 * (grub_create_loader_cmdline(), grub-core/lib/cmdline.c, GRUB 2.06):
	 * undo it, so the kernel reads the words as grub.cfg gave them. */
	char *out = buf;
	for (const char *in = buf; *in; in++) {
		if (in[0] == '\\' && (in[1] == '\\' || in[1] == '\'' || in[1] == '"'))
			in++;
		*out++ = *in;
	}
	*out = '\0';
	if (!sidecar_output)
		return 0;
	/* Tell the main kernel where the sidecar's output page is. */
	char param[40];
	fmt_snprintf(param, sizeof(param), "sidecar=0x%lx", (unsigned long)sidecar_output);
	return cmdline_append(buf, size, param, d);
}

int bootproto_fill(struct boot_params *bp, const struct bzimage_info *k,
		   const struct bootproto_load *l, struct diag *d)
{
	memset(bp, 0, sizeof(*bp));

	/* boot.rst: the setup header ends at 0x202 + the byte at 0x201 (the
	 * offset of the jump at 0x200); copy exactly that much, at most the
	 * header we know (bzimage_parse() checked the image holds all of it). */
	const uint8_t *hdr = (const uint8_t *)k->hdr;
	size_t hdr_end = 0x202 + hdr[0x201 - SETUP_HEADER_OFFSET];
	/* A header that ends before init_size (2.10+) cannot be a 2.12+ one: the
	 * kernel would find "HdrS", its version and more missing from its zero
	 * page (found by tests/fuzz/fuzz_bzimage.c). */
	if (hdr_end < INIT_SIZE_END)
		return diag_fail(d, E_INVAL,
				 "bootproto: the jump at 0x200 ends the setup header at 0x%lx, "
				 "before init_size (0x%x)",
				 (unsigned long)hdr_end, INIT_SIZE_END);
	size_t hdr_len = hdr_end - SETUP_HEADER_OFFSET;
	if (hdr_len > sizeof(bp->hdr))
		hdr_len = sizeof(bp->hdr);
	memcpy(&bp->hdr, hdr, hdr_len);
	bp->hdr.type_of_loader = 0xff; /* "undefined" loader: we have no ID */
	bp->hdr.vid_mode = 0xffff;     /* "normal" video mode */
	if (l->load >= GiB(4))
		return diag_fail(d, E_RANGE, "bootproto: load address 0x%lx is above 4 GiB",
				 (unsigned long)l->load);
	bp->hdr.code32_start = (uint32_t)l->load;

	if (l->cmdline_pa == 0 || l->cmdline_pa >= GiB(4))
		return diag_fail(d, E_RANGE, "bootproto: command line at 0x%lx, need 1..4 GiB",
				 (unsigned long)l->cmdline_pa);
	bp->hdr.cmd_line_ptr = (uint32_t)l->cmdline_pa;

	if (l->initrd_end < l->initrd_start || l->initrd_end - l->initrd_start > 0xffffffffull)
		return diag_fail(d, E_INVAL, "bootproto: initrd 0x%lx-0x%lx is not a range",
				 (unsigned long)l->initrd_start, (unsigned long)l->initrd_end);
	if (l->initrd_end > l->initrd_start) {
		/* 2.03+: initrd_addr_max is the highest address the initrd may use. */
		if (l->initrd_end - 1 > k->hdr->initrd_addr_max)
			return diag_fail(d, E_RANGE,
					 "bootproto: initrd ends at 0x%lx, above the kernel's "
					 "initrd_addr_max 0x%x",
					 (unsigned long)l->initrd_end, k->hdr->initrd_addr_max);
		bp->hdr.ramdisk_image = (uint32_t)l->initrd_start;
		bp->ext_ramdisk_image = (uint32_t)(l->initrd_start >> 32);
		bp->hdr.ramdisk_size = (uint32_t)(l->initrd_end - l->initrd_start);
	}

	int n = e820_build(bp->e820_table, E820_MAX_ENTRIES, l->firmware, l->nfirmware,
			   l->reserved, l->nreserved, d);
	if (n < 0)
		return n;
	bp->e820_entries = (uint8_t)n;
	bp->acpi_rsdp_addr = l->rsdp_pa;
	return 0;
}
