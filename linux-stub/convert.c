/*
 * convert.c - taking a CPU from the sidecar for good (lab 6), and "on".
 *
 *   convert <cpu>... [running] REMOVE the CPUs from the sidecar, wait until
 *                             each reports REMOVED and parks, then start it
 *                             as a linux-stub CPU with INIT-SIPI-SIPI (lab
 *                             6's convert_take_cpus). "running" first starts
 *                             the spin guest on each, so the REMOVE must pull
 *                             the CPU out of a running VP.
 *   on <cpu> <command...>     run a monitor command on one of linux-stub's
 *                             CPUs - a converted one, say - to show it works.
 *
 * This is what Linux does in lab 7 when sidecarctl writes 1 to
 * /sys/devices/system/cpu/cpuN/online: the CPU leaves the sidecar, and
 * Linux's own CPU hot-plug path brings it up.
 */
#include "convert.h"
#include "console.h"
#include "cpus.h"
#include "lab_stub.h"
#include "monitor.h"
#include "sidecar_client.h"
#include "smp.h"
#include "stub.h"
#include "timer.h"
#include "vmm.h"

/* One CPU of the list, checked: a sidecar CPU that started. */
static int convert_check(const char *arg, struct convert_cpu *c)
{
	uint64_t cpu;
	if (!parse_u64(arg, strlen(arg), &cpu))
		return kprintf("error: usage: convert <cpu>... [running]\n"), -1;
	if (cpu >= stub.machine.ncpus)
		return kprintf("error: no cpu %lu\n", (unsigned long)cpu), -1;
	uint32_t n = (uint32_t)cpu;
	if (stub.state[n] == CPU_LINUX)
		return kprintf("error: cpu %u is already linux-stub's\n", n), -1;
	if (!sidecar_cpu(n, &c->control, &c->slot, NULL))
		return kprintf("error: cpu %u is not a sidecar CPU (it is %s)\n", n,
			       cpu_state_name_of(n)), -1;
	if (sidecar_proto_status(&c->control->cpu_status[c->slot]) == CPU_STATUS_FAILED)
		return kprintf("error: cpu %u never started: there is nothing to convert\n", n), -1;
	c->cpu = n;
	c->apic_id = stub.machine.cpus[n].apic_id;
	return 0;
}

int cmd_convert(int argc, char **argv)
{
	static struct convert_cpu cpus[MAX_CPUS];
	bool running = argc > 2 && strcmp(argv[argc - 1], "running") == 0;
	uint32_t n = (uint32_t)(argc - 1 - running);
	if (argc < 2 || n > MAX_CPUS)
		return kprintf("error: usage: convert <cpu>... [running]\n"), -1;
	for (uint32_t i = 0; i < n; i++)
		if (convert_check(argv[1 + i], &cpus[i]))
			return -1;
	for (uint32_t i = 0; running && i < n; i++) {
		if (vmm_start(argv[1 + i], "spin"))
			return -1;
		mdelay(20); /* let it get into the guest */
		kprintf("convert: cpu %u is running the spin guest (status %u)\n", cpus[i].cpu,
			sidecar_proto_status(&cpus[i].control->cpu_status[cpus[i].slot]));
	}
	return convert_take_cpus(cpus, n); /* lab 6 */
}

struct on_job {
	char *line;
	int result;
};

static void on_job(void *p)
{
	struct on_job *j = p;
	kprintf("on: cpu %u runs '%s'\n", smp_this_cpu(), j->line);
	j->result = monitor_execute(j->line);
}

int cmd_on(int argc, char **argv)
{
	uint64_t cpu;
	static char line[256];
	if (argc < 3 || !parse_u64(argv[1], strlen(argv[1]), &cpu))
		return kprintf("error: usage: on <cpu> <command...>\n"), -1;
	if (cpu >= stub.machine.ncpus || stub.state[cpu] != CPU_LINUX)
		return kprintf("error: cpu %lu is not one of linux-stub's CPUs\n", (unsigned long)cpu),
		       -1;
	line[0] = '\0';
	for (int i = 2; i < argc; i++) {
		size_t have = strlen(line);
		fmt_snprintf(line + have, sizeof(line) - have, "%s%s", i > 2 ? " " : "", argv[i]);
	}
	struct on_job j = {line, -1};
	if (smp_run_on((uint32_t)cpu, on_job, &j))
		return -1;
	return j.result;
}
