/*
 * Lab 2 - sleeping through a wait with a deadline.
 *
 * Runs in the sidecar kernel, on an AP that starts other APs (sleep_init: the
 * BSP), interrupts off except inside the halt.
 *
 * During fan-out every CPU that is up starts another one, and starting one
 * means waiting: 10 ms after INIT (SDM vol. 3A 8.4.4.1), 200 us after each
 * SIPI, and then until the new CPU checks in. Spinning through those waits is
 * fine on real hardware, where every CPU has its own core; under software
 * emulation all emulated CPUs share the host's few cores, and a hundred
 * spinning starters starve the very CPUs they wait for. So a starter that
 * can take interrupts waits halted instead: a one-shot local APIC timer
 * (SDM 10.5.4) ends the wait at its deadline, and the CPU it started sends it
 * an IPI on SIDECAR_WAKE_VECTOR as soon as it is up, to end the wait early.
 * It is the halt loop's lost-wake-up problem once more, with a deadline.
 *
 * Until you write it, sleep_until() answers "cannot sleep" and every wait
 * spins (the fan-out still works, only more slowly).
 *
 * Implement: sleep_init(), sleep_until(), sleep_cpu_ready() and
 * sleep_wake_starter() (declared in include/lab_sidecar.h).
 * Tests: lab 2's "a started AP wakes its sleeping starter (the ICR trace)"
 * and every lab 2 test's fallback check (sleep_init() written).
 */
#include "lab_sidecar.h"

// BEGIN LAB 2: what the waits share
static uint32_t ticks_per_ms; /* the local APIC timer's rate, measured by the BSP */
static uint32_t bsp_apic_id;

/* Can this CPU take the wake interrupt? Only an AP whose IDT is its own
 * (with the wake gate in it) and whose local APIC is enabled. */
static struct percpu *sleeper(void)
{
	if (!ticks_per_ms || lapic_id() == bsp_apic_id)
		return NULL;
	struct percpu *pc = this_cpu();
	struct dtr idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	if (idtr.base != (uint64_t)pc->idt || !(lapic_read(LAPIC_SVR) & LAPIC_SVR_ENABLE))
		return NULL;
	return pc;
}

static bool sleep_ns(uint64_t ns)
{
	return sleep_until(timer_ns() + ns, NULL, 0);
}
//> /* (what your waits need to share goes here) */
// END LAB 2

bool sleep_until(uint64_t deadline_ns, const uint32_t *watch, uint32_t while_value)
{
	// BEGIN LAB 2: halt until the deadline or until *watch changes, losing no wake-up
	if (!sleeper())
		return false;
	for (;;) {
		cli();
		if (watch && __atomic_load_n(watch, __ATOMIC_ACQUIRE) != while_value)
			break;
		uint64_t now = timer_ns();
		if (now >= deadline_ns)
			break;
		uint64_t ticks = (deadline_ns - now) / 1000 * ticks_per_ms / 1000 + 1;
		lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_16); /* as calibrated */
		lapic_write(LAPIC_LVT_TIMER, SIDECAR_WAKE_VECTOR); /* one-shot */
		lapic_write(LAPIC_TIMER_INITIAL, ticks > 0xffffffff ? 0xffffffff : (uint32_t)ticks);
		safe_halt();
	}
	lapic_write(LAPIC_TIMER_INITIAL, 0); /* stop the timer */
	return true;
	//> return false; /* spin instead */
	// END LAB 2
}

void sleep_init(void)
{
	// BEGIN LAB 2: make halted waits possible on the APs
	bsp_apic_id = lapic_id();
	ticks_per_ms = lapic_timer_calibrate();
	timer_set_sleeper(sleep_ns); /* udelay() and mdelay() may now halt on APs */
	//> lab_fallback(2, __func__, "starters spin through their waits");
	// END LAB 2
}

void sleep_cpu_ready(struct percpu *pc)
{
	// BEGIN LAB 2: this CPU can take the wake vector
	idt_set_gate(pc->idt, SIDECAR_WAKE_VECTOR, irq_eoi_entry);
	//> (void)pc;
	// END LAB 2
}

void sleep_wake_starter(struct percpu *pc)
{
	/* Never the BSP: it spins, and the vector would stay pending in its
	 * local APIC until the main kernel, which has no gate for it, enables
	 * interrupts there. A sidecar starter that could not sleep has no
	 * gate either, but it has no enabled APIC to take the IPI: it is lost.
	 * The ICR is written here, not through lab 3's ipi_send(): this runs in
	 * every boot from lab 1 on, long before lab 3 is written. A wake that is
	 * not delivered only leaves the starter to its timer's deadline. */
	// BEGIN LAB 2: end the wait of the CPU that started this one
	if (ticks_per_ms && pc->starter_apic_id != bsp_apic_id)
		lapic_send_icr(pc->starter_apic_id, ICR_FIXED | SIDECAR_WAKE_VECTOR,
			       ICR_DELIVERY_TIMEOUT_US);
	//> (void)pc;
	// END LAB 2
}
