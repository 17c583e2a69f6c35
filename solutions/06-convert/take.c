/*
 * Lab 6 - the main kernel takes CPUs from the sidecar, for good.
 *
 * Runs in linux-stub, on its BSP (the monitor's "convert"), interrupts off
 * while it waits.
 *
 * This is what Linux does in lab 7 when its driver's hot-plug callback runs
 * for "echo 1 > /sys/devices/system/cpu/cpuN/online": the CPU must leave the
 * sidecar (sidecar_remove(), then its answer, REMOVED, once it has parked
 * where an INIT can take it: remove.c), and only then may the main kernel
 * start it as one of its own, with INIT-SIPI-SIPI to its own trampoline
 * (smp_start_cpu()). Start it earlier and two kernels run one CPU. A CPU that
 * never answers must not hang the main kernel; one that did answer is no
 * sidecar CPU any more, and no command may ever be sent to it again. Once it
 * runs as linux-stub's, it may serve its node if no CPU of linux-stub's does
 * yet (lab 5's claim).
 *
 * Several CPUs may be taken at once ("convert 2 3 5"): each leaves in its
 * own time, and one that cannot leave must not keep the others.
 *
 * Implement: convert_take_cpus() (include/lab_stub.h).
 * Tests: lab 6's tests ("convert", "convert running", the convert of every
 * sidecar CPU).
 */
#include "lab_stub.h"

/* How long a CPU may take to leave: it may be in a guest, or in a command. */
#define REMOVE_TIMEOUT_NS 2000000000ull

int convert_take_cpus(struct convert_cpu *cpus, uint32_t n)
{
	// BEGIN LAB 6: take every CPU that can leave; one that cannot must not keep the others
	uint64_t t0 = timer_ns(), deadline = t0 + REMOVE_TIMEOUT_NS;
	uint32_t taken = 0;
	/* Every REMOVE goes out before the first wait: the CPUs leave together. */
	for (uint32_t i = 0; i < n; i++) {
		struct convert_cpu *c = &cpus[i];
		c->result = sidecar_remove(c->control, c->slot, c->apic_id);
		if (c->result)
			kprintf("error: cpu %u cannot be removed (status %u)\n", c->cpu,
				sidecar_proto_status(&c->control->cpu_status[c->slot]));
	}
	for (uint32_t i = 0; i < n; i++) {
		struct convert_cpu *c = &cpus[i];
		if (c->result == 0 &&
		    !client_wait_status(c->control, c->slot, CPU_STATUS_REMOVED, deadline)) {
			c->result = -1; /* still REMOVE: it is lost to both kernels */
			kprintf("error: cpu %u did not leave the sidecar within 2 s (status %u)\n",
				c->cpu, sidecar_proto_status(&c->control->cpu_status[c->slot]));
		}
	}
	uint64_t t1 = timer_ns();
	for (uint32_t i = 0; i < n; i++) {
		struct convert_cpu *c = &cpus[i];
		if (c->result)
			continue;
		sidecar_forget(c->cpu); /* parked: no more sidecar commands for it, ever */
		uint64_t start = timer_ns();
		c->result = smp_start_cpu(c->cpu);
		if (c->result)
			continue;
		sidecar_claim_node(c->cpu); /* serves its node if no CPU of ours does yet */
		taken++;
		kprintf("convert: cpu %u apic %u is now linux-stub's (removed in %lu us, online in "
			"%lu us)\n", c->cpu, c->apic_id, (unsigned long)((t1 - t0) / 1000),
			(unsigned long)((timer_ns() - start) / 1000));
	}
	return taken == n ? 0 : -1;
	// END LAB 6
}
