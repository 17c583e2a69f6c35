/*
 * sidecar_client.h - the main kernel's side of the sidecar protocol.
 *
 * linux-stub (and, in lab 7, Linux's sidecar driver) finds the sidecar's
 * output page through its command line ("sidecar=<physical address>"),
 * checks it, and talks to sidecar CPUs through their node's control page and
 * their command pages (include/sidecar.h).
 */
#ifndef SIDECAR_CLIENT_H
#define SIDECAR_CLIENT_H

#include <stdbool.h>

#include "sidecar.h"

/*
 * Lab 3 (labs/03-ipi/wake.c): ask the CPU in cpu_status[slot] of this control
 * page to run its command: IDLE -> RUN, then the request IPI to apic_id.
 * Returns 0, or -1 if the CPU was not IDLE or the IPI failed.
 */
int sidecar_wake(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

/*
 * Lab 6 (labs/06-convert/convert.c): ask the CPU in cpu_status[slot] to
 * leave the sidecar: IDLE, RUN or STOP -> REMOVE, then the request IPI.
 * Returns 0, or -1 if the CPU cannot be removed (FAILED, REMOVE, REMOVED) or
 * the IPI failed.
 */
int sidecar_remove(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

/*
 * Lab 5 (labs/05-numa/attention.c): make the CPU with apic_id this node's
 * response CPU: sidecar CPUs of the node send vector to it when they finish
 * a command (response_cpu, then response_vector, which turns it on).
 */
void numa_serve_node(struct sidecar_control *control, uint32_t apic_id, uint32_t vector);

/*
 * Lab 5: after a response IPI (or a tick), find which of the n CPUs in
 * slots[] that have not answered yet (done[i] false) are IDLE again: mark
 * them done and return how many. Clear needs_attention before looking, so a
 * CPU finishing meanwhile raises it again and is not missed.
 */
uint32_t client_collect(struct sidecar_control *control, const uint32_t *slots, uint32_t n,
			bool *done);

#endif
