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

// TODO(lab 2): what the waits share
/* (what your waits need to share goes here) */

bool sleep_until(uint64_t deadline_ns, const uint32_t *watch, uint32_t while_value)
{
	// TODO(lab 2): halt until the deadline or until *watch changes, losing no wake-up
	return false; /* spin instead */
}

void sleep_init(void)
{
	// TODO(lab 2): make halted waits possible on the APs
	lab_fallback(2, __func__, "starters spin through their waits");
}

void sleep_cpu_ready(struct percpu *pc)
{
	// TODO(lab 2): this CPU can take the wake vector
	(void)pc;
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
	// TODO(lab 2): end the wait of the CPU that started this one
	(void)pc;
}
