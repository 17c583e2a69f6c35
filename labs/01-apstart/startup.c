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
	// TODO(lab 1): start every CPU in apic_ids the SDM's way, the waits shared
	lab_todo(1, __func__);
}

int ap_send_init_sipi(uint32_t apic_id, uint64_t trampoline_page)
{
	bool delivered;
	if (ap_send_init_sipi_all(&apic_id, 1, trampoline_page, &delivered))
		return -1;
	return delivered ? 0 : -1;
}
