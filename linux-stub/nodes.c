/*
 * nodes.c - the monitor's "nodes" command: the NUMA picture, node by node.
 *
 *   node <n> cpus <list> mem <ranges|none> control <address|none> local <yes|no>
 *
 * mem is what the SRAT gives the node (all usable RAM when there is no SRAT:
 * one node owns everything); control is where the sidecar put the node's
 * control page; local says whether that page lies in the node's own memory,
 * as lab 5's placement tries to arrange.
 *
 * With the shim's split=<n> the sidecar cuts NUMA nodes into smaller sidecar
 * nodes, each with its own control page; then each NUMA node's line shows
 * the first of them, and one line per sidecar node follows the NUMA lines:
 *
 *   sidecar node <k> numa <n> cpus <list> control <address> local <yes|no>
 */
#include "nodes.h"
#include "console.h"
#include "sidecar.h"
#include "sidecar_client.h"
#include "stub.h"

/* Is CPU i in the node: a NUMA node, or a sidecar node (sidecar = true)? */
static bool cpu_in(uint32_t i, uint32_t node, bool sidecar)
{
	return sidecar ? sidecar_node_of(i) == (int)node : stub.machine.cpus[i].node == node;
}

static void print_cpus(uint32_t node, bool sidecar)
{
	bool first = true;
	for (uint32_t i = 0; i < stub.machine.ncpus;) {
		if (!cpu_in(i, node, sidecar)) {
			i++;
			continue;
		}
		uint32_t j = i;
		while (j + 1 < stub.machine.ncpus && cpu_in(j + 1, node, sidecar))
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

/* The NUMA node of sidecar node k: its CPUs' (they all share one), or -1. */
static int numa_of(uint32_t k)
{
	for (uint32_t i = 0; i < stub.machine.ncpus; i++)
		if (sidecar_node_of(i) == (int)k)
			return (int)stub.machine.cpus[i].node;
	return -1;
}

/* Are the sidecar nodes the NUMA nodes (no split=)? */
static bool split_nodes(void)
{
	if (sidecar_node_count() && sidecar_node_count() != stub.machine.nnodes)
		return true;
	for (uint32_t i = 0; i < stub.machine.ncpus; i++)
		if (sidecar_node_of(i) >= 0 && (uint32_t)sidecar_node_of(i) != stub.machine.cpus[i].node)
			return true;
	return false;
}

/* The first sidecar node's control page in NUMA node n. */
static uint64_t first_control(uint32_t n, bool split)
{
	if (!split)
		return sidecar_control_page(n);
	for (uint32_t k = 0; k < sidecar_node_count(); k++)
		if (numa_of(k) == (int)n && sidecar_control_page(k))
			return sidecar_control_page(k);
	return 0;
}

int cmd_nodes(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return kprintf("error: nodes takes no arguments\n"), -1;
	bool split = split_nodes();
	for (uint32_t n = 0; n < stub.machine.nnodes; n++) {
		uint64_t control = first_control(n, split);
		kprintf("node %u cpus ", n);
		print_cpus(n, false);
		kprintf(" mem ");
		print_memory(n);
		if (control)
			kprintf(" control 0x%lx local %s\n", (unsigned long)control,
				in_node(n, control, SIDECAR_PAGE) ? "yes" : "no");
		else
			kprintf(" control none local no\n");
	}
	for (uint32_t k = 0; split && k < sidecar_node_count(); k++) {
		uint64_t control = sidecar_control_page(k);
		int n = numa_of(k);
		kprintf("sidecar node %u numa %d cpus ", k, n);
		print_cpus(k, true);
		kprintf(" control 0x%lx local %s\n", (unsigned long)control,
			n >= 0 && in_node((uint32_t)n, control, SIDECAR_PAGE) ? "yes" : "no");
	}
	return 0;
}
