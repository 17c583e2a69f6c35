/*
 * main.c - the shim's boot story, in the order it happens.
 *
 * GRUB loaded us (shim/entry.asm took us to long mode) together with the
 * modules listed in grub.cfg: the main kernel ("kernel"), maybe an initrd
 * ("initrd"), and from lab 1 on the sidecar kernel ("sidecar"). The shim:
 *   1. reads GRUB's multiboot2 information (lib/portable/mb2.c, lab 0's tag walk),
 *   2. reads the machine from ACPI: CPUs from the MADT, NUMA nodes from the
 *      SRAT (lib/portable/machine.c, lab 0's MADT walk),
 *   3. takes stock of free memory (shim/memory.c),
 *   4. starts the sidecar kernel on every other CPU (shim/start_sidecar.c),
 *   5. boots the main kernel through the Linux boot protocol on this CPU,
 *      the BSP (shim/linux_boot.c).
 * Every step that can fail says what it found wrong. Without the multiboot2
 * information the shim cannot go on (it would not find the main kernel): it
 * stops QEMU with a failure status. The sidecar, though, is an optimisation:
 * when the shim cannot trust what ACPI says about the CPUs, it leaves the
 * sidecar out and boots the main kernel on its own, which reads the firmware
 * itself. Either way the shim never hangs.
 */
#include "console.h"
#include "dump.h"
#include "identity.h"
#include "inject.h"
#include "lapic.h"
#include "linux_boot.h"
#include "memory.h"
#include "options.h"
#include "shim.h"
#include "start_sidecar.h"
#include "timer.h"
#include "trap.h"
#include "x86.h"

const char image_name[] = "shim";

static struct shim shim; /* large (the machine's CPU table): not on the stack */

/* The sidecar reaches its CPUs by APIC ID with the BSP's APIC mode (lib/
 * lapic.c): in xAPIC mode an ID is 8 bits and 0xff is the broadcast
 * (SDM vol. 3A 10.6.2.1), so a CPU with an ID above 254 cannot be sent an
 * IPI. Leave such CPUs out rather than wake the wrong one. */
static void drop_unreachable_cpus(struct machine *m)
{
	if (lapic_is_x2apic())
		return;
	uint32_t kept = 0, dropped = 0, first = 0;
	for (uint32_t i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].apic_id > 254) {
			if (dropped++ == 0)
				first = m->cpus[i].apic_id;
			continue;
		}
		m->cpus[kept++] = m->cpus[i];
	}
	m->ncpus = kept;
	if (dropped)
		kprintf("shim: warning: %u CPUs with APIC IDs above 254 (the first %u) cannot be "
			"reached in xAPIC mode: left out\n", dropped, first);
}

/* The APIC mode every CPU will run in: x2APIC when CPUID offers it, as Linux
 * chooses (arch/x86/kernel/apic/apic.c, try_to_enable_x2apic(); OpenHCL's
 * sidecar runs only in it), unless the option xapic asks for xAPIC. The BSP
 * switches now, before anything reads an APIC ID; the sidecar and the main
 * kernel find it in that mode and make their APs follow. */
static void choose_apic_mode(const struct shim_options *o)
{
	bool offered = lapic_cpu_has_x2apic();
	if (o->xapic)
		lapic_init_access();
	else
		lapic_bsp_enable_x2apic();
	kprintf("shim: apic mode %s (CPUID %s x2APIC%s)\n", lapic_mode_name(),
		offered ? "offers" : "does not offer",
		o->xapic && lapic_is_x2apic() ? "; xapic asked, but the firmware left x2APIC on"
					      : o->xapic && offered ? "; xapic asked" : "");
}

/* Step 2: the CPUs and nodes from ACPI; false (and why) if they cannot be
 * trusted, with s->machine reset to "one CPU, one node". */
static bool read_machine(struct shim *s)
{
	struct diag d = {""};
	int r = E_NOTFOUND;
	if (!s->boot.rsdp) {
		fmt_snprintf(d.msg, sizeof(d.msg),
			     "GRUB passed no ACPI RSDP (multiboot2 tags 14/15)");
	} else {
		size_t len = s->boot.rsdp_len;
		const void *rsdp = inject_acpi(s->options.inject, s->boot.rsdp, &len);
		r = machine_from_acpi(&s->machine, &identity_acpi_mem, rsdp, len, &d);
	}
	if (r) {
		kprintf("shim: cannot read the machine from ACPI: %s; booting the main kernel "
			"without the sidecar\n", d.msg);
		memset(&s->machine, 0, sizeof(s->machine));
		s->machine.nnodes = 1;
		return false;
	}
	drop_unreachable_cpus(&s->machine);
	return true;
}

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
	choose_apic_mode(&shim.options);
	/* Fault injection (shim/inject.c): read a corrupted copy instead. */
	const void *mb2 = inject_mb2(shim.options.inject, (const void *)(uintptr_t)info);
	if (mb2 != (const void *)(uintptr_t)info) {
		r = mb2_parse(mb2, ((const struct mb2_info_header *)mb2)->total_size, &shim.boot, &d);
		if (r)
			panic("bad multiboot2 information at 0x%x: %s", info, d.msg);
	}

	/* 2. The machine. */
	bool machine_ok = read_machine(&shim);
	timer_calibrate();

	if (shim.options.have_phantom && machine_ok && !lapic_is_x2apic() &&
	    shim.options.phantom_cpu > 254) {
		kprintf("shim: warning: phantom_cpu=%u cannot be reached in xAPIC mode (IDs up to "
			"254): ignored\n", shim.options.phantom_cpu);
	} else if (shim.options.have_phantom && machine_ok) {
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

	/* 4. The sidecar, once the main kernel's place is set aside. */
	shim_reserve_kernel(&shim);
	if (machine_ok)
		shim_start_sidecar(&shim);

	/* 5. The main kernel. */
	shim_boot_linux(&shim);
	panic("could not boot the main kernel (see the message above)");
}
