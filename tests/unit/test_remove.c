/*
 * test_remove.c - suite "remove": lab 6's sidecar_remove() on the host
 * (labs/06-convert/convert.c), with the fake local APIC (fake_lapic.c).
 *
 * linux-stub refuses to convert a CPU it knows is REMOVED or FAILED before
 * it calls sidecar_remove(), so in QEMU a sidecar_remove() that takes any
 * state boots fine. Here it is called with every state.
 */
#include "fake_lapic.h"
#include "fixtures.h"
#include "lab_sidecar.h"
#include "lab_stub.h"
#include "lapic.h"

#define REQUEST_VECTOR 0xf0

static struct sidecar_control control;

static void setup(void)
{
	fake_lapic_reset();
	memset(&control, 0, sizeof(control));
	control.request_vector = REQUEST_VECTOR;
}

START_TEST(remove_from_idle_run_or_stop)
{
	static const uint32_t from[] = {CPU_STATUS_IDLE, CPU_STATUS_RUN, CPU_STATUS_STOP};
	fake_lapic.watch = &control.cpu_status[1];
	for (size_t i = 0; i < ARRAY_SIZE(from); i++) {
		control.cpu_status[1] = from[i];
		ck_assert_int_eq(sidecar_remove(&control, 1, 5), 0);
		ck_assert_uint_eq(control.cpu_status[1], CPU_STATUS_REMOVE);
		ck_assert_uint_eq(fake_lapic.nsent, i + 1);
		ck_assert_uint_eq(fake_lapic.sent[i].apic_id, 5);
		ck_assert_uint_eq(fake_lapic.sent[i].icr_low & 0xff, REQUEST_VECTOR);
		/* REMOVE was visible when the IPI went. */
		ck_assert_uint_eq(fake_lapic.sent[i].watched, CPU_STATUS_REMOVE);
	}
}
END_TEST

START_TEST(remove_refuses_the_other_states)
{
	static const uint32_t other[] = {CPU_STATUS_REMOVE, CPU_STATUS_REMOVED, CPU_STATUS_FAILED};
	for (size_t i = 0; i < ARRAY_SIZE(other); i++) {
		control.cpu_status[2] = other[i];
		ck_assert_int_eq(sidecar_remove(&control, 2, 5), -1);
		ck_assert_uint_eq(control.cpu_status[2], other[i]);
	}
	ck_assert_uint_eq(fake_lapic.nsent, 0);
}
END_TEST

Suite *remove_suite(void)
{
	Suite *s = suite_create("remove");
	TCase *t = tcase_create("sidecar_remove");
	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, remove_from_idle_run_or_stop);
	tcase_add_test(t, remove_refuses_the_other_states);
	suite_add_tcase(s, t);
	return s;
}
