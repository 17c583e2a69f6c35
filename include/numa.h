/*
 * numa.h - which CPUs the main kernel keeps, and where each node's sidecar
 * pages go (lab 5).
 *
 * OpenHCL's boot shim keeps one CPU per NUMA node for Linux (the node's
 * first) and gives the rest to the sidecar, so that every node has a Linux
 * CPU near its sidecar CPUs to serve their control page; and it puts each
 * node's sidecar pages in that node's own memory (the SRAT says where), so a
 * CPU's stack and command page are local to it.
 */
#ifndef NUMA_H
#define NUMA_H

#include "machine.h"
#include "physmem.h"
#include "sidecar.h"

struct cpu_policy {
	bool sidecar_off;          /* shim option sidecar=off: the main kernel keeps all */
	bool have_list;            /* shim option main_cpus=<list> */
	bool main_list[MAX_CPUS];  /* the list, by CPU index */
	uint32_t split;            /* shim option split=<n>: sidecar nodes of at most n CPUs */
};

/*
 * Lab 5 (labs/05-numa/policy.c): the sidecar nodes. By default one per
 * NUMA node, sidecar node k being NUMA node k. With split > 0 each NUMA
 * node's CPUs, in index order, are cut into ceil(count / split) sidecar
 * nodes of nearly equal size, at most split CPUs each, numbered NUMA node
 * by NUMA node, as OpenHCL's boot shim cuts them (openhcl/openhcl_boot/
 * src/sidecar.rs, MAX_SIDECAR_NODE_SIZE = 32): each has its own control
 * page, and its first CPU is kept for the main kernel. Sets cpu_node[i]
 * (every CPU's sidecar node) and numa_of[k] (every sidecar node's NUMA
 * node); returns the number of sidecar nodes, or E_RANGE (with d) when
 * there would be more than max.
 */
int numa_split_nodes(const struct machine *m, uint32_t split, uint32_t max,
		     uint16_t cpu_node[MAX_CPUS], uint16_t *numa_of, struct diag *d);

/*
 * Lab 5 (labs/05-numa/policy.c): set main_cpu[i] for every CPU of m: true if
 * the main kernel keeps CPU i, false if the sidecar starts it. The BSP
 * (index bsp) always stays with the main kernel. Default: the first CPU of
 * each sidecar node (lowest index) stays too - of each NUMA node, unless
 * p->split cuts them smaller (numa_split_nodes). sidecar=off keeps every
 * CPU; main_cpus=<list> keeps exactly the listed ones (and the BSP).
 */
void numa_assign_cpus(const struct machine *m, uint32_t bsp, const struct cpu_policy *p,
		      bool main_cpu[MAX_CPUS]);

/*
 * Lab 5 (labs/05-numa/placement.c): allocate size bytes (page aligned) for
 * node's sidecar pages, from the node's own memory (SRAT memory affinity
 * ranges of that node) when it has room: *local = true. Otherwise (no
 * SRAT, a node without memory, or its memory full) from any memory above
 * 1 MiB: *local = false. Anywhere below MAXPHYADDR will do: the shim only
 * reserves the block, and the sidecar maps a block above 4 GiB into its
 * boot tables and each CPU's own (kernel/paging.c). Returns 0, or E_NOMEM
 * when there is none at all.
 */
int numa_alloc_node_block(struct physmem *pm, const struct machine *m, uint32_t node,
			  uint64_t size, uint64_t *out, bool *local);


#endif
