/*
 * main.c - the shim's boot story, in the order it happens.
 *
 * GRUB loaded us (shim/entry.asm took us to long mode) together with the
 * modules listed in grub.cfg: the main kernel ("kernel"), maybe an initrd
 * ("initrd"), and from lab 1 on the sidecar kernel ("sidecar"). The shim:
 *   1. reads GRUB's multiboot2 information (lib/mb2.c, lab 0's tag walk),
 *   2. reads the machine from ACPI: CPUs from the MADT, NUMA nodes from the
 *      SRAT (lib/machine.c, lab 0's MADT walk),
 *   3. takes stock of free memory (shim/memory.c),
 *   4. starts the sidecar kernel on every other CPU (shim/sidecar.c),
 *   5. boots the main kernel through the Linux boot protocol on this CPU,
 *      the BSP (shim/linux_boot.c).
 * Every step that can fail says what it found wrong and stops QEMU with a
 * failure status: the shim never hangs.
 */
#include "shim.h"
#include "console.h"
#include "timer.h"
#include "trap.h"
#include "x86.h"

const char image_name[] = "shim";

static struct shim shim; /* large (the machine's CPU table): not on the stack */

void shim_main(uint32_t magic, uint32_t info)
{
	struct diag d = {""};

	console_init();
	trap_init();
	kprintf("\nshim: Sidecar OS boot shim\n");
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader: eax 0x%x, expected 0x%x", magic,
		      MB2_BOOTLOADER_MAGIC);

	/* 1. GRUB's information. We do not know its size before reading its
	 * header, so the walk may read up to 1 MiB and checks total_size. */
	int r = mb2_parse((const void *)(uintptr_t)info, MiB(1), &shim.boot, &d);
	if (r)
		panic("bad multiboot2 information at 0x%x: %s", info, d.msg);
	shim_parse_options(shim.boot.cmdline, &shim.options);
	kprintf("shim: loaded by %s, command line \"%s\"\n", shim.boot.loader_name,
		shim.boot.cmdline);

	/* 2. The machine. */
	if (!shim.boot.rsdp)
		panic("GRUB passed no ACPI RSDP (multiboot2 tags 14/15): cannot find the CPUs");
	r = machine_from_acpi(&shim.machine, &identity_acpi_mem, shim.boot.rsdp,
			      shim.boot.rsdp_len, &d);
	if (r)
		panic("cannot read the machine from ACPI: %s", d.msg);
	timer_calibrate();

	if (shim.options.have_phantom) {
		uint32_t node = shim.machine.nnodes - 1;
		r = machine_add_cpu(&shim.machine, shim.options.phantom_cpu, node, &d);
		if (r)
			panic("phantom_cpu=%u: %s", shim.options.phantom_cpu, d.msg);
		kprintf("shim: fault injection: phantom CPU with APIC ID %u in node %u\n",
			shim.options.phantom_cpu, node);
	}

	/* 3. Memory. */
	const struct mb2_info_header *h = (const void *)(uintptr_t)info;
	shim.mb2_info = info;
	r = shim_memory_init(&shim, info, h->total_size);
	if (r)
		panic("cannot take stock of memory");
	shim_print_machine(&shim);
	if (shim.options.dump_tables)
		shim_dump_tables(&shim);

	/* 4. The sidecar. */
	shim_start_sidecar(&shim);

	/* 5. The main kernel. */
	shim_boot_linux(&shim);
	panic("could not boot the main kernel (see the message above)");
}
