/*
 * memory.c - what memory is free when the shim starts, and the machine report.
 *
 * Free memory is GRUB's usable RAM (memory map type 1) minus everything that
 * is already in use: the first megabyte (real-mode IVT, BIOS data, EBDA, the
 * VGA hole and the BIOS ROM - and, from lab 1, the AP trampoline), the shim
 * itself, GRUB's boot information and the modules GRUB loaded.
 */
#include "memory.h"
#include "console.h"
#include "shim.h"
#include "timer.h"

extern char image_start[], image_end[]; /* shim/shim.ld */

int shim_memory_init(struct shim *s, uint64_t mb2_info, uint32_t mb2_size)
{
	struct physmem *pm = &s->memory;
	physmem_init(pm);
	for (uint32_t i = 0; i < s->boot.nmemory; i++) {
		const struct mb2_memory *m = &s->boot.memory[i];
		if (m->type == E820_RAM && physmem_add(pm, m->base, m->length))
			return E_NOMEM;
	}
	/* Things that must be reserved, each with a name for verbose mode. */
	struct {
		const char *what;
		uint64_t base, size;
	} used[2 + MB2_MAX_MODULES + 1] = {
		{"first megabyte", 0, MiB(1)},
		{"shim", (uint64_t)image_start, (uint64_t)(image_end - image_start)},
		{"multiboot2 information", mb2_info, mb2_size},
	};
	uint32_t n = 3;
	for (uint32_t i = 0; i < s->boot.nmodules && n < ARRAY_SIZE(used); i++) {
		const struct mb2_module *m = &s->boot.modules[i];
		used[n++] = (typeof(used[0])){m->string, m->start, m->end - m->start};
	}
	for (uint32_t i = 0; i < n; i++) {
		if (physmem_reserve(pm, used[i].base, used[i].size))
			return E_NOMEM;
		if (s->options.verbose)
			kprintf("shim: in use: 0x%lx-0x%lx %s\n", (unsigned long)used[i].base,
				(unsigned long)(used[i].base + used[i].size - 1), used[i].what);
	}
	return 0;
}

static void print_node_memory(const struct shim *s, uint32_t node)
{
	const struct machine *m = &s->machine;
	kprintf("shim: node %u memory", node);
	if (m->have_srat) {
		for (uint32_t i = 0; i < m->nmemory; i++)
			if (m->memory[i].node == node)
				kprintf(" 0x%lx-0x%lx", (unsigned long)m->memory[i].base,
					(unsigned long)(m->memory[i].base + m->memory[i].length - 1));
	} else {
		/* Without an SRAT all usable RAM belongs to node 0. */
		for (uint32_t i = 0; i < s->boot.nmemory; i++)
			if (s->boot.memory[i].type == E820_RAM)
				kprintf(" 0x%lx-0x%lx", (unsigned long)s->boot.memory[i].base,
					(unsigned long)(s->boot.memory[i].base +
							s->boot.memory[i].length - 1));
	}
	kprintf("\n");
}

void shim_print_machine(const struct shim *s)
{
	const struct machine *m = &s->machine;
	uint64_t ram = 0;

	for (uint32_t i = 0; i < s->boot.nmemory; i++) {
		const struct mb2_memory *e = &s->boot.memory[i];
		if (e->type == E820_RAM)
			ram += e->length;
		if (s->options.verbose)
			kprintf("shim: firmware memory 0x%lx-0x%lx %s\n", (unsigned long)e->base,
				(unsigned long)(e->base + e->length - 1), e820_type_name(e->type));
	}
	kprintf("shim: machine: %u CPUs, %u node%s (%s), %lu MiB RAM, %lu MiB free, TSC %lu MHz\n",
		m->ncpus, m->nnodes, m->nnodes == 1 ? "" : "s", m->have_srat ? "SRAT" : "no SRAT",
		(unsigned long)(ram >> 20), (unsigned long)(physmem_total_free(&s->memory) >> 20),
		(unsigned long)(timer_tsc_khz() / 1000));
	if (m->skipped_cpus)
		kprintf("shim: warning: %u MADT processor entries skipped (duplicate, APIC ID 0xff, "
			"or over %d)\n", m->skipped_cpus, MAX_CPUS);
	if (m->srat_unknown_cpus)
		kprintf("shim: warning: the SRAT places %u CPUs the MADT does not list (the first "
			"APIC ID %u): ignored\n", m->srat_unknown_cpus, m->srat_unknown_apic_id);
	for (uint32_t i = 0; i < m->ncpus; i++)
		kprintf("shim: cpu %u apic %u node %u%s\n", i, m->cpus[i].apic_id, m->cpus[i].node,
			m->cpus[i].x2apic ? " x2apic" : "");
	for (uint32_t n = 0; n < m->nnodes; n++)
		print_node_memory(s, n);
}
