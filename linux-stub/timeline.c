/*
 * timeline.c - the monitor's "timeline" command: how the sidecar's CPUs
 * came up, one line per CPU, for make bench's bring-up chart.
 *
 *   timeline
 *
 * The sidecar notes three moments per CPU in its output page
 * (include/sidecar.h), with the TSC, which every CPU reads alike:
 *   init  its starter began INIT-SIPI-SIPI (kernel/ap.c, ap_start_and_wait),
 *   up    it reached C code in ap_main (after the trampoline),
 *   idle  it stored IDLE (after helping start the rest of its node).
 * We print them in microseconds from the first "init", with the starter's
 * APIC ID, so the fan-out tree can be read from the lines. The summary line
 * is the bring-up time from the first INIT to the last CPU idle; then how
 * long the BSP spent starting the nodes' first CPUs, and how long
 * sidecar_start() took before and after the bring-up.
 */
#include "timeline.h"
#include "console.h"
#include "sidecar.h"
#include "sidecar_client.h"
#include "timer.h"

static unsigned long us_since(uint64_t tsc, uint64_t origin)
{
	return tsc >= origin ? (unsigned long)(timer_tsc_to_ns(tsc - origin) / 1000) : 0;
}

int cmd_timeline(int argc, char **argv)
{
	(void)argv;
	const struct sidecar_output *o = sidecar_output_page();
	if (argc != 1)
		return kprintf("error: timeline takes no arguments\n"), -1;
	if (!o)
		return kprintf("error: no sidecar: there is no timeline\n"), -1;

	uint64_t first = 0, last = 0;
	uint32_t started = 0;
	for (uint32_t i = 0; i < o->cpu_count; i++) {
		if (!o->cpus[i].sidecar || !o->init_tsc[i])
			continue;
		started++;
		if (!first || o->init_tsc[i] < first)
			first = o->init_tsc[i];
		if (o->checkin_tsc[i] > last)
			last = o->checkin_tsc[i];
	}
	if (!started)
		return kprintf("error: the sidecar started no CPU\n"), -1;
	for (uint32_t i = 0; i < o->cpu_count; i++) {
		if (!o->cpus[i].sidecar || !o->init_tsc[i])
			continue;
		kprintf("timeline: cpu %u apic %u node %u starter %u init %lu up %lu idle %lu us\n",
			i, o->cpus[i].apic_id, o->cpus[i].node, o->cpus[i].starter_apic_id,
			us_since(o->init_tsc[i], first), us_since(o->up_tsc[i], first),
			us_since(o->checkin_tsc[i], first));
	}
	unsigned long total = us_since(last, first);
	kprintf("timeline: %u CPUs, first INIT to last idle %lu.%03lu ms\n", started, total / 1000,
		total % 1000);
	/* How long the BSP spent sending to the nodes' first CPUs: one INIT wait
	 * (10 ms by the SDM) if it started them together, one per node if not. */
	if (o->first_round_cpus) {
		unsigned long round = us_since(o->start_tsc + o->first_round_tsc, o->start_tsc);
		kprintf("timeline: the BSP sent INIT-SIPI-SIPI to %u first CPUs in %lu.%03lu ms\n",
			o->first_round_cpus, round / 1000, round % 1000);
	}
	/* The rest of sidecar_start(): setting up before, the BSP's wait after. */
	kprintf("timeline: sidecar_start() ran %lu us before the first INIT and %lu us after the "
		"last idle\n", us_since(first, o->start_tsc), us_since(o->done_tsc, last));
	return 0;
}
