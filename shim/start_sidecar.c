/*
 * start_sidecar.c - handing the CPUs to the sidecar kernel before Linux starts.
 *
 * If grub.cfg loaded a "sidecar" module, the shim
 *   1. checks the image's header and copies it to SIDECAR_IMAGE_BASE, a hole
 *      the shim's own linker script keeps free (shim/shim.ld),
 *   2. decides which CPUs the sidecar starts (lab 5's policy: by default all
 *      but the first CPU of each node; the BSP always boots the main kernel),
 *   3. reserves each node's memory block, from that node's own memory when
 *      the SRAT says where it is, and a page below 1 MiB for the trampoline,
 *   4. fills the parameter page and calls the sidecar's BSP entry, which
 *      returns when every CPU is idle or failed,
 *   5. remembers everything it reserved, so that the e820 map hides it from
 *      the main kernel, and the output page, which the main kernel is told
 *      about on its command line.
 */
#include "start_sidecar.h"
#include "console.h"
#include "inject.h"
#include "lapic.h"
#include "shim.h"
#include "sidecar.h"
#include "timer.h"
#include "x86.h"

#define DEFAULT_AP_TIMEOUT_MS 1000

static struct sidecar_params params __attribute__((aligned(4096)));

int sidecar_image_check(const void *image, size_t size, const struct sidecar_image_header **out,
			struct diag *d)
{
	const struct sidecar_image_header *h = image;
	if (size < sizeof(*h))
		return diag_fail(d, E_INVAL, "sidecar: image of %zu bytes has no header", size);
	if (h->magic != SIDECAR_IMAGE_MAGIC)
		return diag_fail(d, E_INVAL, "sidecar: bad image magic 0x%lx",
				 (unsigned long)h->magic);
	if (h->abi_version != SIDECAR_ABI_VERSION)
		return diag_fail(d, E_UNSUPPORTED, "sidecar: image ABI %u, shim speaks %u",
				 h->abi_version, SIDECAR_ABI_VERSION);
	if (h->load_address != SIDECAR_IMAGE_BASE)
		return diag_fail(d, E_INVAL, "sidecar: linked at 0x%lx, expected 0x%llx",
				 (unsigned long)h->load_address, SIDECAR_IMAGE_BASE);
	if (h->file_size > size || h->memory_size < h->file_size ||
	    h->memory_size > SIDECAR_IMAGE_MAX)
		return diag_fail(d, E_INVAL, "sidecar: sizes file %lu memory %lu (module %zu, max %llu)",
				 (unsigned long)h->file_size, (unsigned long)h->memory_size, size,
				 SIDECAR_IMAGE_MAX);
	if (h->bsp_entry < h->load_address || h->bsp_entry >= h->load_address + h->file_size)
		return diag_fail(d, E_INVAL, "sidecar: entry 0x%lx outside the image",
				 (unsigned long)h->bsp_entry);
	*out = h;
	return 0;
}

static bool node_has_memory(const struct machine *m, uint32_t node)
{
	for (uint32_t i = 0; i < m->nmemory; i++)
		if (m->memory[i].node == node)
			return true;
	return false;
}

/* Keep [base, base+size) from the main kernel. The list is sized for the
 * most the shim ever reserves; should it still be full, the caller turns the
 * sidecar off, since a dropped reservation would hand sidecar memory to the
 * main kernel as usable RAM. */
static int remember(struct shim *s, uint64_t base, uint64_t size)
{
	struct diag d = {""};
	int r = e820_add(s->reserved, &s->nreserved, ARRAY_SIZE(s->reserved), base, size,
			 E820_RESERVED, &d);
	if (r)
		kprintf("shim: %s\n", d.msg);
	return r;
}

/* Would the main kernel's e820 map (boot_params' 128 entries) hold the
 * firmware's ranges with every reservation on top? Asked before the sidecar
 * starts, while turning it off still costs nothing. */
static int reservations_fit(const struct shim *s, struct diag *d)
{
	static struct e820_range firmware[MB2_MAX_MMAP];
	static struct e820_entry map[E820_MAX_ENTRIES];
	for (uint32_t i = 0; i < s->boot.nmemory; i++)
		firmware[i] = (struct e820_range){s->boot.memory[i].base, s->boot.memory[i].length,
						  s->boot.memory[i].type};
	int own = e820_build(map, ARRAY_SIZE(map), firmware, s->boot.nmemory, NULL, 0, d);
	if (own < 0)
		return own;
	size_t room = inject_e820_room(s->options.inject, ARRAY_SIZE(map), (size_t)own);
	int n = e820_build(map, room, firmware, s->boot.nmemory, s->reserved, s->nreserved, d);
	return n < 0 ? n : 0;
}

/* A usable page below 1 MiB that nothing else uses (not page 0, not GRUB's
 * boot information). The BIOS's data lives in memory the map marks reserved. */
static uint64_t find_trampoline_page(const struct shim *s, uint64_t mb2_info, uint64_t mb2_size)
{
	for (uint32_t i = 0; i < s->boot.nmemory; i++) {
		const struct mb2_memory *m = &s->boot.memory[i];
		if (m->type != E820_RAM)
			continue;
		for (uint64_t pa = ALIGN_UP(m->base, PAGE_SIZE); pa + PAGE_SIZE <= m->base + m->length &&
							    pa + PAGE_SIZE <= 0x100000;
		     pa += PAGE_SIZE) {
			if (pa < 0x1000 || (pa < mb2_info + mb2_size && mb2_info < pa + PAGE_SIZE))
				continue;
			return pa;
		}
	}
	return 0;
}

/* Each sidecar node's NUMA node (numa_split_nodes: the same with no split). */
static uint16_t node_numa[SIDECAR_MAX_NODES];

/* Returns the number of CPUs the sidecar starts. */
static uint32_t assign_cpus(struct shim *s)
{
	const struct machine *m = &s->machine;
	int me = machine_cpu_index(m, cpu_apic_id());
	if (me < 0) {
		kprintf("shim: this CPU (APIC ID %u) is not in the MADT\n", cpu_apic_id());
		return 0;
	}
	uint32_t bsp = (uint32_t)me;
	static bool main_cpu[MAX_CPUS];
	static uint16_t cpu_node[MAX_CPUS];
	uint32_t started = 0;
	struct diag d = {""};

	int nnodes = numa_split_nodes(m, s->options.policy.split, SIDECAR_MAX_NODES, cpu_node,
				      node_numa, &d);
	if (nnodes < 0) {
		kprintf("shim: %s: the sidecar is disabled; the main kernel boots without it\n",
			d.msg);
		return 0;
	}
	numa_assign_cpus(m, bsp, &s->options.policy, main_cpu); /* lab 5 */
	main_cpu[bsp] = true;

	/* Parameter CPUs are grouped by sidecar node; the node's first_cpu and
	 * cpu_count then describe contiguous runs. */
	uint32_t k = 0;
	for (uint32_t n = 0; n < (uint32_t)nnodes; n++) {
		params.nodes[n].first_cpu = k;
		for (uint32_t i = 0; i < m->ncpus; i++) {
			if (cpu_node[i] != n)
				continue;
			s->param_index[i] = k;
			params.cpus[k++] = (struct sidecar_param_cpu){
				.apic_id = m->cpus[i].apic_id,
				.node = (uint16_t)n,
				.start = !main_cpu[i],
			};
			started += !main_cpu[i];
		}
		params.nodes[n].cpu_count = k - params.nodes[n].first_cpu;
	}
	params.node_count = (uint32_t)nnodes;
	params.cpu_count = k;
	if (s->options.policy.split)
		kprintf("shim: split=%u: %u CPUs in %u sidecar nodes over %u NUMA nodes\n",
			s->options.policy.split, k, params.node_count, m->nnodes);
	return started;
}

/* Step 1: the image, checked and copied to SIDECAR_IMAGE_BASE; NULL (said
 * why) when there is none or it is bad. */
static const struct sidecar_image_header *load_image(struct shim *s)
{
	struct diag d = {""};
	const struct mb2_module *mod = mb2_find_module(&s->boot, "sidecar");
	if (!mod) {
		kprintf("shim: no sidecar module: every CPU but the BSP stays offline\n");
		return NULL;
	}
	const struct sidecar_image_header *h;
	if (sidecar_image_check((const void *)mod->start, mod->end - mod->start, &h, &d)) {
		kprintf("shim: %s; booting without a sidecar\n", d.msg);
		return NULL;
	}
	memcpy((void *)SIDECAR_IMAGE_BASE, h, h->file_size);
	memset((uint8_t *)SIDECAR_IMAGE_BASE + h->file_size, 0, h->memory_size - h->file_size);
	return h;
}

/* Step 2: the parameter page's header from the options, then the CPUs
 * (lab 5's policy). False when the sidecar gets no CPU. */
static bool fill_params(struct shim *s)
{
	memset(&params, 0, sizeof(params));
	params.abi_version = SIDECAR_ABI_VERSION;
	params.flags = (s->options.verbose ? SIDECAR_LOG : 0) |
		       (s->options.serial_start ? SIDECAR_SERIAL_START : 0) |
		       (s->options.modern_delays ? SIDECAR_MODERN_DELAYS : 0) |
		       (s->options.test_commands ? SIDECAR_TEST_COMMANDS : 0) |
		       (s->options.trace_icr ? SIDECAR_TRACE_ICR : 0) |
		       (s->options.race_windows ? SIDECAR_RACE_WINDOWS : 0);
	params.tsc_khz = timer_tsc_khz();
	params.local_apic_base = s->machine.local_apic_address;
	params.start_timeout_us = (s->options.ap_timeout_ms ? s->options.ap_timeout_ms
							    : DEFAULT_AP_TIMEOUT_MS) * 1000;
	if (assign_cpus(s) == 0) {
		if (params.node_count)
			kprintf("shim: the policy gives the sidecar no CPU: booting without it\n");
		return false;
	}
	return true;
}

/* Step 3, the fixed part: the trampoline page, the output pages, the
 * parameter page and the image, each remembered for the e820 map. */
static int reserve_fixed(struct shim *s)
{
	const struct mb2_info_header *info = (const void *)s->mb2_info;
	params.trampoline_page = find_trampoline_page(s, s->mb2_info, info->total_size);
	uint64_t out_pa;
	if (!params.trampoline_page ||
	    physmem_alloc(&s->memory, SIDECAR_OUTPUT_PAGES * PAGE_SIZE, PAGE_SIZE, MiB(1), GiB(4),
			  &out_pa)) {
		kprintf("shim: no memory for the sidecar's trampoline or output page\n");
		return -1;
	}
	params.output_page = out_pa;
	if (remember(s, params.trampoline_page, PAGE_SIZE) ||
	    remember(s, out_pa, SIDECAR_OUTPUT_PAGES * PAGE_SIZE) ||
	    remember(s, (uint64_t)&params, SIDECAR_PARAM_PAGES * PAGE_SIZE) ||
	    remember(s, SIDECAR_IMAGE_BASE, SIDECAR_IMAGE_MAX)) {
		kprintf("shim: the sidecar is disabled; the main kernel boots without it\n");
		return -1;
	}
	return 0;
}

/* Step 3, per node: each node's block, from its own memory where the SRAT
 * says where that is (lab 5's placement), remembered for the e820 map. */
static int reserve_nodes(struct shim *s)
{
	for (uint32_t n = 0; n < params.node_count; n++) {
		struct sidecar_param_node *pn = &params.nodes[n];
		uint32_t started = 0;
		for (uint32_t i = 0; i < pn->cpu_count; i++)
			started += params.cpus[pn->first_cpu + i].start;
		if (!started)
			continue;
		uint64_t size = SIDECAR_NODE_BYTES(pn->cpu_count, started);
		bool local;
		struct physmem *pool = inject_sidecar_pool(s->options.inject, &s->memory);
		if (numa_alloc_node_block(pool, &s->machine, node_numa[n], size, &pn->memory_base,
					  &local)) { /* lab 5 */
			kprintf("shim: no memory for node %u's sidecar pages (%lu KiB): the sidecar "
				"is disabled; the main kernel boots without it\n", n,
				(unsigned long)(size >> 10));
			return -1;
		}
		pn->memory_size = size;
		if (remember(s, pn->memory_base, size)) {
			kprintf("shim: node %u's sidecar pages cannot be kept from the main kernel: "
				"the sidecar is disabled; the main kernel boots without it\n", n);
			return -1;
		}
		if (!local && s->machine.have_srat)
			kprintf("shim: warning: node %u's sidecar pages are not in its own memory "
				"(%s); they are at 0x%lx\n", n,
				node_has_memory(&s->machine, node_numa[n])
					? "placed elsewhere"
					: "the node has no memory of its own",
				(unsigned long)pn->memory_base);
	}
	return 0;
}

/* Step 5: what the sidecar reported, for the console and the main kernel. */
static void report(struct shim *s, const struct sidecar_output *out)
{
	uint64_t us = timer_tsc_to_ns(out->done_tsc - out->start_tsc) / 1000;
	kprintf("shim: sidecar: %u CPUs idle, %u failed, bring-up %lu.%03lu ms, %u KiB per CPU "
		"(%u KiB page tables), %s\n",
		out->started, out->failed, (unsigned long)(us / 1000), (unsigned long)(us % 1000),
		out->bytes_per_cpu / 1024, out->page_table_bytes_per_cpu / 1024, lapic_mode_name());
	/* With verbose: where each node's pages are, which the main kernel's map
	 * must show as reserved (lab 7's test reads these lines beside Linux's
	 * /proc/iomem). */
	for (uint32_t n = 0; s->options.verbose && n < params.node_count; n++)
		if (out->nodes[n].control_page)
			kprintf("shim: node %u (NUMA node %u): control page 0x%lx, %u command pages "
				"at 0x%lx, block 0x%lx-0x%lx reserved\n", n, node_numa[n],
				(unsigned long)out->nodes[n].control_page, out->nodes[n].cpu_count,
				(unsigned long)out->nodes[n].command_pages,
				(unsigned long)params.nodes[n].memory_base,
				(unsigned long)(params.nodes[n].memory_base +
						params.nodes[n].memory_size - 1));
}

void shim_start_sidecar(struct shim *s)
{
	const struct sidecar_image_header *h = load_image(s);
	if (!h || !fill_params(s))
		return;
	/* Every reservation or none: a sidecar that does not start leaves the
	 * main kernel all of its memory. */
	uint32_t nreserved = s->nreserved;
	struct diag d = {""};
	if (reserve_fixed(s) || reserve_nodes(s)) {
		s->nreserved = nreserved;
		return;
	}
	if (reservations_fit(s, &d)) {
		kprintf("shim: the main kernel's memory map cannot hold the sidecar's %u "
			"reservations (%s): the sidecar is disabled; the main kernel boots "
			"without it\n", s->nreserved - nreserved, d.msg);
		s->nreserved = nreserved;
		return;
	}

	/* Step 4: the sidecar's BSP entry, which returns when every CPU is idle
	 * or failed. */
	sidecar_entry_fn entry = (sidecar_entry_fn)h->bsp_entry;
	int r = entry(&params);
	struct sidecar_output *out = (void *)params.output_page;
	if (r) {
		kprintf("shim: the sidecar did not start: %s\n", out->error);
		return;
	}
	s->sidecar_output = params.output_page;
	report(s, out);
	inject_params_after(s->options.inject, &params, sizeof(params));
}
