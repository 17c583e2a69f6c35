/*
 * Lab 3 - the wake-up protocol, both ends.
 *
 * The client (linux-stub) asks a sidecar CPU to work by changing its
 * cpu_status in the node's control page from IDLE to RUN and then sending
 * the request IPI (the vector is in the control page). The order matters:
 * status first, with release order, so that a CPU woken by the IPI is sure
 * to see RUN and everything written before it. A compare-and-swap from IDLE
 * makes a second client (or a second wake of a busy CPU) fail cleanly
 * instead of corrupting a command in flight.
 *
 * The sidecar CPU acknowledges when the command is done: it changes RUN (or
 * STOP, a stop request that arrived meanwhile) to IDLE with release order
 * (publishing its reply) - with a compare-and-swap, so that a REMOVE the
 * client stored meanwhile (lab 6) is not overwritten - raises the node's
 * needs_attention flag, and, if the client asked for one (response_vector
 * non-zero), sends the response IPI to response_cpu. This is OpenHCL's protocol
 * (openhcl/sidecar_defs: CpuStatus, needs_attention).
 *
 * Implement: sidecar_wake() (include/lab.h) and
 * ipi_acknowledge() (include/lab.h).
 * Tests: lab 3's tests.
 */
#include "lab.h"
#include "lapic.h"
#include "percpu.h"

int sidecar_wake(struct sidecar_control *control, uint32_t slot, uint32_t apic_id)
{
	// BEGIN LAB 3: IDLE -> RUN with a release compare-and-swap, then the request IPI
	uint32_t expected = CPU_STATUS_IDLE;
	if (!__atomic_compare_exchange_n(&control->cpu_status[slot], &expected, CPU_STATUS_RUN,
					 false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return -1; /* not idle: busy, failed, or not a sidecar CPU */
	return ipi_send(apic_id, (uint8_t)control->request_vector);
	// END LAB 3
}

void ipi_acknowledge(struct percpu *pc)
{
	// BEGIN LAB 3: RUN/STOP -> IDLE (CAS, release), needs_attention, response IPI if asked
	struct sidecar_control *c = pc->control;
	uint32_t s = __atomic_load_n(&c->cpu_status[pc->slot], __ATOMIC_RELAXED);
	while ((s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) &&
	       !__atomic_compare_exchange_n(&c->cpu_status[pc->slot], &s, CPU_STATUS_IDLE, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);
	uint32_t vector = __atomic_load_n(&c->response_vector, __ATOMIC_ACQUIRE);
	if (vector)
		ipi_send(__atomic_load_n(&c->response_cpu, __ATOMIC_ACQUIRE), (uint8_t)vector);
	// END LAB 3
}
