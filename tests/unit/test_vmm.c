/*
 * test_vmm.c - suite "vmm": the VMM core's register lists
 * (lib/portable/vmm_core.c), shared by linux-stub and lab 7's sidecarctl.
 *
 * A request holds at most SIDECAR_MAX_REGISTERS names and a VP has more
 * (VP_REGISTER_COUNT), so vmm_registers() splits a list into requests of
 * that many, in order, as OpenHCL's sidecar_client does, and stops at the
 * first that fails. A fake client records each request it is given.
 */
#include "fixtures.h"
#include "vmm_core.h"

/* vmm_core.c finds guests in linux-stub's table (linux-stub/guests.asm),
 * which the host does not have: an empty one. */
const struct guest guest_table[] = {{0}};

#define MAX_REQUESTS 8
static struct {
	uint32_t requests, fail_at; /* fail_at: 1-based request to refuse, 0: none */
	uint32_t count[MAX_REQUESTS];
	uint32_t names[MAX_REQUESTS * SIDECAR_MAX_REGISTERS];
	uint32_t names_seen;
	bool set[MAX_REQUESTS];
} rec;
static uint64_t file[VP_REGISTER_COUNT + 32]; /* the fake VP's registers, by name */

static int fake_registers(const struct vmm_client *c, bool set, const uint32_t *names,
			  uint64_t *values, uint32_t n)
{
	(void)c;
	ck_assert_uint_le(n, SIDECAR_MAX_REGISTERS);
	ck_assert_uint_lt(rec.requests, MAX_REQUESTS);
	rec.count[rec.requests] = n;
	rec.set[rec.requests] = set;
	if (++rec.requests == rec.fail_at)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		rec.names[rec.names_seen++] = names[i];
		if (set)
			file[names[i]] = values[i];
		else
			values[i] = file[names[i]];
	}
	return 0;
}

static const struct vmm_client client = {.cpu = 3, .registers = fake_registers};

static void reset(void)
{
	memset(&rec, 0, sizeof(rec));
	for (uint32_t i = 0; i < ARRAY_SIZE(file); i++)
		file[i] = 0x5000 + i;
}

START_TEST(all_registers_take_two_requests)
{
	uint64_t values[VP_REGISTER_COUNT];
	reset();
	ck_assert_int_eq(vmm_all_registers(&client, false, values), 0);
	ck_assert_uint_eq(rec.requests, 2);
	ck_assert_uint_eq(rec.count[0], SIDECAR_MAX_REGISTERS);
	ck_assert_uint_eq(rec.count[1], VP_REGISTER_COUNT - SIDECAR_MAX_REGISTERS);
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i++) {
		ck_assert_uint_eq(rec.names[i], i); /* every name once, in order */
		ck_assert_uint_eq(values[i], 0x5000 + i);
	}
}
END_TEST

START_TEST(set_reaches_every_register)
{
	uint64_t values[VP_REGISTER_COUNT];
	reset();
	vmm_reset_registers(values);
	ck_assert_int_eq(vmm_all_registers(&client, true, values), 0);
	ck_assert(rec.set[0] && rec.set[1]);
	ck_assert_uint_eq(file[VP_RIP], GUEST_ENTRY);
	ck_assert_uint_eq(file[VP_RSP], GUEST_STACK_TOP);
	ck_assert_uint_eq(file[VP_FCW], 0x37f);   /* every x87 exception masked */
	ck_assert_uint_eq(file[VP_MXCSR], 0x1f80); /* every SSE exception masked */
	ck_assert_uint_eq(file[VP_XMM_HIGH(15)], 0);
}
END_TEST

START_TEST(stops_at_the_first_failure)
{
	uint32_t names[3 * SIDECAR_MAX_REGISTERS];
	uint64_t values[ARRAY_SIZE(names)];
	for (uint32_t i = 0; i < ARRAY_SIZE(names); i++)
		names[i] = i % VP_REGISTER_COUNT;
	reset();
	rec.fail_at = 2;
	ck_assert_int_eq(vmm_registers(&client, false, names, values, ARRAY_SIZE(names)), -1);
	ck_assert_uint_eq(rec.requests, 2); /* the third was never sent */
}
END_TEST

START_TEST(short_and_empty_lists)
{
	uint32_t name = VP_MXCSR;
	uint64_t value;
	reset();
	ck_assert_int_eq(vmm_registers(&client, false, &name, &value, 0), 0);
	ck_assert_uint_eq(rec.requests, 0);
	ck_assert_int_eq(vmm_registers(&client, false, &name, &value, 1), 0);
	ck_assert_uint_eq(rec.requests, 1);
	ck_assert_uint_eq(value, 0x5000 + VP_MXCSR);
}
END_TEST

Suite *vmm_suite(void)
{
	Suite *s = suite_create("vmm");
	TCase *t = tcase_create("registers");
	tcase_add_test(t, all_registers_take_two_requests);
	tcase_add_test(t, set_reaches_every_register);
	tcase_add_test(t, stops_at_the_first_failure);
	tcase_add_test(t, short_and_empty_lists);
	suite_add_tcase(s, t);
	return s;
}
