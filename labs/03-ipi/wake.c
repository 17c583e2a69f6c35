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
	// TODO(lab 3): IDLE -> RUN with a release compare-and-swap, then the request IPI
	lab_todo(3, __func__);
}

void ipi_acknowledge(struct percpu *pc)
{
	// TODO(lab 3): RUN/STOP -> IDLE (CAS, release), needs_attention, response IPI if asked
	lab_todo(3, __func__);
}
