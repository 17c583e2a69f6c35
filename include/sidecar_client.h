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

#include "sidecar.h"

/*
 * Lab 3 (labs/03-ipi/wake.c): ask the CPU in cpu_status[slot] of this control
 * page to run its command: IDLE -> RUN, then the request IPI to apic_id.
 * Returns 0, or -1 if the CPU was not IDLE or the IPI failed.
 */
int sidecar_wake(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

#endif
