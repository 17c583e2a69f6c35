/*
 * cmdline.h - kernel command lines, parsed the way Linux parses them.
 *
 * Parameters are separated by spaces; a parameter is "key" or "key=value";
 * double quotes group spaces into one parameter ("key=a b" or key="a b") and
 * are removed (Linux: lib/portable/cmdline.c, next_arg()). The shim both reads its own
 * command line and builds the main kernel's.
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include "diag.h"

struct cmdline_param {
	const char *key;
	size_t key_len;
	const char *value; /* NULL when the parameter has no '=' */
	size_t value_len;  /* quotes not counted */
};

/* Take the next parameter from *cursor; false at the end. */
bool cmdline_next(const char **cursor, struct cmdline_param *p);

/* Find the last parameter called key (later ones override earlier ones). */
bool cmdline_find(const char *cmdline, const char *key, struct cmdline_param *p);

/* Append " text" (or "text" to an empty line) to buf of size bytes. */
int cmdline_append(char *buf, size_t size, const char *text, struct diag *d);

#endif
