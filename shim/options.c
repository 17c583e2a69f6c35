/*
 * options.c - the shim's own command line.
 *
 * Written after the shim's path on grub.cfg's multiboot2 line and extended by
 * `make qemu SHIM_ARGS=...`. Unknown options are reported, not fatal: a typo
 * should not stop a boot.
 *
 *   verbose        print the memory map and every allocation
 */
#include "shim.h"
#include "cmdline.h"
#include "console.h"

static bool is(const struct cmdline_param *p, const char *key)
{
	return p->key_len == strlen(key) && strncmp(p->key, key, p->key_len) == 0;
}

void shim_parse_options(const char *cmdline, struct shim_options *o)
{
	struct cmdline_param p;
	const char *c = cmdline;

	memset(o, 0, sizeof(*o));
	while (cmdline_next(&c, &p)) {
		if (is(&p, "verbose"))
			o->verbose = true;
		else
			kprintf("shim: warning: unknown option '%.*s' ignored\n", (int)p.key_len,
				p.key);
	}
}
