/*
 * Lab 2 - the halt loop: sleep until there is work, without losing a wake-up.
 *
 * Runs in the sidecar kernel, on each sidecar CPU for the rest of its life,
 * interrupts off except inside the halt.
 *
 * A sidecar CPU spends its life here. Its state is its entry in the node's
 * control page, cpu_status[pc->slot] (include/sidecar.h):
 *   IDLE    nothing to do: sleep (hlt) until an interrupt
 *   RUN     the client wrote a command: run it (command_run(), which stores
 *           IDLE back when it is done)
 *   STOP    the client asked its command to stop before this CPU even
 *           started it (STOP only ever replaces RUN): run it all the same -
 *           it sees the STOP (a VP returns STOPPED at once) and is answered
 *           like any other command
 *   REMOVE  leave the sidecar for good: remove_cpu() (lab 6), which never
 *           returns
 * The trap is the window between looking at the status and halting: if the
 * client's RUN and IPI land in it, the interrupt fires before hlt, hlt then
 * sleeps, and the wake-up is lost. The cure (SDM vol. 3A 6.8.1 and the STI
 * instruction's description in vol. 2B): check with interrupts disabled, and
 * halt with "sti; hlt" - STI only takes effect after the next instruction, so
 * an interrupt already pending is taken right after hlt begins, and wakes it.
 * Wake-ups with no work (a spurious interrupt, a second IPI) just loop.
 * The status is loaded with acquire order: it pairs with the client's release
 * store, so the command page the client wrote is visible once RUN is seen.
 *
 * Until you write it, the skeleton polls with interrupts off (and says so):
 * the system works, but every idle CPU burns a host core - lab 2's tests
 * measure exactly that.
 *
 * Implement: halt_loop() (declared in include/lab_sidecar.h).
 * Tests: lab 2's tests (idle CPUs do not spin; every CPU reaches idle).
 */
#include "lab_sidecar.h"

void halt_loop(struct percpu *pc)
{
	uint32_t *status = &pc->control->cpu_status[pc->slot];

	for (;;) {
		// BEGIN LAB 2: do what the status asks; while it is IDLE, sleep without losing a wake-up
		__asm__ volatile("cli" ::: "memory");
		uint32_t s = __atomic_load_n(status, __ATOMIC_ACQUIRE);
		/* STOP too: storing IDLE for it instead would leave the command
		 * unanswered - no reply, no completed count, no response IPI
		 * (found by tests/host/protocol_threads.c). */
		if (s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) {
			__asm__ volatile("sti" ::: "memory");
			command_run(pc);
			continue;
		}
		if (s == CPU_STATUS_REMOVE)
			remove_cpu(pc);
		safe_halt(); /* "sti; hlt" (include/halt.h) */
		pc->wakeups++;
		//> lab_fallback(2, __func__, "polling with interrupts off instead of halting");
		//> uint32_t s = __atomic_load_n(status, __ATOMIC_ACQUIRE);
		//> if (s == CPU_STATUS_RUN || s == CPU_STATUS_STOP)
		//> 	command_run(pc);
		//> else if (s == CPU_STATUS_REMOVE)
		//> 	remove_cpu(pc);
		//> __asm__ volatile("pause" ::: "memory");
		// END LAB 2
	}
}
