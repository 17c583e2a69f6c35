/*
 * identity.h - lib/identity.c: reading physical memory where it is mapped
 * one-to-one (the shim and linux-stub), for the ACPI parser.
 */
#ifndef IDENTITY_H
#define IDENTITY_H

#include "acpi.h"

extern const struct acpi_mem identity_acpi_mem;

#endif
