/*
 * start.h - kernel/start.c: the sidecar's entry on the BSP and the state it
 * sets up for everyone: the copy of the parameter page, the output page and
 * the nodes.
 */
#ifndef START_H
#define START_H

#include "percpu.h"

/* The sidecar's own copy of the parameter page, and the address of the
 * shim's page it was copied from: an address to keep guest memory away
 * from, never read. */
extern const struct sidecar_params *params;
extern uint64_t params_page;
extern struct sidecar_output *output;
/* The BSP's APIC ID: the CPU that runs sidecar_start() in the shim's
 * environment. */
extern uint32_t sidecar_bsp_apic_id;
extern struct node nodes[SIDECAR_MAX_NODES];

/* The image's entry on the BSP (include/sidecar.h, bsp_entry): lay out the
 * nodes' memory, start the APs, wait, report; 0, or -1 with the reason in
 * the output page. */
int sidecar_start(const struct sidecar_params *shim_params);

/* A line on the console, prefixed "sidecar: ". */
void sidecar_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
