/*
 * Lab 2 - getting a sidecar CPU ready to sleep and be woken.
 *
 * Runs in the sidecar kernel, on each AP before its first halt, interrupts
 * off.
 *
 * A CPU that halts must be able to take the interrupt that wakes it, so
 * before its first hlt every sidecar CPU needs
 *   - an IDT (pc->idt: one page every sidecar CPU shares, each writing the
 *     same gates, read-only once the CPU is on its own tables): gates 0-31 for
 *     exceptions (trap_stub(v) from lib/runtime/trap_entry.asm, which panic with the
 *     CPU and the reason), the request vector from its node's control page
 *     (irq_request_entry, kernel/vectors.asm) and the spurious vector
 *     (irq_spurious_entry);
 *   - its local APIC enabled in software: the spurious-interrupt vector
 *     register (SDM vol. 3A 10.9) with bit 8 set and the spurious vector in
 *     bits 7:0, and a task priority of 0 so that every vector is delivered
 *     (10.8.3.1). Use x2APIC where CPUID offers it
 *     (lapic_enable_x2apic_if_available()).
 *
 * Until you write it, the skeleton does nothing but say so: the CPU then has
 * no IDT of its own and takes no interrupts, which the polling fallback of
 * halt_loop() copes with.
 *
 * Implement: halt_cpu_init() (declared in include/lab_sidecar.h).
 * Tests: every lab 2 test; without it no lab 1 CPU survives its first wake-up.
 */
#include "lab_sidecar.h"

void halt_cpu_init(struct percpu *pc)
{
	// TODO(lab 2): let this CPU take the interrupts that wake it, and only those
	lab_fallback(2, __func__, "no IDT and no local APIC: this CPU takes no interrupts");
}
