/*
 * Lab 5 - the response path: how the main kernel hears that commands finished.
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
 * Implement: numa_serve_node() and client_collect() (include/lab.h).
 * Tests: lab 5's boot tests (wake many CPUs through their node's CPU).
 */
#include "lab.h"

void numa_serve_node(struct sidecar_control *control, uint32_t apic_id, uint32_t vector)
{
	// BEGIN LAB 5: response_cpu first, then response_vector (release): it turns them on
	__atomic_store_n(&control->response_cpu, apic_id, __ATOMIC_RELAXED);
	__atomic_store_n(&control->response_vector, vector, __ATOMIC_RELEASE);
	//> lab_fallback(5, __func__, "no response IPIs: clients poll");
	// END LAB 5
}

uint32_t client_collect(struct sidecar_control *control, const uint32_t *slots, uint32_t n,
			bool *done)
{
	uint32_t found = 0;
	// BEGIN LAB 5: clear needs_attention (exchange, acq_rel), then scan every waiting CPU
	__atomic_exchange_n(&control->needs_attention, 0, __ATOMIC_ACQ_REL);
	//> lab_fallback(5, __func__, "scanning every CPU without needs_attention");
	// END LAB 5
	for (uint32_t i = 0; i < n; i++) {
		if (!done[i] && __atomic_load_n(&control->cpu_status[slots[i]], __ATOMIC_ACQUIRE) ==
					CPU_STATUS_IDLE) {
			done[i] = true;
			found++;
		}
	}
	return found;
}
