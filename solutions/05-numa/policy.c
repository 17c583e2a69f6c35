/*
 * Lab 5 - the CPU assignment policy: who keeps which CPU.
 *
 * The sidecar exists so that the main kernel boots fast on a big machine,
 * but the main kernel still needs a CPU on every node: to serve that node's
 * control page (its sidecar CPUs send their response IPIs to it) and to run
 * the node's VMM work close to the node's memory. OpenHCL splits each NUMA
 * node's CPUs into chunks of at most 32 and keeps the first CPU of each
 * chunk for Linux (it lists them in boot_cpus=, openhcl_boot/src/sidecar.rs);
 * we keep the first CPU of each node, without the split. The BSP is the
 * main kernel's whatever the policy says: the shim is running on it and
 * boots the main kernel there.
 *
 * Implement: numa_assign_cpus() (declared in include/numa.h).
 * Tests: unit suite "numa"; lab 5's boot tests.
 */
#include "lab.h"
#include "numa.h"

void numa_assign_cpus(const struct machine *m, uint32_t bsp, const struct cpu_policy *p,
		      bool main_cpu[MAX_CPUS])
{
	// BEGIN LAB 5: BSP always; then sidecar=off, an explicit list, or each node's first CPU
	bool node_seen[MAX_NODES] = {false};
	for (uint32_t i = 0; i < m->ncpus; i++) {
		uint32_t node = m->cpus[i].node < MAX_NODES ? m->cpus[i].node : 0;
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
