/*
 * nodes.c - the monitor's "nodes" command: the NUMA picture, node by node.
 *
 *   node <n> cpus <list> mem <ranges|none> control <address|none> local <yes|no>
 *
 * mem is what the SRAT gives the node (all usable RAM when there is no SRAT:
 * one node owns everything); control is where the sidecar put the node's
 * control page; local says whether that page lies in the node's own memory,
 * as lab 5's placement tries to arrange.
 */
#include "stub.h"
#include "console.h"
#include "sidecar.h"

static void print_cpus(uint32_t node)
{
	bool first = true;
	for (uint32_t i = 0; i < stub.machine.ncpus;) {
		if (stub.machine.cpus[i].node != node) {
			i++;
			continue;
		}
		uint32_t j = i;
		while (j + 1 < stub.machine.ncpus && stub.machine.cpus[j + 1].node == node)
			j++;
		kprintf(j > i ? "%s%u-%u" : "%s%u", first ? "" : ",", i, j);
		first = false;
		i = j + 1;
	}
	if (first)
		kprintf("none");
}

/* Is [pa, pa+len) inside one of the node's memory ranges? */
static bool in_node(uint32_t node, uint64_t pa, uint64_t len)
{
	const struct machine *m = &stub.machine;
	if (!m->have_srat)
		return true;
	for (uint32_t i = 0; i < m->nmemory; i++)
		if (m->memory[i].node == node && m->memory[i].base <= pa &&
		    pa + len <= m->memory[i].base + m->memory[i].length)
			return true;
	return false;
}

static void print_memory(uint32_t node)
{
	const struct machine *m = &stub.machine;
	bool any = false;
	for (uint32_t i = 0; m->have_srat && i < m->nmemory; i++) {
		if (m->memory[i].node != node)
			continue;
		kprintf("%s0x%lx-0x%lx", any ? "," : "", (unsigned long)m->memory[i].base,
			(unsigned long)(m->memory[i].base + m->memory[i].length - 1));
		any = true;
	}
	for (uint32_t i = 0; !m->have_srat && i < stub.params.e820_entries; i++) {
		const struct e820_entry *e = &stub.params.e820_table[i];
		if (e->type != E820_RAM)
			continue;
		kprintf("%s0x%lx-0x%lx", any ? "," : "", (unsigned long)e->addr,
			(unsigned long)(e->addr + e->size - 1));
		any = true;
	}
	if (!any)
		kprintf("none");
}

int cmd_nodes(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return kprintf("error: nodes takes no arguments\n"), -1;
	for (uint32_t n = 0; n < stub.machine.nnodes; n++) {
		uint64_t control = sidecar_control_page(n);
		kprintf("node %u cpus ", n);
		print_cpus(n);
		kprintf(" mem ");
		print_memory(n);
		if (control)
			kprintf(" control 0x%lx local %s\n", (unsigned long)control,
				in_node(n, control, SIDECAR_PAGE) ? "yes" : "no");
		else
			kprintf(" control none local no\n");
	}
	return 0;
}
