/*
 * fuzz.h - the checks every harness in tests/fuzz/ makes the same way.
 *
 * Every parser in the project reports the same way (lib/portable/diag.c): 0 for
 * success, or a negative error with a message in its struct diag that
 * names the problem. A positive result, or an error without a message, is
 * a bug the fuzzer must stop on, whatever the input was.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "diag.h"

static inline void fuzz_expect_explained(int r, const struct diag *d)
{
	if (r > 0 || (r < 0 && d->msg[0] == '\0'))
		abort();
}

/* The input as one ACPI table (a copy the caller frees), its header's
 * length set to the input's size, as acpi_find_table() guarantees before
 * any walk runs; NULL for an input too short for a header or too long to
 * be a table the fuzzer needs. */
static inline void *fuzz_acpi_table(const uint8_t *data, size_t size)
{
	if (size < sizeof(struct acpi_sdt_header) || size > 0xffff)
		return NULL;
	struct acpi_sdt_header *table = malloc(size);
	memcpy(table, data, size);
	table->length = (uint32_t)size;
	return table;
}

#endif
