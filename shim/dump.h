/*
 * dump.h - shim/dump.c: the dump_tables option, which prints the multiboot2
 * information and the ACPI tables (seeds for tests/fuzz/).
 */
#ifndef DUMP_H
#define DUMP_H

#include "shim.h"

void shim_dump_tables(const struct shim *s);

#endif
