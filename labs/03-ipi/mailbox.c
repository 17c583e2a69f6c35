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
	// TODO(lab 3): hand over the work so that the serving CPU is sure to see all of it
	lab_todo(3, __func__);
}

void mailbox_serve(struct mailbox *m)
{
	// TODO(lab 3): run each posted work once; sleep in between without missing a post
	lab_todo(3, __func__);
}

int mailbox_join(const struct mailbox *m, uint64_t deadline_ns)
{
	// TODO(lab 3): wait until the work is done, or the deadline
	lab_todo(3, __func__);
}
