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
	// TODO(lab 5): BSP always; then sidecar=off, an explicit list, or each node's first CPU
	lab_fallback(5, __func__, "only the BSP stays with the main kernel");
	for (uint32_t i = 0; i < m->ncpus; i++)
		main_cpu[i] = i == bsp;
}
