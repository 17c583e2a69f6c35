/*
 * test_ipi.c - suite "ipi": lab 3's two sides of a wake-up, on the host
 * (labs/03-ipi/): ipi_send() against a fake local APIC (fake_lapic.c),
 * sidecar_wake() and client_stop() on a control page in memory, linux-stub's
 * mailbox_post() and mailbox_join(), and the sidecar CPU's
 * ipi_request_interrupt() and ipi_acknowledge().
 *
 * In QEMU, linux-stub only wakes CPUs it saw IDLE and only sends vectors it
 * owns, so a sidecar_wake() that forgets its compare-and-swap, an
 * ipi_send() that takes vector 5 or an acknowledgment that never raises
 * needs_attention all boot fine. Here each contract is called directly,
 * with the inputs linux-stub never gives. The skeletons stop in lab_todo(),
 * so the suite fails until lab 3 is written.
 */
#include "fake_lapic.h"
#include "fixtures.h"
#include "lab_sidecar.h"
#include "lab_stub.h"
#include "lapic.h"
#include "percpu.h"

#define REQUEST_VECTOR 0xf0
#define RESPONSE_VECTOR 0xe1

static struct sidecar_control control;
static struct percpu cpu;

static void setup(void)
{
	fake_lapic_reset();
	memset(&control, 0, sizeof(control));
	control.request_vector = REQUEST_VECTOR;
	control.cpu_count = 4;
	memset(&cpu, 0, sizeof(cpu));
	cpu.control = &control;
	cpu.slot = 2;
}

/* --- ipi_send ------------------------------------------------------------ */

START_TEST(send_is_a_fixed_ipi_to_the_apic)
{
	ck_assert_int_eq(ipi_send(7, 0xe0), 0);
	ck_assert_uint_eq(fake_lapic.nsent, 1);
	ck_assert_uint_eq(fake_lapic.sent[0].apic_id, 7);
	ck_assert_uint_eq(fake_lapic.sent[0].icr_low & 0xff, 0xe0);
	ck_assert_uint_eq(fake_lapic.sent[0].icr_low & (7u << 8), ICR_FIXED);
}
END_TEST

START_TEST(send_refuses_vectors_below_32)
{
	/* SDM vol. 3A 10.5.2: vectors 0-31 are reserved; the APIC reports an
	 * illegal vector. Refused before anything is sent. */
	for (unsigned v = 0; v < 32; v++)
		ck_assert_int_eq(ipi_send(1, (uint8_t)v), -1);
	ck_assert_uint_eq(fake_lapic.nsent, 0);
	ck_assert_int_eq(ipi_send(1, 32), 0);
}
END_TEST

START_TEST(send_reports_an_esr_error)
{
	fake_lapic.send_error = 1u << 5; /* "Send Illegal Vector" */
	ck_assert_int_eq(ipi_send(1, 0xe0), -1);
}
END_TEST

START_TEST(send_reports_a_delivery_that_never_completes)
{
	fake_lapic.send_fails = 1;
	ck_assert_int_eq(ipi_send(1, 0xe0), -1);
}
END_TEST

/* --- sidecar_wake ---------------------------------------------------------- */

START_TEST(wake_stores_run_then_sends_the_request_vector)
{
	fake_lapic.watch = &control.cpu_status[1];
	control.cpu_status[1] = CPU_STATUS_IDLE;
	ck_assert_int_eq(sidecar_wake(&control, 1, 9), 0);
	ck_assert_uint_eq(control.cpu_status[1], CPU_STATUS_RUN);
	ck_assert_uint_eq(fake_lapic.nsent, 1);
	ck_assert_uint_eq(fake_lapic.sent[0].apic_id, 9);
	ck_assert_uint_eq(fake_lapic.sent[0].icr_low & 0xff, REQUEST_VECTOR);
	/* RUN was visible when the IPI went: a CPU woken earlier would see
	 * IDLE, halt again, and miss the command. */
	ck_assert_uint_eq(fake_lapic.sent[0].watched, CPU_STATUS_RUN);
}
END_TEST

START_TEST(wake_refuses_a_cpu_that_is_not_idle)
{
	static const uint32_t busy[] = {CPU_STATUS_RUN, CPU_STATUS_STOP, CPU_STATUS_REMOVE,
					CPU_STATUS_REMOVED, CPU_STATUS_FAILED};
	for (size_t i = 0; i < ARRAY_SIZE(busy); i++) {
		control.cpu_status[3] = busy[i];
		ck_assert_int_eq(sidecar_wake(&control, 3, 9), -1);
		ck_assert_uint_eq(control.cpu_status[3], busy[i]); /* left as it was */
	}
	ck_assert_uint_eq(fake_lapic.nsent, 0);
}
END_TEST

/* --- client_stop ------------------------------------------------------------ */

START_TEST(stop_stores_stop_then_sends_the_request_vector)
{
	fake_lapic.watch = &control.cpu_status[1];
	control.cpu_status[1] = CPU_STATUS_RUN;
	ck_assert_int_eq(client_stop(&control, 1, 9), 0);
	ck_assert_uint_eq(control.cpu_status[1], CPU_STATUS_STOP);
	ck_assert_uint_eq(fake_lapic.nsent, 1);
	ck_assert_uint_eq(fake_lapic.sent[0].apic_id, 9);
	ck_assert_uint_eq(fake_lapic.sent[0].icr_low & 0xff, REQUEST_VECTOR);
	/* STOP was visible when the IPI went: a guest pulled out by it must
	 * find STOP, or it goes straight back in. */
	ck_assert_uint_eq(fake_lapic.sent[0].watched, CPU_STATUS_STOP);
}
END_TEST

START_TEST(stop_leaves_a_cpu_that_is_not_running)
{
	static const uint32_t other[] = {CPU_STATUS_IDLE, CPU_STATUS_STOP, CPU_STATUS_REMOVE,
					 CPU_STATUS_REMOVED, CPU_STATUS_FAILED};
	for (size_t i = 0; i < ARRAY_SIZE(other); i++) {
		control.cpu_status[3] = other[i];
		ck_assert_int_eq(client_stop(&control, 3, 9), 1);
		ck_assert_uint_eq(control.cpu_status[3], other[i]); /* left as it was */
	}
	ck_assert_uint_eq(fake_lapic.nsent, 0);
}
END_TEST

START_TEST(stop_reports_a_failed_ipi)
{
	control.cpu_status[1] = CPU_STATUS_RUN;
	fake_lapic.send_fails = 1;
	ck_assert_int_eq(client_stop(&control, 1, 9), -1);
}
END_TEST

/* --- the sidecar CPU's side ------------------------------------------------ */

START_TEST(request_interrupt_counts_and_ends_with_eoi)
{
	ipi_request_interrupt(&cpu);
	ipi_request_interrupt(&cpu);
	ck_assert_uint_eq(cpu.interrupts, 2);
	ck_assert_uint_eq(fake_lapic.eois, 2);
}
END_TEST

START_TEST(acknowledge_run_is_idle_and_raises_attention)
{
	control.cpu_status[2] = CPU_STATUS_RUN;
	ipi_acknowledge(&cpu);
	ck_assert_uint_eq(control.cpu_status[2], CPU_STATUS_IDLE);
	ck_assert_uint_eq(control.needs_attention, 1);
	ck_assert_uint_eq(fake_lapic.nsent, 0); /* no response vector: no IPI */
}
END_TEST

START_TEST(acknowledge_stop_is_idle_too)
{
	control.cpu_status[2] = CPU_STATUS_STOP;
	ipi_acknowledge(&cpu);
	ck_assert_uint_eq(control.cpu_status[2], CPU_STATUS_IDLE);
	ck_assert_uint_eq(control.needs_attention, 1);
}
END_TEST

START_TEST(acknowledge_sends_the_response_ipi)
{
	control.cpu_status[2] = CPU_STATUS_RUN;
	control.response_cpu = 4;
	control.response_vector = RESPONSE_VECTOR;
	fake_lapic.watch = &control.needs_attention;
	ipi_acknowledge(&cpu);
	ck_assert_uint_eq(fake_lapic.nsent, 1);
	ck_assert_uint_eq(fake_lapic.sent[0].apic_id, 4);
	ck_assert_uint_eq(fake_lapic.sent[0].icr_low & 0xff, RESPONSE_VECTOR);
	/* The client the IPI wakes looks at needs_attention: raised first. */
	ck_assert_uint_eq(fake_lapic.sent[0].watched, 1);
}
END_TEST

START_TEST(acknowledge_keeps_a_remove)
{
	/* A REMOVE stored while the command ran must survive: the halt loop
	 * sees it next and leaves the sidecar. */
	control.cpu_status[2] = CPU_STATUS_REMOVE;
	ipi_acknowledge(&cpu);
	ck_assert_uint_eq(control.cpu_status[2], CPU_STATUS_REMOVE);
}
END_TEST

/* --- the mailbox (linux-stub's own work IPIs) ------------------------------ */

static struct mailbox box;
static int work_ran;

static void work(void *arg)
{
	work_ran += *(int *)arg;
}

START_TEST(post_publishes_the_work_then_sends_the_vector)
{
	static int one = 1;
	memset(&box, 0, sizeof(box));
	fake_lapic.watch = &box.posted;
	ck_assert_int_eq(mailbox_post(&box, 5, 0xe0, work, &one), 0);
	ck_assert_ptr_eq(box.work, work);
	ck_assert_ptr_eq(box.arg, &one);
	ck_assert_uint_ne(box.posted, box.done); /* work waits */
	ck_assert_uint_eq(fake_lapic.nsent, 1);
	ck_assert_uint_eq(fake_lapic.sent[0].apic_id, 5);
	ck_assert_uint_eq(fake_lapic.sent[0].icr_low & 0xff, 0xe0);
	/* The new number was visible when the IPI went: a CPU woken by it
	 * must find the work. */
	ck_assert_uint_eq(fake_lapic.sent[0].watched, box.posted);
}
END_TEST

START_TEST(post_refuses_a_mailbox_whose_work_is_not_done)
{
	static int one = 1;
	box = (struct mailbox){work, &one, 3, 2}; /* posted 3, done 2: still busy */
	ck_assert_int_eq(mailbox_post(&box, 5, 0xe0, work, &one), -1);
	ck_assert_uint_eq(box.posted, 3); /* left as it was */
	ck_assert_uint_eq(fake_lapic.nsent, 0);
}
END_TEST

START_TEST(post_reports_a_failed_ipi)
{
	static int one = 1;
	memset(&box, 0, sizeof(box));
	fake_lapic.send_fails = 1;
	/* Posted all the same: the serving CPU's tick finds it. */
	ck_assert_int_eq(mailbox_post(&box, 5, 0xe0, work, &one), 1);
	ck_assert_uint_ne(box.posted, box.done);
	ck_assert_ptr_eq(box.work, work);
}
END_TEST

START_TEST(join_waits_for_done_and_has_a_deadline)
{
	box = (struct mailbox){work, NULL, 7, 7};
	ck_assert_int_eq(mailbox_join(&box, timer_ns() + 5000000), 0); /* done */
	box.posted = 8;
	/* Never done: the fake clock moves 1 ms per look, so the 5 ms deadline
	 * ends the wait. */
	ck_assert_int_eq(mailbox_join(&box, timer_ns() + 5000000), -1);
	ck_assert_int_eq(work_ran, 0); /* joining runs nothing */
}
END_TEST

Suite *ipi_suite(void)
{
	Suite *s = suite_create("ipi");
	TCase *send = tcase_create("ipi_send");
	tcase_add_checked_fixture(send, setup, NULL);
	tcase_add_test(send, send_is_a_fixed_ipi_to_the_apic);
	tcase_add_test(send, send_refuses_vectors_below_32);
	tcase_add_test(send, send_reports_an_esr_error);
	tcase_add_test(send, send_reports_a_delivery_that_never_completes);
	suite_add_tcase(s, send);

	TCase *wake = tcase_create("sidecar_wake");
	tcase_add_checked_fixture(wake, setup, NULL);
	tcase_add_test(wake, wake_stores_run_then_sends_the_request_vector);
	tcase_add_test(wake, wake_refuses_a_cpu_that_is_not_idle);
	suite_add_tcase(s, wake);

	TCase *stop = tcase_create("client_stop");
	tcase_add_checked_fixture(stop, setup, NULL);
	tcase_add_test(stop, stop_stores_stop_then_sends_the_request_vector);
	tcase_add_test(stop, stop_leaves_a_cpu_that_is_not_running);
	tcase_add_test(stop, stop_reports_a_failed_ipi);
	suite_add_tcase(s, stop);

	TCase *mail = tcase_create("mailbox");
	tcase_add_checked_fixture(mail, setup, NULL);
	tcase_add_test(mail, post_publishes_the_work_then_sends_the_vector);
	tcase_add_test(mail, post_refuses_a_mailbox_whose_work_is_not_done);
	tcase_add_test(mail, post_reports_a_failed_ipi);
	tcase_add_test(mail, join_waits_for_done_and_has_a_deadline);
	suite_add_tcase(s, mail);

	TCase *ack = tcase_create("acknowledge");
	tcase_add_checked_fixture(ack, setup, NULL);
	tcase_add_test(ack, request_interrupt_counts_and_ends_with_eoi);
	tcase_add_test(ack, acknowledge_run_is_idle_and_raises_attention);
	tcase_add_test(ack, acknowledge_stop_is_idle_too);
	tcase_add_test(ack, acknowledge_sends_the_response_ipi);
	tcase_add_test(ack, acknowledge_keeps_a_remove);
	suite_add_tcase(s, ack);
	return s;
}
