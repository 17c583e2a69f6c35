/*
 * linux_boot.c - booting the main kernel through the Linux x86 boot protocol.
 *
 * The same code boots linux-stub (labs 0-6) and Debian's kernel (lab 7): both
 * are bzImages, and the shim is their boot loader. Documentation/arch/x86/
 * boot.rst, "64-bit Boot Protocol", asks the loader to
 *   - load the protected-mode code at an address aligned to kernel_alignment
 *     with init_size bytes free from there (or at pref_address if the kernel
 *     is not relocatable),
 *   - fill a zero page (struct boot_params): a copy of the setup header, the
 *     e820 memory map, the command line and initrd addresses, the RSDP,
 *   - jump to the load address + 0x200 in 64-bit mode with %rsi = the zero
 *     page, interrupts off, and everything above identity mapped.
 */
#include "linux_boot.h"
#include "bootproto.h"
#include "console.h"
#include "shim.h"
#include "x86.h"

/* Where kernels usually want to be (Debian's pref_address): 16 MiB. */
#define KERNEL_MIN_ADDRESS MiB(16)

/* Decide where the protected-mode code goes. */
static int place_kernel(struct shim *s, const struct bzimage_info *k, uint64_t *load)
{
	if (s->kernel_load) { /* shim_reserve_kernel() already chose it */
		*load = s->kernel_load;
		return 0;
	}
	uint64_t size = ALIGN_UP(k->init_size, PAGE_SIZE);
	if (k->pref_address && physmem_is_free(&s->memory, k->pref_address, size)) {
		*load = k->pref_address;
		return physmem_reserve(&s->memory, *load, size);
	}
	if (!k->relocatable) {
		kprintf("shim: main kernel is not relocatable and 0x%lx-0x%lx (its pref_address "
			"+ init_size) is not free RAM\n",
			(unsigned long)k->pref_address, (unsigned long)(k->pref_address + size - 1));
		return E_NOMEM;
	}
	int r = physmem_alloc(&s->memory, size, k->alignment, KERNEL_MIN_ADDRESS, GiB(4), load);
	if (r)
		kprintf("shim: no free 0x%lx bytes aligned to 0x%lx below 4 GiB for the main kernel\n",
			(unsigned long)size, (unsigned long)k->alignment);
	return r;
}

/* Before the sidecar takes its memory: set the main kernel's place aside,
 * so that sidecar pages that cannot be node-local (nodes above 4 GiB, with
 * many nodes) do not land where a kernel that is not relocatable must go
 * (linux-stub: pref_address 16 MiB). Quietly does nothing if the module is
 * missing or bad: shim_boot_linux() reports that. */
void shim_reserve_kernel(struct shim *s)
{
	struct diag d = {""};
	const struct mb2_module *kernel = mb2_find_module(&s->boot, "kernel");
	struct bzimage_info k;
	uint64_t load;
	if (!kernel || bzimage_parse((const void *)kernel->start, kernel->end - kernel->start, &k,
				     &d))
		return;
	if (place_kernel(s, &k, &load) == 0)
		s->kernel_load = load;
}

/* The ACPI RSDP: Linux reads boot_params.acpi_rsdp_addr (protocol 2.14). GRUB
 * gave us only a copy, so find the original in the BIOS read-only area. */
static uint64_t find_rsdp(const struct shim *s)
{
	if (!s->boot.rsdp || s->boot.rsdp_len < ACPI_RSDP_V1_LENGTH)
		return 0; /* no ACPI: the kernel looks for itself */
	for (uint64_t pa = ACPI_BIOS_RSDP_START; pa < ACPI_BIOS_RSDP_END; pa += 16)
		if (memcmp((const void *)pa, s->boot.rsdp, ACPI_RSDP_V1_LENGTH) == 0)
			return pa;
	return 0;
}

/* GRUB's memory map, as e820 ranges for bootproto_fill(). */
static size_t firmware_map(const struct shim *s, struct e820_range *out)
{
	for (uint32_t i = 0; i < s->boot.nmemory; i++)
		out[i] = (struct e820_range){s->boot.memory[i].base, s->boot.memory[i].length,
					     s->boot.memory[i].type};
	return s->boot.nmemory;
}

/* The 64-bit entry point is 0x200 bytes into the protected-mode code
 * (Documentation/arch/x86/boot.rst, "64-bit boot protocol"). */
#define ENTRY64_OFFSET 0x200

/* The "kernel" module, checked as a bzImage (lab 0) and its code copied to
 * the place shim_reserve_kernel() chose: false (said why) if it cannot be. */
static bool load_kernel(struct shim *s, const struct mb2_module *kernel, struct bzimage_info *k,
			uint64_t *load)
{
	struct diag d = {""};
	const void *image = (const void *)kernel->start;
	size_t image_size = kernel->end - kernel->start;
	if (bzimage_parse(image, image_size, k, &d)) {
		kprintf("shim: the main kernel module (%lu bytes) is not a bootable bzImage: %s\n",
			(unsigned long)image_size, d.msg);
		return false;
	}
	if (place_kernel(s, k, load))
		return false;
	memcpy((void *)*load, (const uint8_t *)image + k->code_offset, k->code_size);
	return true;
}

/* The zero page and the command line, below 4 GiB since cmd_line_ptr is 32
 * bits (ext_cmd_line_ptr would allow more; we do not need it), filled by
 * lib/portable/bootproto.c. NULL (said why) if they cannot be. */
static struct boot_params *make_zero_page(struct shim *s, const struct mb2_module *kernel,
					  const struct bzimage_info *k, uint64_t load)
{
	struct diag d = {""};
	uint64_t bp_pa, cmdline_pa;
	if (physmem_alloc(&s->memory, PAGE_SIZE, PAGE_SIZE, MiB(1), GiB(4), &bp_pa) ||
	    physmem_alloc(&s->memory, PAGE_SIZE, PAGE_SIZE, MiB(1), GiB(4), &cmdline_pa)) {
		kprintf("shim: no memory for the zero page\n");
		return NULL;
	}
	struct boot_params *bp = (void *)bp_pa;
	char *cmdline = (char *)cmdline_pa;
	size_t cmdline_max = k->cmdline_max + 1 < PAGE_SIZE ? k->cmdline_max + 1 : PAGE_SIZE;
	if (bootproto_cmdline(cmdline, cmdline_max, kernel->string, s->sidecar_output, &d)) {
		kprintf("shim: main kernel command line: %s\n", d.msg);
		return NULL;
	}
	static struct e820_range firmware[MB2_MAX_MMAP];
	const struct mb2_module *initrd = mb2_find_module(&s->boot, "initrd");
	struct bootproto_load where = {
		.load = load,
		.cmdline_pa = cmdline_pa,
		.initrd_start = initrd ? initrd->start : 0,
		.initrd_end = initrd ? initrd->end : 0,
		.rsdp_pa = find_rsdp(s),
		.firmware = firmware,
		.nfirmware = firmware_map(s, firmware),
		.reserved = s->reserved,
		.nreserved = s->nreserved,
	};
	if (bootproto_fill(bp, k, &where, &d)) {
		kprintf("shim: cannot fill the main kernel's zero page: %s\n", d.msg);
		return NULL;
	}
	return bp;
}

void shim_boot_linux(struct shim *s)
{
	const struct mb2_module *kernel = mb2_find_module(&s->boot, "kernel");
	if (!kernel) {
		kprintf("shim: no main kernel: grub.cfg has no module2 line whose string starts "
			"with \"kernel\"\n");
		return;
	}
	struct bzimage_info k;
	uint64_t load;
	struct boot_params *bp;
	if (!load_kernel(s, kernel, &k, &load) || !(bp = make_zero_page(s, kernel, &k, load)))
		return;
	kprintf("shim: main kernel: boot protocol %u.%02u, %lu KiB at 0x%lx (init_size %lu KiB), "
		"%u e820 entries%s\n",
		k.version >> 8, k.version & 0xff, (unsigned long)(k.code_size >> 10),
		(unsigned long)load, (unsigned long)(k.init_size >> 10), bp->e820_entries,
		bp->hdr.ramdisk_size ? ", initrd" : "");
	kprintf("shim: main kernel command line \"%s\"\n", (const char *)(uint64_t)bp->hdr.cmd_line_ptr);
	kprintf("shim: jumping to the 64-bit entry at 0x%lx\n", (unsigned long)(load + ENTRY64_OFFSET));
	boot_linux64(load + ENTRY64_OFFSET, bp);
}
