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
	// BEGIN LAB 2: let this CPU take the interrupts that wake it, and only those
	for (unsigned v = 0; v < 32; v++)
		idt_set_gate(pc->idt, v, trap_stub(v));
	idt_set_gate(pc->idt, pc->control->request_vector & 0xff, irq_request_entry);
	idt_set_gate(pc->idt, SIDECAR_SPURIOUS_VECTOR, irq_spurious_entry);
	idt_load(pc->idt);

	lapic_enable_x2apic_if_available();
	/* LINT0 and LINT1 carry the legacy lines (the 8259's ExtINT, NMI), and
	 * they belong to the main kernel's BSP: Linux masks both on every other
	 * CPU (arch/x86/kernel/apic/apic.c, setup_local_APIC(), v6.1). The
	 * timer stays masked until a halted wait arms it (sleep.c). */
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SIDECAR_SPURIOUS_VECTOR);
	//> lab_fallback(2, __func__, "no IDT and no local APIC: this CPU takes no interrupts");
	// END LAB 2
}
