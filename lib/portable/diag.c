/*
 * diag.c - filling in the explanation that goes with an error code.
 */
#include "diag.h"

int diag_fail(struct diag *d, int err, const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		fmt_vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *diag_errname(int err)
{
	switch (err) {
	case E_OK:
		return "ok";
	case E_INVAL:
		return "malformed";
	case E_CHECKSUM:
		return "bad checksum";
	case E_NOTFOUND:
		return "not found";
	case E_RANGE:
		return "out of range";
	case E_NOMEM:
		return "out of memory";
	case E_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown error";
}
