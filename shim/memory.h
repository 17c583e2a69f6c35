/*
 * memory.h - shim/memory.c: the machine's memory and CPUs, from multiboot2
 * and ACPI, into struct shim.
 */
#ifndef SHIM_MEMORY_H
#define SHIM_MEMORY_H

#include "shim.h"

int shim_memory_init(struct shim *s, uint64_t mb2_info, uint32_t mb2_size);
void shim_print_machine(const struct shim *s);

#endif
