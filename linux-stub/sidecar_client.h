/*
 * sidecar_client.h - linux-stub/sidecar_client.c: the main kernel's view of
 * the sidecar. It finds the output page through "sidecar=", checks it, and
 * knows for each CPU its control page, its slot and its command page, and
 * for each sidecar node which CPU of ours serves it. The protocol's own
 * steps (wake, stop, wait, remove, collect) are the labs' (include/lab_stub.h).
 */
#ifndef SIDECAR_CLIENT_H
#define SIDECAR_CLIENT_H

#include <stdbool.h>

#include "lab_stub.h"
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
/* sidecar_forget() and sidecar_claim_node() are declared in include/lab_stub.h,
 * for the labs that call them. */
/* The CPU of ours that serves a sidecar node: the BSP when none does. */
uint32_t sidecar_node_server(uint32_t node);
/* client_stop() and client_wait_status() are lab 3's (include/lab_stub.h). */
bool client_wait_idle(struct sidecar_control *control, uint32_t slot, uint64_t deadline_ns);
/* The sidecar's output page, NULL without a sidecar. */
const struct sidecar_output *sidecar_output_page(void);

#endif
