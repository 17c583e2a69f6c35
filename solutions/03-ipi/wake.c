/*
 * Lab 3 - the client's side of a wake-up: starting a command, stopping it,
 * and waiting for the answer.
 *
 * Runs in linux-stub, on the CPU that serves the node (the BSP, or the node's
 * own CPU of linux-stub's), interrupts off except while it halts.
 *
 * A client asks a sidecar CPU to work by moving its cpu_status in the
 * node's control page from IDLE to RUN and sending the request IPI (the
 * vector is in the control page). A CPU woken by that IPI must be sure to
 * see RUN and everything the client wrote to the command page before it;
 * and a second client, or a second wake of a busy CPU, must fail cleanly
 * instead of corrupting a command in flight. Stopping is RUN -> STOP, then
 * the IPI, which pulls a CPU out of a running VP; sidecar_proto_stop()
 * (include/sidecar_protocol.h) is the compare-and-swap that Linux's driver
 * shares. Waiting has the halt loop's trap on the client's side: the answer
 * (and its response IPI) may land between the look at the status and the
 * halt. Every wait has a deadline: a CPU that never answers must not hang
 * the client.
 *
 * Implement: sidecar_wake(), client_stop() and client_wait_status()
 * (include/lab_stub.h).
 * Tests: lab 3's tests (the early STOP: "wake all 50 stop"), the host suite
 * "ipi"; from lab 4 on, every command waits with client_wait_status().
 */
#include "lab_stub.h"

int sidecar_wake(struct sidecar_control *control, uint32_t slot, uint32_t apic_id)
{
	// BEGIN LAB 3: start the command, or refuse a CPU that is not IDLE
	uint32_t expected = CPU_STATUS_IDLE;
	if (!__atomic_compare_exchange_n(&control->cpu_status[slot], &expected, CPU_STATUS_RUN,
					 false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return -1; /* not idle: busy, failed, or not a sidecar CPU */
	return ipi_send(apic_id, (uint8_t)control->request_vector);
	// END LAB 3
}

int client_stop(struct sidecar_control *control, uint32_t slot, uint32_t apic_id)
{
	// BEGIN LAB 3: stop the running command, or say it had already answered
	if (!sidecar_proto_stop(&control->cpu_status[slot]))
		return 1; /* not running: it already answered */
	uint32_t vector = __atomic_load_n(&control->request_vector, __ATOMIC_RELAXED);
	return ipi_send(apic_id, (uint8_t)vector) ? -1 : 0;
	// END LAB 3
}

bool client_wait_status(struct sidecar_control *control, uint32_t slot, uint32_t status,
			uint64_t deadline_ns)
{
	// BEGIN LAB 3: wait for the status without missing the answer, until the deadline
	uint64_t flags = irq_save(); /* given back as they were */
	bool there;
	for (;;) {
		cli();
		there = sidecar_proto_status(&control->cpu_status[slot]) == status;
		if (there || timer_ns() >= deadline_ns)
			break;
		smp_wait(); /* a response IPI or the tick wakes us */
	}
	irq_restore(flags);
	return there;
	// END LAB 3
}
