/*
 * Lab 5 - the response path: how the main kernel hears that commands finished.
 *
 * Runs in linux-stub, on any of its CPUs (a node's server, the BSP),
 * interrupts off except while halted.
 *
 * A client could poll every CPU's status, but a main-kernel CPU that polls
 * cannot do anything else. OpenHCL's protocol has the sidecar tell it: each
 * node's control page names a response CPU and vector; a sidecar CPU that
 * finishes a command stores IDLE, sets needs_attention and sends that vector
 * to that CPU (labs/03-ipi/wake.c, ipi_acknowledge). One main-kernel CPU per
 * node (lab 5's policy) serves the node: it halts until the response IPI.
 *
 * Two things matter when many CPUs answer at once. Interrupts coalesce: ten
 * IPIs of one vector may arrive as one, so after waking, look at every CPU
 * you wait for, not just one. And clear needs_attention before you look: a
 * CPU that finishes after your look then sets it again (and sends another
 * IPI), so it is seen next time; clear it after, and that finish is lost.
 * The exchange is acq_rel: it pairs with the sidecar's release store.
 *
 * Which CPU serves a node? Several of linux-stub's CPUs come up at once
 * (and a converted CPU joins later, lab 6), and each offers to serve its
 * sidecar node: exactly one must win, and the others must see who did.
 *
 * Implement: numa_serve_node(), numa_claim_node(), numa_node_server() and
 * client_collect() (include/lab_stub.h).
 * Tests: lab 5's boot tests (wake many CPUs through their node's CPU).
 */
#include "lab_stub.h"

void numa_serve_node(struct sidecar_control *control, uint32_t apic_id, uint32_t vector)
{
	// TODO(lab 5): turn on response IPIs to this CPU, never half set up
	lab_fallback(5, __func__, "no response IPIs: clients poll");
}

/* Each sidecar node's server: the index of the CPU of linux-stub's that
 * claimed it, or -1. */
// TODO(lab 5): what the claims share
/* (your table of node servers here) */

bool numa_claim_node(struct sidecar_control *control, uint32_t node, uint32_t cpu,
		     uint32_t apic_id, uint32_t vector)
{
	// TODO(lab 5): exactly one claim per node wins, however many CPUs claim at once
	lab_fallback(5, __func__, "linux-stub's BSP serves every node, polling");
	return false;
}

int numa_node_server(uint32_t node)
{
	// TODO(lab 5): who won the node's claim
	return -1;
}

uint32_t client_collect(struct sidecar_control *control, const uint32_t *slots, uint32_t n,
			bool *done)
{
	// TODO(lab 5): find the CPUs that answered, missing none that answers meanwhile
	lab_fallback(5, __func__, "scanning every CPU without needs_attention");
	uint32_t found = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!done[i] && __atomic_load_n(&control->cpu_status[slots[i]],
						__ATOMIC_ACQUIRE) == CPU_STATUS_IDLE) {
			done[i] = true;
			found++;
		}
	}
	return found;
}
