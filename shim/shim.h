/*
 * shim.h - what the shim's files share.
 */
#ifndef SHIM_H
#define SHIM_H

#include "bootparam.h"
#include "machine.h"
#include "mb2.h"
#include "physmem.h"

/* Options from the shim's own command line (GRUB's multiboot2 line). */
struct shim_options {
	bool verbose;
};

void shim_parse_options(const char *cmdline, struct shim_options *o);

/* The shim's view of the world, filled in by shim_main step by step. */
struct shim {
	struct mb2_parsed boot;
	struct machine machine;
	struct physmem memory;
	struct shim_options options;
};

/* shim/memory.c */
int shim_memory_init(struct shim *s, uint64_t mb2_info, uint32_t mb2_size);
void shim_print_machine(const struct shim *s);

/* shim/linux_boot.c: load the "kernel" module and jump to it; returns only
 * on error (after printing why). */
void shim_boot_linux(struct shim *s);

/* shim/entry.asm */
__attribute__((noreturn)) void boot_linux64(uint64_t entry, struct boot_params *bp);

extern const struct acpi_mem identity_acpi_mem;
extern char image_start[], image_end[];

#endif
