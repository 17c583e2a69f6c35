/*
 * Lab 3 - a mailbox: linux-stub hands work to another of its own CPUs.
 *
 * Runs in linux-stub: mailbox_post() and mailbox_join() on the CPU that
 * hands out work (the BSP), interrupts off; mailbox_serve() forever on the
 * CPU that does it, interrupts off except while it halts and while the work
 * runs.
 *
 * The main kernel needs its own cross-CPU calls, as Linux has
 * smp_call_function_single(): the BSP runs the monitor, and a node's work
 * (waking its sidecar CPUs, taking their response IPIs) belongs on that
 * node's CPU. The mailbox holds one piece of work and two sequence numbers;
 * work waits while they differ. It is the wake-up protocol of wake.c once
 * more, between two CPUs of the main kernel: the work must be visible
 * before the number that announces it, the IPI comes after both, and the
 * serving CPU must not halt past a post it has not seen.
 *
 * Implement: mailbox_post(), mailbox_serve(), mailbox_join() (include/lab_stub.h).
 * Tests: lab 5's tests, where linux-stub has a CPU in every node; lab 3's
 * "wake" tests when a node has a CPU of linux-stub's.
 */
#include "lab_stub.h"

int mailbox_post(struct mailbox *m, uint32_t apic_id, uint8_t vector, void (*work)(void *),
		 void *arg)
{
	// BEGIN LAB 3: hand over the work so that the serving CPU is sure to see all of it
	uint32_t done = __atomic_load_n(&m->done, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&m->posted, __ATOMIC_RELAXED) != done)
		return -1; /* the last work is not finished */
	m->work = work;
	m->arg = arg;
	__atomic_store_n(&m->posted, done + 1, __ATOMIC_RELEASE);
	return ipi_send(apic_id, vector) ? 1 : 0; /* posted either way */
	// END LAB 3
}

void mailbox_serve(struct mailbox *m)
{
	// BEGIN LAB 3: run each posted work once; sleep in between without missing a post
	for (;;) {
		cli();
		uint32_t posted = __atomic_load_n(&m->posted, __ATOMIC_ACQUIRE);
		if (posted != m->done) {
			__asm__ volatile("sti" ::: "memory");
			m->work(m->arg);
			__atomic_store_n(&m->done, posted, __ATOMIC_RELEASE);
			continue;
		}
		safe_halt();
	}
	// END LAB 3
}

int mailbox_join(const struct mailbox *m, uint64_t deadline_ns)
{
	// BEGIN LAB 3: wait until the work is done, or the deadline
	while (__atomic_load_n(&m->done, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&m->posted, __ATOMIC_ACQUIRE)) {
		if (timer_ns() >= deadline_ns)
			return -1;
		cpu_relax();
	}
	return 0;
	// END LAB 3
}
