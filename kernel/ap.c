/*
 * ap.c - an application processor's life in the sidecar, and how it starts.
 *
 * Runs on every AP (ap_main) and on whichever CPU starts it
 * (ap_start_and_wait). The AP and its starter race on percpu.boot_state:
 * the AP swaps STARTING -> UP when it arrives, the starter swaps STARTING ->
 * FAILED when it gives up. Compare-and-swap makes exactly one of them win,
 * so a late AP can never run after it was reported FAILED: it parks.
 * An AP runs on the shared boot tables until it is up, then moves to its
 * own (kernel/paging.c) for good: ap_settle() and everything after it.
 */
#include "ap.h"
#include "console.h"
#include "fpu.h"
#include "gdt.h"
#include "lab_sidecar.h"
#include "lapic.h"
#include "paging.h"
#include "percpu.h"
#include "protect.h"
#include "start.h"
#include "timer.h"
#include "x86.h"

static __attribute__((noreturn)) void ap_settle(struct percpu *pc);
__attribute__((noreturn)) void paging_switch(uint64_t cr3, uint64_t rsp,
					     void (*fn)(struct percpu *), struct percpu *arg);

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

/* Could this CPU sleep through a wait? An AP whose IDT is its own and
 * whose local APIC is enabled (lab 2's halt_cpu_init() has run): lab 2's
 * sleep_until() must then not spin. */
static bool can_sleep(struct percpu *pc)
{
	struct dtr idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	return pc->apic_id != sidecar_bsp_apic_id && idtr.base == (uint64_t)pc->idt &&
	       (lapic_read(LAPIC_SVR) & LAPIC_SVR_ENABLE);
}

/* What QEMU forgives in lab 2's sleep_until(), said once each: a wait that
 * spins where it could halt, and one that slept to its deadline although
 * the CPU it waited for checked in well before (a lost wake-up). */
static void check_sleep(struct percpu *me, struct percpu *pc, bool slept, uint64_t deadline)
{
	static uint32_t said_spun, said_lost;
	uint64_t up_ns = timer_tsc_to_ns(__atomic_load_n(&output->up_tsc[pc->cpu],
							 __ATOMIC_ACQUIRE));
	uint64_t slack = params->start_timeout_us * 100; /* a tenth of the timeout */
	if (!slept && me && can_sleep(me) && !__atomic_exchange_n(&said_spun, 1, __ATOMIC_ACQ_REL))
		kprintf("sidecar: cpu %u spun through its wait for cpu %u although it can sleep "
			"(lab 2's sleep_until)\n", me->cpu, pc->cpu);
	if (slept && up_ns && timer_ns() >= deadline && up_ns + slack < deadline &&
	    !__atomic_exchange_n(&said_lost, 1, __ATOMIC_ACQ_REL))
		kprintf("sidecar: cpu %u slept to its deadline although cpu %u was up %lu ms "
			"before it: a lost wake-up (lab 2's sleep_until)\n", me ? me->cpu : 0,
			pc->cpu, (unsigned long)((deadline - up_ns) / 1000000));
}

/* Wait until pc checks in, or until start_timeout_us after `start` (when
 * its last SIPI went out): then it is FAILED. Waits for several CPUs
 * started together overlap, so n of them take at most one timeout. */
static void wait_for(struct percpu *pc, bool delivered, uint64_t start)
{
	uint64_t limit = params->start_timeout_us * 1000;
	if (delivered) {
		bool slept = sleep_until(start + limit, &pc->boot_state, AP_STARTING);
		if (!slept)
			while (__atomic_load_n(&pc->boot_state, __ATOMIC_ACQUIRE) == AP_STARTING &&
			       timer_ns() - start < limit)
				cpu_relax();
		if (__atomic_load_n(&pc->boot_state, __ATOMIC_ACQUIRE) != AP_STARTING)
			check_sleep(lapic_id() == sidecar_bsp_apic_id ? NULL : this_cpu(), pc,
				    slept, start + limit);
	}

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
		uint64_t round = rdtsc();
		bool sent = ap_send_init_sipi_all(apic_ids, k, params->trampoline_page,
						  delivered) == 0;
		output->first_round_tsc += rdtsc() - round;
		output->first_round_cpus += k;
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

	/* Our own tables, while the boot tables still reach our pages. */
	uint64_t private_pa = (uint64_t)pc->stack_top + ALIGN_UP(sizeof(struct percpu), 64) -
			      SIDECAR_STACK_PAGES * SIDECAR_PAGE;
	paging_build_own(pc, private_pa, (uint64_t)pc->command, (uint64_t)pc->control);
	__asm__ volatile("cli" ::: "memory");
	output->checkin_tsc[pc->cpu] = rdtsc();
	__atomic_store_n(&pc->control->cpu_status[pc->slot], CPU_STATUS_IDLE, __ATOMIC_RELEASE);
	__atomic_add_fetch(&output->started, 1, __ATOMIC_ACQ_REL);
	/* From here on we see our pages only through the window. Commands wait:
	 * interrupts are off until the halt loop's first sti. */
	struct percpu *own = (struct percpu *)paging_window((uint64_t)pc, private_pa);
	pc->boot_self = (uint64_t)pc;
	pc->self = own;
	pc->stack_top = (uint64_t)own;
	pc->command = (void *)(WINDOW_BASE + WIN_COMMAND * SIDECAR_PAGE);
	pc->control = (void *)(WINDOW_BASE + WIN_CONTROL * SIDECAR_PAGE);
	paging_switch(pc->cr3, (uint64_t)own, ap_settle, own);
}

/* On our own tables: GS base, GDT and TSS at their window addresses. */
static void ap_settle(struct percpu *pc)
{
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	gdt_init(pc); /* a fresh TSS descriptor (not busy), rsp0 = the window stack */
	pc->own_tables = 1;
	halt_loop(pc);
}
