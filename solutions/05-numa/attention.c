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
	// BEGIN LAB 5: turn on response IPIs to this CPU, never half set up
	__atomic_store_n(&control->response_cpu, apic_id, __ATOMIC_RELAXED);
	__atomic_store_n(&control->response_vector, vector, __ATOMIC_RELEASE);
	//> lab_fallback(5, __func__, "no response IPIs: clients poll");
	// END LAB 5
}

/* Each sidecar node's server: the index of the CPU of linux-stub's that
 * claimed it, or -1. */
// BEGIN LAB 5: what the claims share
static int node_server[SIDECAR_MAX_NODES] = {[0 ... SIDECAR_MAX_NODES - 1] = -1};
//> /* (your table of node servers here) */
// END LAB 5

bool numa_claim_node(struct sidecar_control *control, uint32_t node, uint32_t cpu,
		     uint32_t apic_id, uint32_t vector)
{
	// BEGIN LAB 5: exactly one claim per node wins, however many CPUs claim at once
	int none = -1;
	if (node >= SIDECAR_MAX_NODES ||
	    !__atomic_compare_exchange_n(&node_server[node], &none, (int)cpu, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	if (vector && control)
		numa_serve_node(control, apic_id, vector);
	return true;
	//> lab_fallback(5, __func__, "linux-stub's BSP serves every node, polling");
	//> return false;
	// END LAB 5
}

int numa_node_server(uint32_t node)
{
	// BEGIN LAB 5: who won the node's claim
	return node < SIDECAR_MAX_NODES ? __atomic_load_n(&node_server[node], __ATOMIC_ACQUIRE)
					: -1;
	//> return -1;
	// END LAB 5
}

uint32_t client_collect(struct sidecar_control *control, const uint32_t *slots, uint32_t n,
			bool *done)
{
	// BEGIN LAB 5: find the CPUs that answered, missing none that answers meanwhile
	uint32_t found = 0;
	__atomic_exchange_n(&control->needs_attention, 0, __ATOMIC_ACQ_REL);
	for (uint32_t i = 0; i < n; i++) {
		if (!done[i] && __atomic_load_n(&control->cpu_status[slots[i]], __ATOMIC_ACQUIRE) ==
					CPU_STATUS_IDLE) {
			done[i] = true;
			found++;
		}
	}
	return found;
	//> lab_fallback(5, __func__, "scanning every CPU without needs_attention");
	//> uint32_t found = 0;
	//> for (uint32_t i = 0; i < n; i++) {
	//> 	if (!done[i] && __atomic_load_n(&control->cpu_status[slots[i]],
	//> 					__ATOMIC_ACQUIRE) == CPU_STATUS_IDLE) {
	//> 		done[i] = true;
	//> 		found++;
	//> 	}
	//> }
	//> return found;
	// END LAB 5
}
