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
	// BEGIN LAB 5: cut each NUMA node into sidecar nodes of at most split CPUs
	uint32_t count = 0;
	for (uint32_t n = 0; n < m->nnodes; n++) {
		uint32_t cpus = 0;
		for (uint32_t i = 0; i < m->ncpus; i++)
			cpus += m->cpus[i].node == n;
		/* No split: every NUMA node is one sidecar node, CPUs or not.
		 * Split: ceil(cpus / split) chunks of ceil(cpus / chunks). */
		uint32_t chunks = split ? (cpus + split - 1) / split : 1;
		uint32_t size = chunks ? (cpus + chunks - 1) / chunks : 0;
		if (count + chunks > max)
			return diag_fail(d, E_RANGE,
					 "numa: %s makes more than %u sidecar nodes (NUMA node %u "
					 "has %u CPUs)", split ? "split" : "the machine", max, n, cpus);
		uint32_t k = 0;
		for (uint32_t i = 0; i < m->ncpus; i++)
			if (m->cpus[i].node == n)
				cpu_node[i] = (uint16_t)(count + k++ / size);
		for (uint32_t c = 0; c < chunks; c++)
			numa_of[count + c] = (uint16_t)n;
		count += chunks;
	}
	return (int)count;
	//> lab_fallback(5, __func__, "no split: each NUMA node is one sidecar node");
	//> if (m->nnodes > max)
	//> 	return diag_fail(d, E_RANGE, "numa: the machine makes more than %u sidecar nodes",
	//> 			 max);
	//> for (uint32_t i = 0; i < m->ncpus; i++)
	//> 	cpu_node[i] = (uint16_t)m->cpus[i].node;
	//> for (uint32_t n = 0; n < m->nnodes; n++)
	//> 	numa_of[n] = (uint16_t)n;
	//> return (int)m->nnodes;
	// END LAB 5
}

void numa_assign_cpus(const struct machine *m, uint32_t bsp, const struct cpu_policy *p,
		      bool main_cpu[MAX_CPUS])
{
	// BEGIN LAB 5: who keeps which CPU, as the options and OpenHCL's default say
	static uint16_t cpu_node[MAX_CPUS];
	uint16_t numa_of[SIDECAR_MAX_NODES];
	bool node_seen[SIDECAR_MAX_NODES] = {false};
	struct diag d;
	bool split = numa_split_nodes(m, p->split, SIDECAR_MAX_NODES, cpu_node, numa_of, &d) > 0;
	for (uint32_t i = 0; i < m->ncpus; i++) {
		uint32_t node = split ? cpu_node[i] : m->cpus[i].node;
		node = node < SIDECAR_MAX_NODES ? node : 0;
		bool first_of_node = !node_seen[node];
		node_seen[node] = true;
		if (p->sidecar_off)
			main_cpu[i] = true;
		else if (p->have_list)
			main_cpu[i] = p->main_list[i];
		else
			main_cpu[i] = first_of_node;
		if (i == bsp)
			main_cpu[i] = true;
	}
	//> lab_fallback(5, __func__, "only the BSP stays with the main kernel");
	//> for (uint32_t i = 0; i < m->ncpus; i++)
	//> 	main_cpu[i] = i == bsp;
	// END LAB 5
}
