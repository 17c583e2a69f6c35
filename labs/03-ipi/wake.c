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
	// TODO(lab 3): start the command, or refuse a CPU that is not IDLE
	lab_todo(3, __func__);
}

int client_stop(struct sidecar_control *control, uint32_t slot, uint32_t apic_id)
{
	// TODO(lab 3): stop the running command, or say it had already answered
	lab_todo(3, __func__);
}

bool client_wait_status(struct sidecar_control *control, uint32_t slot, uint32_t status,
			uint64_t deadline_ns)
{
	// TODO(lab 3): wait for the status without missing the answer, until the deadline
	lab_todo(3, __func__);
}
