/*
 * inject.h - shim/inject.c: fault injection (inject=<name>). Each returns
 * its input unchanged unless that injection is on; then a corrupted copy.
 */
#ifndef INJECT_H
#define INJECT_H

#include "physmem.h"

int inject_lookup(const char *name, size_t len); /* 0: no such injection */
const char *inject_name(int injection);
const void *inject_mb2(int injection, const void *info);
const void *inject_acpi(int injection, const void *rsdp, size_t *len);
struct physmem *inject_sidecar_pool(int injection, struct physmem *pool);
size_t inject_e820_room(int injection, size_t room, size_t firmware_entries);
void inject_params_after(int injection, void *params, size_t size);

#endif
