/*
 * Lab 6 - leaving the sidecar: the CPU's last steps before the main kernel
 * takes it.
 *
 * Runs in the sidecar kernel, on the CPU that leaves, called from its halt
 * loop with interrupts off.
 *
 * Conversion is one way, as in OpenHCL's sidecar: a CPU that Linux has
 * taken never comes back. The main kernel asks by storing REMOVE and
 * sending the request IPI; the halt loop (lab 2) then calls this. The CPU
 * must leave nothing behind that could disturb its new owner:
 *   - local APIC: mask every entry of its local vector table (SDM vol. 3A
 *     10.5.1: the timer, LINT0, LINT1, error, and the performance-counter
 *     and thermal entries where the APIC has them) and disable the APIC
 *     in software (SVR bit 8 clear, 10.4.7.2) - it keeps answering INIT and
 *     SIPI, which is all the main kernel will send;
 *   - then report: REMOVED (release: everything above happens before the
 *     client sees it), needs_attention, and the response IPI if the client
 *     asked for one (as ipi_acknowledge() does);
 *   - and park: interrupts off, hlt forever. The main kernel's INIT resets
 *     the CPU (SDM vol. 3A 10.4.7.3, 11.4.7.3 in recent editions: after INIT
 *     an AP waits for a SIPI), so the
 *     sidecar's stack and pages are never touched again.
 *
 * Implement: remove_cpu() (declared in include/lab_sidecar.h).
 * Tests: every lab 6 test.
 */
#include "lab_sidecar.h"

void remove_cpu(struct percpu *pc)
{
	// BEGIN LAB 6: leave nothing armed, report REMOVED, and wait for the INIT
	struct sidecar_control *c = pc->control;
	__asm__ volatile("cli" ::: "memory");
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	/* The performance-counter and thermal entries may deliver an NMI, which
	 * cli does not hold off; they and CMCI exist if the version register
	 * counts them (Linux's clear_local_APIC(), arch/x86/kernel/apic/apic.c,
	 * v6.1). */
	uint32_t max_lvt = LAPIC_VERSION_MAX_LVT(lapic_read(LAPIC_VERSION));
	if (max_lvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	if (max_lvt >= 6)
		lapic_write(LAPIC_LVT_CMCI, LVT_MASKED);
	lapic_write(LAPIC_SVR, SIDECAR_SPURIOUS_VECTOR); /* bit 8 clear: disabled */

	__atomic_store_n(&c->cpu_status[pc->slot], CPU_STATUS_REMOVED, __ATOMIC_RELEASE);
	__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);
	uint32_t vector = __atomic_load_n(&c->response_vector, __ATOMIC_ACQUIRE);
	if (vector)
		ipi_send(__atomic_load_n(&c->response_cpu, __ATOMIC_ACQUIRE), (uint8_t)vector);
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
	// END LAB 6
}
