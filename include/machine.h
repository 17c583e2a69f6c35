/*
 * machine.h - the machine as the firmware describes it.
 *
 * Built from the ACPI MADT (which CPUs exist, by APIC ID) and SRAT (which
 * NUMA node each CPU and each memory range belongs to). Without an SRAT the
 * whole machine is node 0. Both the shim and linux-stub build one: the shim
 * to decide where everything goes, linux-stub the way Linux does, from ACPI.
 */
#ifndef MACHINE_H
#define MACHINE_H

#include "acpi.h"

#define MAX_CPUS 2048 /* SIDECAR_MAX_CPUS */
#define MAX_NODES 64  /* NUMA nodes: OpenHCL's limit (SIDECAR_MAX_NODES counts sidecar nodes) */
#define MAX_NODE_MEMORY 128 /* two ranges per node at MAX_NODES */

struct machine_cpu {
	uint32_t apic_id;
	uint32_t processor_uid;
	uint32_t node; /* dense node index, 0 .. nnodes-1 */
	bool x2apic;
};

struct machine_memory {
	uint64_t base, length;
	uint32_t node;
};

struct machine {
	uint32_t ncpus;
	struct machine_cpu cpus[MAX_CPUS]; /* in MADT order: cpu index = position */
	uint32_t nnodes;
	uint32_t node_proximity[MAX_NODES]; /* ACPI proximity domain of each node */
	uint32_t nmemory;
	struct machine_memory memory[MAX_NODE_MEMORY]; /* from SRAT; empty without */
	bool have_srat;
	uint64_t local_apic_address;
	uint32_t skipped_cpus; /* duplicates, APIC ID 0xff or over MAX_CPUS: reported, not fatal */
	uint32_t srat_unknown_cpus;    /* SRAT CPU affinities for CPUs the MADT lacks */
	uint32_t srat_unknown_apic_id; /* the first of them */
};

/* Read MADT (required) and SRAT (optional) through the RSDP copy given. */
int machine_from_acpi(struct machine *m, const struct acpi_mem *mem, const void *rsdp,
		      size_t rsdp_len, struct diag *d);

/* Add a CPU that has no processor behind it (fault injection for lab 1). */
int machine_add_cpu(struct machine *m, uint32_t apic_id, uint32_t node, struct diag *d);

/* The CPU index with this APIC ID, or -1. */
int machine_cpu_index(const struct machine *m, uint32_t apic_id);

#endif
