/*
 * Lab 1 - starting one AP: INIT, then two Startup IPIs.
 *
 * Runs in every image that starts CPUs (the sidecar kernel, linux-stub), on
 * the CPU that starts one, interrupts off.
 *
 * After reset every AP waits for an INIT IPI, then for a Startup IPI (SIPI)
 * whose 8-bit vector names the 4 KiB page below 1 MiB where it starts in
 * real mode. The Intel SDM (vol. 3A 8.4.4.1 in older editions, 9.4.4.1 in
 * newer: "Typical BSP Initialization Sequence") gives the recipe:
 *     send INIT; wait 10 ms; send SIPI; wait 200 us; send SIPI; wait 200 us.
 * The second SIPI is for CPUs that missed the first; a CPU that already left
 * the wait-for-SIPI state ignores it. Linux does the same in
 * wakeup_secondary_cpu_via_init() (arch/x86/kernel/smpboot.c), where modern
 * CPUs may skip the 10 ms. We keep the SDM's delays unless the shim's
 * modern_delays option asks for Linux's: ap_start_delays (include/lapic.h)
 * holds whichever applies.
 *
 * The waits are for the target CPUs' sake, not the sender's, so one sender
 * may start several CPUs with one set of waits: INIT to each, one wait, the
 * first SIPI to each, one wait, the second. The BSP starts the first CPU of
 * every node that way, all together (kernel/start.c); everyone else starts
 * one CPU at a time, through ap_send_init_sipi() below.
 *
 * Use lapic_send_icr() (include/lapic.h): it writes the destination, then
 * the low word that sends, then waits for the delivery status to go idle.
 * A CPU whose IPI was not delivered gets delivered[c] = false; the others
 * go on.
 *
 * Implement: ap_send_init_sipi_all() (declared in include/lab.h: every image starts CPUs with it).
 * Tests: every lab 1 boot test.
 */
#include "lab.h"

int ap_send_init_sipi_all(const uint32_t *apic_ids, uint32_t n, uint64_t trampoline_page,
			  bool *delivered)
{
	// BEGIN LAB 1: start every CPU in apic_ids the SDM's way, the waits shared
	uint32_t vector = (uint32_t)(trampoline_page >> 12);
	if (trampoline_page & 0xfff || vector == 0 || vector > 0xff)
		return -1; /* a SIPI can only name a page below 1 MiB */

	lapic_write(LAPIC_ESR, 0); /* clear errors left from earlier sends */
	for (uint32_t c = 0; c < n; c++)
		delivered[c] = lapic_send_icr(apic_ids[c],
					      ICR_INIT | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL,
					      ICR_DELIVERY_TIMEOUT_US) == 0;
	udelay(ap_start_delays.after_init_us);
	for (int i = 0; i < 2; i++) {
		for (uint32_t c = 0; c < n; c++)
			if (delivered[c] &&
			    lapic_send_icr(apic_ids[c], ICR_STARTUP | vector, ICR_DELIVERY_TIMEOUT_US))
				delivered[c] = false;
		udelay(ap_start_delays.after_sipi_us);
	}
	return 0;
	// END LAB 1
}

int ap_send_init_sipi(uint32_t apic_id, uint64_t trampoline_page)
{
	bool delivered;
	if (ap_send_init_sipi_all(&apic_id, 1, trampoline_page, &delivered))
		return -1;
	return delivered ? 0 : -1;
}
