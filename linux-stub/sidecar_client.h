/*
 * sidecar_client.h - linux-stub/sidecar_client.c: the main kernel's view of
 * the sidecar. It finds the output page through "sidecar=", checks it, and
 * knows for each CPU its control page, its slot and its command page, and
 * for each sidecar node which CPU of ours serves it. The protocol's own
 * steps (wake, remove, collect) are the labs' (include/lab.h).
 */
#ifndef SIDECAR_CLIENT_H
#define SIDECAR_CLIENT_H

#include <stdbool.h>

#include "sidecar.h"

void sidecar_attach(void);
bool sidecar_cpu(uint32_t cpu, struct sidecar_control **control, uint32_t *slot,
		 struct sidecar_command_page **command);
const char *sidecar_state_name(uint32_t cpu); /* NULL: not a sidecar CPU */
/* A CPU the policy gave to the main kernel (not the sidecar's). */
bool sidecar_main_kernel_cpu(uint32_t cpu);
uint64_t sidecar_control_page(uint32_t node); /* 0: none */
/* A machine CPU's sidecar node (one per NUMA node, or pieces of one with
 * the shim's split=<n>): -1 when it has none. */
int sidecar_node_of(uint32_t cpu);
uint32_t sidecar_node_count(void);
void sidecar_forget(uint32_t cpu); /* after conversion: no longer a sidecar CPU */
/* cpu, one of ours and running, becomes the server of its sidecar node if
 * the node has none yet: its response CPU (lab 5's numa_serve_node), unless
 * it is the BSP, which polls. True if it did. */
bool sidecar_claim_node(uint32_t cpu);
/* The CPU of ours that serves a sidecar node: the BSP when none does. */
uint32_t sidecar_node_server(uint32_t node);
/* Ask the command running on cpu_status[slot] to return: RUN -> STOP, then
 * the request IPI to apic_id. 0 when asked, 1 when the CPU was not running
 * (it already answered: nothing is sent), -1 when the IPI failed. */
int client_stop(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);
/* Wait until cpu_status[slot] is status (IDLE) or the deadline (timer_ns)
 * passes; halted on our APs, which a response IPI or the tick wakes. */
bool client_wait_status(struct sidecar_control *control, uint32_t slot, uint32_t status,
			uint64_t deadline_ns);
bool client_wait_idle(struct sidecar_control *control, uint32_t slot, uint64_t deadline_ns);
/* The sidecar's output page, NULL without a sidecar. */
const struct sidecar_output *sidecar_output_page(void);

#endif
