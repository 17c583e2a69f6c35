/*
 * shim.h - what the shim's files share.
 */
#ifndef SHIM_H
#define SHIM_H

#include "bootparam.h"
#include "machine.h"
#include "mb2.h"
#include "numa.h"
#include "physmem.h"
#include "sidecar.h"

/* Options from the shim's own command line (GRUB's multiboot2 line). */
struct shim_options {
	bool verbose;
	bool serial_start;      /* no fan-out: the BSP starts every AP */
	bool modern_delays;     /* Linux's INIT-SIPI delays for modern CPUs */
	bool test_commands;     /* the sidecar accepts its test commands (TEST_TRESPASS) */
	bool xapic;             /* keep xAPIC mode where CPUID offers x2APIC */
	uint32_t phantom_cpu;   /* APIC ID of a CPU that does not exist, or 0 */
	bool have_phantom;
	bool dump_tables;       /* print the multiboot2 information and ACPI tables */
	uint64_t ap_timeout_ms; /* how long the sidecar waits for an AP (0: default) */
	struct cpu_policy policy; /* sidecar=off, main_cpus=<list> */
	int inject;               /* inject=<name>: shim/inject.c's number, 0 for none */
};

void shim_parse_options(const char *cmdline, struct shim_options *o);

/* What the shim keeps from the main kernel (shim/sidecar.c): the trampoline
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

/* shim/inject.c: fault injection (inject=<name>). Each returns its input
 * unchanged unless that injection is on; then a corrupted copy. */
int inject_lookup(const char *name, size_t len); /* 0: no such injection */
const char *inject_name(int injection);
const void *inject_mb2(int injection, const void *info);
const void *inject_acpi(int injection, const void *rsdp, size_t *len);
struct physmem *inject_sidecar_pool(int injection, struct physmem *pool);
size_t inject_e820_room(int injection, size_t room, size_t firmware_entries);
void inject_params_after(int injection, void *params, size_t size);

/* shim/dump.c: the dump_tables option (seeds for tests/fuzz/). */
void shim_dump_tables(const struct shim *s);

/* shim/memory.c */
int shim_memory_init(struct shim *s, uint64_t mb2_info, uint32_t mb2_size);
void shim_print_machine(const struct shim *s);

/* shim/sidecar.c: start the sidecar kernel if grub.cfg loaded one. */
void shim_start_sidecar(struct shim *s);
int sidecar_image_check(const void *image, size_t size,
			const struct sidecar_image_header **out, struct diag *d);

/* shim/linux_boot.c: load the "kernel" module and jump to it; returns only
 * on error (after printing why). */
void shim_boot_linux(struct shim *s);
/* shim/linux_boot.c: choose and reserve the main kernel's place early. */
void shim_reserve_kernel(struct shim *s);

/* shim/entry.asm */
__attribute__((noreturn)) void boot_linux64(uint64_t entry, struct boot_params *bp);

extern const struct acpi_mem identity_acpi_mem;
extern char image_start[], image_end[];

#endif
