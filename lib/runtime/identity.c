/*
 * identity.c - reading physical memory in the images.
 *
 * The shim and linux-stub map the first 4 GiB one-to-one (virtual address =
 * physical address), so a physical address is a pointer once we know it is
 * below 4 GiB. The ACPI parser reads firmware tables through this.
 */
#include "identity.h"

#define IDENTITY_LIMIT GiB(4)

static const void *identity_map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa == 0 || pa >= IDENTITY_LIMIT || len > IDENTITY_LIMIT - pa)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

const struct acpi_mem identity_acpi_mem = {identity_map, NULL};
