/*
 * test_protocol.c - suite "protocol": the client's moves of include/sidecar_protocol.h.
 *
 * Every client (linux-stub, lab 7's driver) changes a sidecar CPU's status
 * word only through these functions, so each move is checked here from
 * every status it may meet: it must happen from the states it names and
 * from no other, leave the word alone when it refuses, and say what it
 * found. A status word is a plain uint32_t on the host; the threads of the
 * protocol itself are tests/host's.
 */
#include <check.h>

#include "fixtures.h"
#include "sidecar_protocol.h"

static const uint32_t every_status[] = {CPU_STATUS_REMOVED, CPU_STATUS_IDLE, CPU_STATUS_RUN,
					CPU_STATUS_STOP, CPU_STATUS_REMOVE, CPU_STATUS_FAILED, 77};

START_TEST(start_only_from_idle)
{
	for (size_t i = 0; i < ARRAY_SIZE(every_status); i++) {
		uint32_t s = every_status[i];
		bool moved = sidecar_proto_start(&s);
		ck_assert_int_eq(moved, every_status[i] == CPU_STATUS_IDLE);
		ck_assert_uint_eq(s, moved ? CPU_STATUS_RUN : every_status[i]);
	}
}
END_TEST

START_TEST(stop_only_from_run)
{
	for (size_t i = 0; i < ARRAY_SIZE(every_status); i++) {
		uint32_t s = every_status[i];
		bool moved = sidecar_proto_stop(&s);
		ck_assert_int_eq(moved, every_status[i] == CPU_STATUS_RUN);
		ck_assert_uint_eq(s, moved ? CPU_STATUS_STOP : every_status[i]);
	}
}
END_TEST

START_TEST(remove_from_idle_run_or_stop)
{
	for (size_t i = 0; i < ARRAY_SIZE(every_status); i++) {
		uint32_t was = every_status[i], s = was;
		enum sidecar_proto_remove_result r = sidecar_proto_remove(&s);
		if (was == CPU_STATUS_IDLE || was == CPU_STATUS_RUN || was == CPU_STATUS_STOP) {
			ck_assert_int_eq(r, SIDECAR_REMOVE_ASKED);
			ck_assert_uint_eq(s, CPU_STATUS_REMOVE);
		} else if (was == CPU_STATUS_REMOVE || was == CPU_STATUS_REMOVED) {
			ck_assert_int_eq(r, SIDECAR_REMOVE_ALREADY);
			ck_assert_uint_eq(s, was);
		} else {
			ck_assert_int_eq(r, SIDECAR_REMOVE_NO_CPU);
			ck_assert_uint_eq(s, was);
		}
	}
}
END_TEST

START_TEST(finished_means_idle_or_removed)
{
	for (size_t i = 0; i < ARRAY_SIZE(every_status); i++)
		ck_assert_int_eq(sidecar_proto_finished(every_status[i]),
				 every_status[i] == CPU_STATUS_IDLE ||
					 every_status[i] == CPU_STATUS_REMOVED);
}
END_TEST

START_TEST(take_attention_clears_and_says)
{
	struct sidecar_control c = {.needs_attention = 1};
	ck_assert(sidecar_proto_take_attention(&c));
	ck_assert_uint_eq(c.needs_attention, 0);
	ck_assert(!sidecar_proto_take_attention(&c));
}
END_TEST

START_TEST(serve_sets_cpu_and_vector_and_off)
{
	struct sidecar_control c = {.response_cpu = 3, .response_vector = 0x40};
	sidecar_proto_serve(&c, 7, 0x26);
	ck_assert_uint_eq(c.response_cpu, 7);
	ck_assert_uint_eq(c.response_vector, 0x26);
	sidecar_proto_serve(&c, 0, 0);
	ck_assert_uint_eq(c.response_vector, 0);
}
END_TEST

Suite *protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *t = tcase_create("moves");
	tcase_add_test(t, start_only_from_idle);
	tcase_add_test(t, stop_only_from_run);
	tcase_add_test(t, remove_from_idle_run_or_stop);
	tcase_add_test(t, finished_means_idle_or_removed);
	tcase_add_test(t, take_attention_clears_and_says);
	tcase_add_test(t, serve_sets_cpu_and_vector_and_off);
	suite_add_tcase(s, t);
	return s;
}
