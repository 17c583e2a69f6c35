/*
 * options.c - the shim's own command line.
 *
 * Written after the shim's path on grub.cfg's multiboot2 line and extended by
 * `make qemu SHIM_ARGS=...`. Unknown options are reported, not fatal: a typo
 * should not stop a boot.
 *
 *   verbose              print the memory map, what is in use, each AP coming up
 *   phantom_cpu=<apic>   fault injection: add a CPU with this APIC ID that has
 *                        no processor behind it (it must end up FAILED)
 *   ap_timeout_ms=<ms>   how long the sidecar waits for an AP (default 1000)
 *   serial_start         the BSP starts every AP itself, one after the other,
 *                        as Linux traditionally does (make bench compares)
 *   modern_delays        wait after INIT and each SIPI as Linux does on modern
 *                        CPUs (0 and 10 us) instead of the SDM's 10 ms and 200 us
 *   sidecar=off          no sidecar: the main kernel keeps every CPU
 *   main_cpus=<list>     the main kernel keeps these CPUs (indexes, "0,4-5"),
 *                        the sidecar gets the rest; default: the first CPU of
 *                        every node
 *   split=<n>            cut each NUMA node into sidecar nodes of at most n
 *                        CPUs, each with its own control page and its first
 *                        CPU kept for the main kernel (OpenHCL's n is 32)
 *   inject=<name>        fault injection: corrupt a copy of one input before
 *                        the shim reads it (the names are in shim/inject.c)
 *   xapic                keep the local APICs in xAPIC mode even where CPUID
 *                        offers x2APIC (the default switches to x2APIC)
 *   dump_tables          print the multiboot2 information and the ACPI tables
 *                        in hex (shim/dump.c; tools/fuzz_seeds.py reads them)
 *   test_commands        the sidecar accepts its test commands (TEST_TRESPASS:
 *                        a CPU writes where it may not; tests/hardening_tests.py);
 *                        never in a normal boot
 *   trace_icr            the sidecar records every IPI its CPUs send during
 *                        bring-up (destination, ICR, TSC) and prints them at
 *                        the end: lab 1's tests check INIT-SIPI-SIPI's order
 *                        and delays, which QEMU itself never checks
 *   race_windows         the sidecar's CPUs spin 1 ms just before each halt
 *                        (include/halt.h): a halt loop that checks its status
 *                        with interrupts on then loses wake-ups every time
 */
#include "options.h"
#include "cmdline.h"
#include "console.h"
#include "inject.h"

static bool is(const struct cmdline_param *p, const char *key)
{
	return p->key_len == strlen(key) && strncmp(p->key, key, p->key_len) == 0;
}

/* A later main_cpus= replaces an earlier one; a bad list changes nothing. */
static bool parse_main_cpus(const struct cmdline_param *p, struct cpu_policy *policy)
{
	static bool list[MAX_CPUS];
	memset(list, 0, sizeof(list));
	if (!parse_cpu_list(p->value, p->value_len, list))
		return false;
	memcpy(policy->main_list, list, sizeof(list));
	return true;
}

void shim_parse_options(const char *cmdline, struct shim_options *o)
{
	struct cmdline_param p;
	const char *c = cmdline;

	memset(o, 0, sizeof(*o));
	while (cmdline_next(&c, &p)) {
		uint64_t v;
		bool number = p.value && parse_u64(p.value, p.value_len, &v);
		if (is(&p, "verbose"))
			o->verbose = true;
		else if (is(&p, "xapic"))
			o->xapic = true;
		else if (is(&p, "dump_tables"))
			o->dump_tables = true;
		else if (is(&p, "serial_start"))
			o->serial_start = true;
		else if (is(&p, "modern_delays"))
			o->modern_delays = true;
		else if (is(&p, "test_commands"))
			o->test_commands = true;
		else if (is(&p, "trace_icr"))
			o->trace_icr = true;
		else if (is(&p, "race_windows"))
			o->race_windows = true;
		else if (is(&p, "sidecar") && p.value && p.value_len == 3 &&
			 strncmp(p.value, "off", 3) == 0)
			o->policy.sidecar_off = true;
		else if (is(&p, "main_cpus") && p.value && parse_main_cpus(&p, &o->policy))
			o->policy.have_list = true;
		else if (is(&p, "phantom_cpu") && number && v < 0xffffffffull) {
			o->phantom_cpu = (uint32_t)v;
			o->have_phantom = true;
		} else if (is(&p, "split") && number && v > 0 && v <= SIDECAR_CONTROL_MAX_CPUS)
			o->policy.split = (uint32_t)v;
		else if (is(&p, "ap_timeout_ms") && number && v > 0 && v <= 60000)
			o->ap_timeout_ms = v;
		else if (is(&p, "inject") && p.value && inject_lookup(p.value, p.value_len))
			o->inject = inject_lookup(p.value, p.value_len);
		else if (is(&p, "phantom_cpu") || is(&p, "ap_timeout_ms") || is(&p, "sidecar") ||
			 is(&p, "main_cpus") || is(&p, "inject") || is(&p, "split"))
			kprintf("shim: warning: bad value in '%.*s' ignored\n",
				(int)(p.key_len + (p.value ? p.value_len + 1 : 0)), p.key);
		else
			kprintf("shim: warning: unknown option '%.*s' ignored\n", (int)p.key_len,
				p.key);
	}
}
