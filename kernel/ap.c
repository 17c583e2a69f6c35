/*
 * ap.c - an application processor's life in the sidecar, and how it starts.
 *
 * Runs on every AP (ap_main) and on whichever CPU starts it
 * (ap_start_and_wait). The AP and its starter race on percpu.boot_state:
 * the AP swaps STARTING -> UP when it arrives, the starter swaps STARTING ->
 * FAILED when it gives up. Compare-and-swap makes exactly one of them win,
 * so a late AP can never run after it was reported FAILED: it parks.
 */
#include "kernel.h"
#include "console.h"
#include "lapic.h"
#include "timer.h"
#include "x86.h"

#define MSR_GS_BASE 0xc0000101

static __attribute__((noreturn)) void park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Take pc for this CPU to start: false if the BSP's deadline already gave up
 * on it. */
static bool claim(struct percpu *pc)
{
	uint32_t fresh = AP_NOT_STARTED;
	if (!__atomic_compare_exchange_n(&pc->boot_state, &fresh, AP_STARTING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	pc->starter_apic_id = lapic_id();
	output->cpus[pc->cpu].starter_apic_id = pc->starter_apic_id;
	output->init_tsc[pc->cpu] = rdtsc();
	return true;
}

/* Wait until pc checks in, or until start_timeout_us after `start` (when
 * its last SIPI went out): then it is FAILED. Waits for several CPUs
 * started together overlap, so n of them take at most one timeout. */
static void wait_for(struct percpu *pc, bool delivered, uint64_t start)
{
	uint64_t limit = params->start_timeout_us * 1000;
	if (delivered && !sleep_until(start + limit, &pc->boot_state, AP_STARTING))
		while (__atomic_load_n(&pc->boot_state, __ATOMIC_ACQUIRE) == AP_STARTING &&
		       timer_ns() - start < limit)
			cpu_relax();

	uint32_t expected = AP_STARTING;
	if (__atomic_compare_exchange_n(&pc->boot_state, &expected, AP_FAILED, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&pc->control->cpu_status[pc->slot], CPU_STATUS_FAILED,
				 __ATOMIC_RELEASE);
		__atomic_add_fetch(&output->failed, 1, __ATOMIC_ACQ_REL);
		kprintf("sidecar: cpu %u apic %u did not start (%s); marked failed\n", pc->cpu,
			pc->apic_id,
			delivered ? "no answer in time" : "INIT-SIPI-SIPI was not delivered");
	}
}

void ap_start_and_wait(struct percpu *pc)
{
	if (!claim(pc))
		return;
	int r = ap_send_init_sipi(pc->apic_id, params->trampoline_page);
	wait_for(pc, r == 0, timer_ns());
}

void ap_start_all_and_wait(struct percpu **pcs, uint32_t n)
{
	static uint32_t apic_ids[SIDECAR_MAX_NODES];
	static bool delivered[SIDECAR_MAX_NODES];
	static struct percpu *claimed[SIDECAR_MAX_NODES];
	while (n > 0) {
		uint32_t k = 0, i = 0;
		for (; i < n && k < ARRAY_SIZE(claimed); i++)
			if (claim(pcs[i])) {
				claimed[k] = pcs[i];
				apic_ids[k++] = pcs[i]->apic_id;
			}
		pcs += i, n -= i;
		if (k == 0)
			continue;
		bool sent = ap_send_init_sipi_all(apic_ids, k, params->trampoline_page,
						  delivered) == 0;
		uint64_t start = timer_ns();
		for (uint32_t c = 0; c < k; c++)
			wait_for(claimed[c], sent && delivered[c], start);
	}
}

void ap_main(struct percpu *pc)
{
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	uint32_t expected = AP_STARTING;
	if (!__atomic_compare_exchange_n(&pc->boot_state, &expected, AP_UP, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		park(); /* too late: our starter already reported us failed */
	output->up_tsc[pc->cpu] = rdtsc();

	gdt_init(pc);
	protect_init();
	fpu_init(pc);
	halt_cpu_init(pc);
	sleep_cpu_ready(pc);
	sleep_wake_starter(pc);
	if (params->flags & SIDECAR_LOG)
		kprintf("sidecar: cpu %u apic %u node %u up\n", pc->cpu, pc->apic_id, pc->node);

	if (!(params->flags & SIDECAR_SERIAL_START))
		fanout_help(pc->node_state); /* help start the rest: our node, then others */

	output->checkin_tsc[pc->cpu] = rdtsc();
	__atomic_store_n(&pc->control->cpu_status[pc->slot], CPU_STATUS_IDLE, __ATOMIC_RELEASE);
	__atomic_add_fetch(&output->started, 1, __ATOMIC_ACQ_REL);
	halt_loop(pc);
}
