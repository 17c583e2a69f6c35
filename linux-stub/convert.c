/*
 * convert.c - taking a CPU from the sidecar for good (lab 6), and "on".
 *
 *   convert <cpu> [running]   REMOVE the CPU from the sidecar, wait until it
 *                             reports REMOVED and parks, then start it as a
 *                             linux-stub CPU with INIT-SIPI-SIPI. "running"
 *                             first starts the spin guest there, so the
 *                             REMOVE must pull the CPU out of a running VP.
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
#include "lab.h"
#include "monitor.h"
#include "sidecar_client.h"
#include "smp.h"
#include "stub.h"
#include "timer.h"
#include "vmm.h"

#define REMOVE_TIMEOUT_NS 2000000000ull


int cmd_convert(int argc, char **argv)
{
	uint64_t cpu;
	if (argc < 2 || argc > 3 || !parse_u64(argv[1], strlen(argv[1]), &cpu) ||
	    (argc == 3 && strcmp(argv[2], "running") != 0))
		return kprintf("error: usage: convert <cpu> [running]\n"), -1;
	if (cpu >= stub.machine.ncpus)
		return kprintf("error: no cpu %lu\n", (unsigned long)cpu), -1;
	uint32_t n = (uint32_t)cpu;
	struct sidecar_control *c;
	uint32_t slot;
	if (stub.state[n] == CPU_LINUX)
		return kprintf("error: cpu %u is already linux-stub's\n", n), -1;
	if (!sidecar_cpu(n, &c, &slot, NULL))
		return kprintf("error: cpu %u is not a sidecar CPU (it is %s)\n", n,
			       cpu_state_name_of(n)), -1;
	uint32_t status = __atomic_load_n(&c->cpu_status[slot], __ATOMIC_ACQUIRE);
	if (status == CPU_STATUS_FAILED)
		return kprintf("error: cpu %u never started: there is nothing to convert\n", n), -1;

	if (argc == 3) {
		if (vmm_start(argv[1], "spin"))
			return -1;
		mdelay(20); /* let it get into the guest */
		kprintf("convert: cpu %u is running the spin guest (status %u)\n", n,
			__atomic_load_n(&c->cpu_status[slot], __ATOMIC_ACQUIRE));
	}

	uint64_t t0 = timer_ns();
	if (sidecar_remove(c, slot, stub.machine.cpus[n].apic_id)) /* lab 6 */
		return kprintf("error: cpu %u cannot be removed (status %u)\n", n,
			       __atomic_load_n(&c->cpu_status[slot], __ATOMIC_ACQUIRE)), -1;
	if (!client_wait_status(c, slot, CPU_STATUS_REMOVED, timer_ns() + REMOVE_TIMEOUT_NS))
		return kprintf("error: cpu %u did not leave the sidecar within 2 s (status %u)\n", n,
			       __atomic_load_n(&c->cpu_status[slot], __ATOMIC_ACQUIRE)), -1;
	uint64_t t1 = timer_ns();
	sidecar_forget(n); /* no more sidecar commands for it, ever */
	if (smp_start_cpu(n))
		return -1;
	sidecar_claim_node(n); /* serves its node if no CPU of ours does yet */
	uint64_t t2 = timer_ns();
	kprintf("convert: cpu %u apic %u is now linux-stub's (removed in %lu us, online in %lu us)\n",
		n, stub.machine.cpus[n].apic_id, (unsigned long)((t1 - t0) / 1000),
		(unsigned long)((t2 - t1) / 1000));
	return 0;
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
