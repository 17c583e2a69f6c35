/*
 * Lab 6 - asking a sidecar CPU to leave: the main kernel's side.
 *
 * Runs in linux-stub, on the CPU that converts (the BSP), interrupts on or off
 * (and the host's unit tests).
 *
 * The client stores REMOVE in the CPU's cpu_status and sends the request
 * IPI (book/design.md). REMOVE may replace IDLE (the CPU is asleep in
 * its halt loop) or RUN/STOP (it is running a command, perhaps a VP: the
 * IPI pulls it out of the guest, and its acknowledgement leaves REMOVE in
 * place - lab 3's compare-and-swap). Anything else is refused: FAILED (the
 * CPU never started: there is nothing to take), REMOVE or REMOVED (someone
 * already asked). A compare-and-swap loop makes a race with the sidecar's
 * own RUN -> IDLE change safe: whichever state the CPU is in when the swap
 * lands, REMOVE replaces it only if that state allows it.
 *
 * The caller (linux-stub/convert.c) then waits for REMOVED and starts the
 * CPU as one of its own with INIT-SIPI-SIPI.
 *
 * Implement: sidecar_remove() (include/lab_stub.h).
 * Tests: every lab 6 test.
 */
#include "lab_stub.h"

int sidecar_remove(struct sidecar_control *control, uint32_t slot, uint32_t apic_id)
{
	// BEGIN LAB 6: ask the CPU to leave from any state it can leave; refuse the others
	uint32_t s = __atomic_load_n(&control->cpu_status[slot], __ATOMIC_ACQUIRE);
	for (;;) {
		if (s != CPU_STATUS_IDLE && s != CPU_STATUS_RUN && s != CPU_STATUS_STOP)
			return -1;
		if (__atomic_compare_exchange_n(&control->cpu_status[slot], &s, CPU_STATUS_REMOVE,
						false, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
			break;
	}
	return ipi_send(apic_id, (uint8_t)control->request_vector);
	// END LAB 6
}
