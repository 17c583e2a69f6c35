/*
 * isolate.c - a guest against every region of memory it must not reach.
 *
 *   isolate <cpu>   run the poke guest (linux-stub/guests/poke.asm) once for
 *                   each region below, with the region's address in rdi;
 *                   its write, read and call there must each come back as
 *                   an MMIO exit at that address, and the run must end
 *                   with the guest's hlt
 *
 * A guest sees only what the sidecar maps for it (kernel/vp.c): its own
 * memory, at GVAs from 512 GiB up, as user pages; below 512 GiB the
 * sidecar's own identity map of its image, supervisor-only. So the physical address of
 * a region is also the GVA at which a guest would find it, and every try
 * must fault. The list covers what the sidecar owns (its image, its page
 * tables, its output, control, command and per-CPU pages), what the main
 * kernel owns (linux-stub's code, data and page tables), this VP's own page
 * tables (the guest's, and the shadow ones the sidecar built), and hardware
 * (the local APIC, the BIOS data area) - and memory past the identity map.
 */
#include "isolate.h"
#include "cmdline.h"
#include "console.h"
#include "paging.h"
#include "sidecar.h"
#include "sidecar_client.h"
#include "stub.h"
#include "vmm.h"
#include "vmm_core.h"



struct region {
	const char *name;
	uint64_t address;
};

/* The sidecar's output page: the shim put its address on our command line. */
static const struct sidecar_output *output_page(void)
{
	struct cmdline_param p;
	uint64_t pa;
	if (!cmdline_find(stub.cmdline, "sidecar", &p) || !p.value ||
	    !parse_u64(p.value, p.value_len, &pa))
		return NULL;
	return (const void *)pa;
}

/* Run poke at address; 1 if all three tries trapped and it halted, 0 if
 * not, -1 if the run could not happen. */
static int poke(const char *cpu, const struct region *r)
{
	uint64_t regs[VP_REGISTER_COUNT];
	enum run_outcome outcome;
	if (vmm_run_with_rdi(cpu, "poke", r->address, regs, &outcome))
		return -1;
	bool contained = outcome == RUN_HALTED && regs[VP_RBX] == 3;
	kprintf("isolate: cpu %s %s at 0x%lx: %lu of 3 tries trapped, %s\n", cpu, r->name,
		(unsigned long)r->address, (unsigned long)regs[VP_RBX],
		contained ? "contained" : "NOT CONTAINED");
	return contained;
}

int cmd_isolate(int argc, char **argv)
{
	uint64_t cpu;
	struct sidecar_control *control;
	struct sidecar_command_page *command;
	uint32_t slot;
	if (argc != 2 || !parse_u64(argv[1], strlen(argv[1]), &cpu))
		return kprintf("error: usage: isolate <cpu>\n"), -1;
	if (cpu >= stub.machine.ncpus || !sidecar_cpu((uint32_t)cpu, &control, &slot, &command))
		return kprintf("error: cpu %lu is not a sidecar CPU\n", (unsigned long)cpu), -1;
	const struct sidecar_output *out = output_page();
	if (!out)
		return kprintf("error: no sidecar output page on the command line\n"), -1;
	const struct sidecar_output_node *node = &out->nodes[control->index % SIDECAR_MAX_NODES];

	/* A first run builds this CPU's guest memory and shadow tables. */
	struct region regions[20] = {{"the sidecar image", SIDECAR_IMAGE_BASE}};
	uint32_t n = 1, contained = 0;
	int r = poke(argv[1], &regions[0]);
	if (r < 0)
		return -1;
	contained += r;

	uint64_t memory, scratch;
	vmm_guest_pages((uint32_t)cpu, &memory, &scratch);
	/* The node's first sidecar CPU's own page tables, after its stack. */
	regions[n++] = (struct region){"a sidecar CPU's own page tables",
				       node->command_pages + node->cpu_count * SIDECAR_PAGE +
					       SIDECAR_STACK_PAGES * SIDECAR_PAGE};
	regions[n++] = (struct region){"the sidecar's output page", (uint64_t)out};
	regions[n++] = (struct region){"the node's control page", (uint64_t)control};
	regions[n++] = (struct region){"this CPU's command page", (uint64_t)command};
	regions[n++] = (struct region){"the node's last command page",
				       node->command_pages + (node->cpu_count - 1) * SIDECAR_PAGE};
	regions[n++] = (struct region){"the node's per-CPU pages",
				       node->command_pages + node->cpu_count * SIDECAR_PAGE};
	regions[n++] = (struct region){"linux-stub's code", (uint64_t)cmd_isolate};
	regions[n++] = (struct region){"linux-stub's data", (uint64_t)&stub};
	regions[n++] = (struct region){"linux-stub's page tables", paging_root()};
	regions[n++] = (struct region){"the guest's own page tables", memory};
	regions[n++] = (struct region){"the VP's shadow page tables", scratch};
	regions[n++] = (struct region){"the local APIC", 0xfee00000};
	regions[n++] = (struct region){"the BIOS data area", 0x400};
	regions[n++] = (struct region){"memory past 4 GiB", GiB(4)};
	for (uint32_t i = 1; i < n; i++) {
		r = poke(argv[1], &regions[i]);
		if (r < 0)
			return -1;
		contained += r;
	}
	kprintf("isolate: cpu %s: %u regions, %u contained\n", argv[1], n, contained);
	return contained == n ? 0 : -1;
}
