/*
 * fuzz_cmdline.c - libFuzzer harness: command lines and the numbers in them.
 *
 * The shim reads its own options from GRUB's command line (shim/options.c)
 * and linux-stub finds "sidecar=<address>" in its own (lib/portable/cmdline.c, the
 * way Linux's next_arg() splits parameters); both read numbers, sizes and
 * CPU lists with lib/portable/parse.c. The input is a command line (made
 * NUL-terminated). Every parameter cmdline_next() returns must lie inside
 * the line, each call must move on (no endless loop), and the numbers
 * parsed from each value go through parse_u64(), parse_size() and
 * parse_cpu_list() within the value's bounds. cmdline_append() must keep
 * its buffer NUL-terminated whatever it is asked to append. Seeds: the
 * command lines GRUB passed in QEMU (the multiboot2 seeds' tag 1).
 */
#include <stdlib.h>

#include "cmdline.h"
#include "numa.h"

#define IN(p, n) ((p) >= line && (p) + (n) <= line + size)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';

	const char *cursor = line;
	struct cmdline_param p;
	size_t params = 0;
	while (cmdline_next(&cursor, &p)) {
		if (++params > size + 1 || !IN(p.key, p.key_len) ||
		    (p.value && !IN(p.value, p.value_len)) || cursor < p.key)
			abort();
		if (p.value) {
			uint64_t v;
			static bool cpus[MAX_CPUS];
			parse_u64(p.value, p.value_len, &v);
			if (parse_size(p.value, p.value_len, &v) && p.value_len == 0)
				abort();
			parse_cpu_list(p.value, p.value_len, cpus);
		}
	}
	if (cmdline_find(line, "sidecar", &p) && (!IN(p.key, p.key_len) || p.key_len != 7))
		abort();

	char buf[32];
	struct diag d = {""};
	buf[0] = '\0';
	cmdline_append(buf, sizeof(buf), "console=ttyS0", &d);
	cmdline_append(buf, sizeof(buf), line, &d);
	if (strnlen(buf, sizeof(buf)) == sizeof(buf))
		abort();
	free(line);
	return 0;
}
