/*
 * diag.h - how a parser explains what it rejected.
 *
 * Functions that read untrusted data (GRUB's multiboot2 information, the
 * firmware's ACPI tables, a kernel image) return a negative error code and
 * fill a struct diag with one line that names the object and the value, for
 * example "acpi: MADT checksum 0x3c, expected 0". The caller decides whether
 * that line is printed, logged, or checked by a unit test.
 */
#ifndef DIAG_H
#define DIAG_H

#include "klib.h"

enum {
	E_OK = 0,
	E_INVAL = -1,    /* malformed data: bad magic, size, alignment, count */
	E_CHECKSUM = -2, /* an ACPI checksum that does not sum to zero */
	E_NOTFOUND = -3, /* a table, tag or option that is not there */
	E_RANGE = -4,    /* a value outside what we can handle */
	E_NOMEM = -5,    /* no room left in a fixed table or in memory */
	E_UNSUPPORTED = -6,
};

struct diag {
	char msg[192];
};

/* Record why something failed and return err, so callers can write
 * "return diag_fail(d, E_INVAL, "mb2: tag %u size %u", type, size);". */
int diag_fail(struct diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *diag_errname(int err);

#endif
