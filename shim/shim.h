/*
 * shim.h - shim/main.c: the shim's view of the machine (struct shim), which
 * its steps fill in one after another, and its entry. Each shim/foo.c
 * declares its functions in shim/foo.h.
 */
#ifndef SHIM_H
#define SHIM_H

#include "bootparam.h"
#include "machine.h"
#include "mb2.h"
#include "numa.h"
#include "physmem.h"
#include "options.h"
#include "sidecar.h"


/* What the shim keeps from the main kernel (shim/start_sidecar.c): the trampoline
 * page, the output pages, the parameter page and the sidecar image, then one
 * block per sidecar node. Sized from the ABI's limit, so that it follows it. */
#define SHIM_FIXED_RESERVATIONS 4
#define SHIM_MAX_RESERVED (SHIM_FIXED_RESERVATIONS + SIDECAR_MAX_NODES)

/* The shim's view of the world, filled in by shim_main step by step. */
struct shim {
	struct mb2_parsed boot;
	struct machine machine;
	struct physmem memory;
	struct shim_options options;
	uint64_t mb2_info;
	/* Memory the main kernel must not use (the sidecar's), for its e820. */
	uint32_t nreserved;
	struct e820_range reserved[SHIM_MAX_RESERVED];
	uint64_t sidecar_output; /* physical address of the output page, or 0 */
	uint64_t kernel_load;    /* where the main kernel's code goes, once chosen, or 0 */
	uint32_t param_index[MAX_CPUS]; /* machine CPU index -> parameter page index */
};

/* The C entry (shim/entry.asm), with multiboot2's magic and information. */
__attribute__((noreturn)) void shim_main(uint32_t magic, uint32_t info);

#endif
