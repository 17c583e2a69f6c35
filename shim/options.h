/*
 * options.h - shim/options.c: the shim's own command line (GRUB's multiboot2
 * line), parsed into struct shim_options.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include "numa.h"

/* Options from the shim's own command line (GRUB's multiboot2 line). */
struct shim_options {
	bool verbose;
	bool serial_start;      /* no fan-out: the BSP starts every AP */
	bool modern_delays;     /* Linux's INIT-SIPI delays for modern CPUs */
	bool test_commands;     /* the sidecar accepts its test commands (TEST_TRESPASS) */
	bool trace_icr;         /* the sidecar prints every ICR write of its bring-up */
	bool race_windows;      /* the sidecar widens its halt's race window (tests) */
	bool xapic;             /* keep xAPIC mode where CPUID offers x2APIC */
	uint32_t phantom_cpu;   /* APIC ID of a CPU that does not exist, or 0 */
	bool have_phantom;
	bool dump_tables;       /* print the multiboot2 information and ACPI tables */
	uint64_t ap_timeout_ms; /* how long the sidecar waits for an AP (0: default) */
	struct cpu_policy policy; /* sidecar=off, main_cpus=<list> */
	int inject;               /* inject=<name>: shim/inject.c's number, 0 for none */
};

void shim_parse_options(const char *cmdline, struct shim_options *o);

#endif
