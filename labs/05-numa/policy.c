/*
 * Lab 5 - the CPU assignment policy: who keeps which CPU.
 *
 * Runs in the shim, on the BSP before any AP starts, interrupts off (and the
 * host's unit tests).
 *
 * The sidecar exists so that the main kernel boots fast on a big machine,
 * but the main kernel still needs a CPU on every node: to serve that node's
 * control page (its sidecar CPUs send their response IPIs to it) and to run
 * the node's VMM work close to the node's memory. OpenHCL splits each NUMA
 * node's CPUs into chunks of at most 32 and keeps the first CPU of each
 * chunk for Linux (it lists them in boot_cpus=, openhcl_boot/src/sidecar.rs).
 * A node here is a sidecar node: one per NUMA node by default, or, with
 * the shim's split=<n>, each NUMA node cut into nodes of at most n CPUs
 * (numa_split_nodes), as OpenHCL cuts them with n = 32. The
 * first CPU of each sidecar node is the main kernel's. The BSP is the
 * main kernel's whatever the policy says: the shim is running on it and
 * boots the main kernel there.
 *
 * Implement: numa_split_nodes() and numa_assign_cpus() (declared in
 * include/numa.h).
 * Tests: unit suite "numa"; lab 5's boot tests.
 */
#include "lab_shim.h"

int numa_split_nodes(const struct machine *m, uint32_t split, uint32_t max,
		     uint16_t cpu_node[MAX_CPUS], uint16_t *numa_of, struct diag *d)
{
	// TODO(lab 5): cut each NUMA node into sidecar nodes of at most split CPUs
	lab_fallback(5, __func__, "no split: each NUMA node is one sidecar node");
	if (m->nnodes > max)
		return diag_fail(d, E_RANGE, "numa: the machine makes more than %u sidecar nodes",
				 max);
	for (uint32_t i = 0; i < m->ncpus; i++)
		cpu_node[i] = (uint16_t)m->cpus[i].node;
	for (uint32_t n = 0; n < m->nnodes; n++)
		numa_of[n] = (uint16_t)n;
	return (int)m->nnodes;
}

void numa_assign_cpus(const struct machine *m, uint32_t bsp, const struct cpu_policy *p,
		      bool main_cpu[MAX_CPUS])
{
	// TODO(lab 5): who keeps which CPU, as the options and OpenHCL's default say
	lab_fallback(5, __func__, "only the BSP stays with the main kernel");
	for (uint32_t i = 0; i < m->ncpus; i++)
		main_cpu[i] = i == bsp;
}
