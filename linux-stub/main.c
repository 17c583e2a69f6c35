/*
 * main.c - linux-stub: a stand-in for Linux, booted exactly as Linux is.
 *
 * The shim cannot tell linux-stub from a real kernel: both are bzImages
 * entered at their 64-bit entry with a zero page (Linux boot protocol). Like
 * Linux, linux-stub first copies what the loader gave it (the zero page and
 * the command line), sets up its own page tables, GDT and IDT, and learns the
 * machine from ACPI. Then it does what labs 0-6 need from a main kernel: it
 * runs a monitor on the serial port, and (from lab 1 on) it is the sidecar's
 * client and a small VMM.
 *
 * Command line parameters it understands:
 *   stub.run="cmd; cmd"   run these monitor commands, then power off
 *   stub.test_ap_x2apic   a test: start linux-stub's own APs in x2APIC mode
 *                         whatever its BSP's (linux-stub/smp.c), so that,
 *                         with the shim's xapic, each finds the mismatch
 */
#include "cmdline.h"
#include "console.h"
#include "cpus.h"
#include "identity.h"
#include "lapic.h"
#include "monitor.h"
#include "paging.h"
#include "sidecar_client.h"
#include "smp.h"
#include "stub.h"
#include "timer.h"
#include "trap.h"
#include "x86.h"

const char image_name[] = "linux-stub";
struct stub stub;

static void copy_boot_data(const struct boot_params *bp)
{
	memcpy(&stub.params, bp, sizeof(stub.params));
	uint64_t cmdline_pa = bp->hdr.cmd_line_ptr | (uint64_t)bp->ext_cmd_line_ptr << 32;
	if (cmdline_pa) {
		const char *c = (const char *)cmdline_pa;
		size_t n = strnlen(c, sizeof(stub.cmdline) - 1);
		memcpy(stub.cmdline, c, n);
		stub.cmdline[n] = '\0';
	}
}

/* Linux's fallback when the loader passes no RSDP: look for it where the
 * BIOS puts it, by its signature and a checksum that sums to zero. */
static uint64_t scan_bios_for_rsdp(void)
{
	for (uint64_t pa = ACPI_BIOS_RSDP_START; pa < ACPI_BIOS_RSDP_END; pa += 16)
		if (memcmp((const void *)pa, "RSD PTR ", 8) == 0 &&
		    acpi_sum((const void *)pa, ACPI_RSDP_V1_LENGTH) == 0)
			return pa;
	return 0;
}

static void read_machine(void)
{
	struct diag d = {""};
	uint64_t rsdp = stub.params.acpi_rsdp_addr;
	if (!rsdp) {
		rsdp = scan_bios_for_rsdp();
		if (!rsdp)
			panic("no ACPI: the boot loader gave no RSDP (boot_params.acpi_rsdp_addr) "
			      "and the BIOS area 0xe0000-0xfffff has none");
		kprintf("linux-stub: the boot loader gave no RSDP; found one at 0x%lx\n",
			(unsigned long)rsdp);
	}
	int r = machine_from_acpi(&stub.machine, &identity_acpi_mem, (const void *)rsdp,
				  sizeof(struct acpi_rsdp), &d);
	if (r)
		panic("cannot read the machine from ACPI: %s", d.msg);
}

/* Start the CPUs the policy gave the main kernel (one per node by default),
 * then make the first of ours in each sidecar node that node's server: the
 * CPU its sidecar CPUs answer with a response IPI. The BSP claims its own
 * node first and serves it by polling. */
static void start_main_cpus(void)
{
	uint32_t started = 0;
	sidecar_claim_node(stub.bsp);
	for (uint32_t cpu = 0; cpu < stub.machine.ncpus; cpu++) {
		if (cpu == stub.bsp || !sidecar_main_kernel_cpu(cpu) || smp_start_cpu(cpu) != 0)
			continue;
		started++;
		sidecar_claim_node(cpu);
	}
	if (started)
		kprintf("linux-stub: started %u more CPU%s of its own (the policy's: one per node by "
			"default)\n", started, started == 1 ? "" : "s");
}

void stub_main(const struct boot_params *bp)
{
	copy_boot_data(bp); /* before anything can overwrite the loader's pages */
	console_init();
	paging_init();
	trap_init();
	timer_calibrate();

	kprintf("linux-stub: Sidecar OS stand-in for Linux, boot protocol %u.%02u\n",
		stub.params.hdr.version >> 8, stub.params.hdr.version & 0xff);
	kprintf("linux-stub: command line \"%s\"\n", stub.cmdline);
	uint64_t ram = 0;
	for (uint32_t i = 0; i < stub.params.e820_entries; i++)
		if (stub.params.e820_table[i].type == E820_RAM)
			ram += stub.params.e820_table[i].size;
	kprintf("linux-stub: %u e820 entries, %lu MiB usable\n", stub.params.e820_entries,
		(unsigned long)(ram >> 20));

	read_machine();
	lapic_init_access();
	cpus_init();
	sidecar_attach();
	smp_init();
	start_main_cpus();

	struct cmdline_param run;
	if (cmdline_find(stub.cmdline, "stub.run", &run))
		monitor_run_script(run.value ? run.value : "", run.value_len);
	monitor_loop();
}
