/*
 * test_registers.c - suite "registers": GET_VP_REGISTERS and
 * SET_VP_REGISTERS (lab 4, labs/04-command/registers.c).
 *
 * The client names registers (enum sidecar_vp_register) in the command
 * page's request area: a count, then names[count] and values[count]. GET
 * copies regs[names[i]] to values[i], SET the other way. The request comes
 * from shared memory, so it is checked whole before anything moves: a count
 * above SIDECAR_MAX_REGISTERS or an unknown name anywhere is an error that
 * names the count, or the name and its position, and leaves both the VP's
 * registers and the request untouched - a SET is all or nothing.
 *
 * The last cases go through the sidecar's own SET_VP_REGISTERS
 * (vp_set_registers, kernel/vp_regs.c), which runs your vp_registers() on a
 * copy of the VP's registers and keeps the copy only if iretq could return
 * to it (a canonical RIP, RFLAGS with only the guest's bits); and which
 * ends an exit completion still pending (include/sidecar.h).
 */
#include <stdio.h>

#include "fixtures.h"
#include "lab_vp.h"
#include "vp_regs.h"

static uint64_t regs[VP_REGISTER_COUNT];
static struct sidecar_registers req;

/* What register i holds before a test: easy to tell apart in a message. */
static uint64_t initial(uint32_t i)
{
	return 0x1111111100000000ull * (i % 15 + 1) + i;
}

/* A value the request's values[] holds before a test, never a register's. */
#define UNTOUCHED 0xdeadbeefcafe0000ull

static void init(void)
{
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i++)
		regs[i] = initial(i);
	memset(&req, 0, sizeof(req));
	for (uint32_t i = 0; i < SIDECAR_MAX_REGISTERS; i++)
		req.values[i] = UNTOUCHED + i;
}

/* The request asks for these n names, in order. */
static void ask(const uint32_t *names, uint32_t n)
{
	req.count = n;
	memcpy(req.names, names, n * sizeof(*names));
}

static void assert_regs_untouched(const char *what)
{
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i++)
		ck_assert_msg(regs[i] == initial(i), "%s: register %u changed to 0x%lx", what, i,
			      (unsigned long)regs[i]);
}

static void assert_values_untouched(const char *what, uint32_t from)
{
	for (uint32_t i = from; i < SIDECAR_MAX_REGISTERS; i++)
		ck_assert_msg(req.values[i] == UNTOUCHED + i, "%s: values[%u] changed to 0x%lx",
			      what, i, (unsigned long)req.values[i]);
}

/* --- GET ------------------------------------------------------------------- */

START_TEST(get_in_the_order_asked)
{
	static const uint32_t names[] = {VP_RIP, VP_RAX, VP_RFLAGS, VP_R15, VP_RAX, VP_RSP, VP_RIP};
	struct diag d = {""};

	init();
	ask(names, ARRAY_SIZE(names));
	ck_assert_int_eq(vp_registers(regs, &req, false, &d), 0);
	for (uint32_t i = 0; i < ARRAY_SIZE(names); i++)
		ck_assert_msg(req.values[i] == initial(names[i]),
			      "values[%u] (register %u) is 0x%lx, expected 0x%lx", i, names[i],
			      (unsigned long)req.values[i], (unsigned long)initial(names[i]));
	assert_values_untouched("GET of 7", ARRAY_SIZE(names));
	assert_regs_untouched("GET");
}
END_TEST

START_TEST(get_the_most)
{
	/* SIDECAR_MAX_REGISTERS names, every register at least once. */
	uint32_t names[SIDECAR_MAX_REGISTERS];
	struct diag d = {""};

	init();
	for (uint32_t i = 0; i < SIDECAR_MAX_REGISTERS; i++)
		names[i] = (i * 7) % VP_REGISTER_COUNT;
	ask(names, SIDECAR_MAX_REGISTERS);
	ck_assert_int_eq(vp_registers(regs, &req, false, &d), 0);
	for (uint32_t i = 0; i < SIDECAR_MAX_REGISTERS; i++)
		ck_assert_msg(req.values[i] == initial(names[i]),
			      "values[%u] (register %u) is 0x%lx, expected 0x%lx", i, names[i],
			      (unsigned long)req.values[i], (unsigned long)initial(names[i]));
	assert_regs_untouched("GET of 32");
}
END_TEST

/* --- SET ------------------------------------------------------------------- */

START_TEST(set_writes_only_the_named)
{
	static const uint32_t names[] = {VP_RSP, VP_RDI, VP_RIP, VP_RFLAGS, VP_RAX};
	static const uint64_t values[] = {0x7ffff000, 0, 0x8000001000ull, ~0ull,
					  0x123456789abcdef0};
	struct diag d = {""};

	init();
	ask(names, ARRAY_SIZE(names));
	memcpy(req.values, values, sizeof(values));
	ck_assert_int_eq(vp_registers(regs, &req, true, &d), 0);
	for (uint32_t r = 0; r < VP_REGISTER_COUNT; r++) {
		uint64_t want = initial(r);
		for (uint32_t i = 0; i < ARRAY_SIZE(names); i++)
			if (names[i] == r)
				want = values[i];
		/* RFLAGS too is stored as given (vp.h): the framework checks it (kernel/vp_regs.c). */
		ck_assert_msg(regs[r] == want, "register %u is 0x%lx, expected 0x%lx", r,
			      (unsigned long)regs[r], (unsigned long)want);
	}
	for (uint32_t i = 0; i < ARRAY_SIZE(names); i++)
		ck_assert_msg(req.values[i] == values[i], "SET changed values[%u] to 0x%lx", i,
			      (unsigned long)req.values[i]);
	assert_values_untouched("SET", ARRAY_SIZE(names));
}
END_TEST

START_TEST(count_zero_does_nothing)
{
	struct diag d = {""};

	init();
	req.names[0] = VP_RAX; /* beyond count: not a request */
	ck_assert_int_eq(vp_registers(regs, &req, false, &d), 0);
	assert_values_untouched("GET of 0", 0);
	ck_assert_int_eq(vp_registers(regs, &req, true, &d), 0);
	assert_regs_untouched("SET of 0");
}
END_TEST

/* --- malformed requests ---------------------------------------------------- */

START_TEST(rejects_count_over_max)
{
	static const struct {
		uint32_t count;
		const char *decimal, *hex;
	} counts[] = {
		{SIDECAR_MAX_REGISTERS + 1, "33", "0x21"},
		{1000, "1000", "0x3e8"},
		{0xffffffff, "4294967295", "0xffffffff"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		for (int set = 0; set <= 1; set++) {
			struct diag d = {""};
			/* Every name valid: only the count is wrong. */
			init();
			for (uint32_t n = 0; n < SIDECAR_MAX_REGISTERS; n++)
				req.names[n] = n % VP_REGISTER_COUNT;
			req.count = counts[i].count;
			ck_assert_diag(vp_registers(regs, &req, set, &d), E_RANGE, d);
			ck_assert_msg(diag_mentions(&d, counts[i].decimal, counts[i].hex, (const char *)NULL),
				      "diag \"%s\" does not name the count %s", d.msg,
				      counts[i].decimal);
			assert_regs_untouched(set ? "SET, bad count" : "GET, bad count");
			assert_values_untouched(set ? "SET, bad count" : "GET, bad count", 0);
		}
	}
}
END_TEST

/* Name at position k of a full request is unknown (written decimal or hex
 * in a message); every other name is valid. */
static void check_unknown_name(uint32_t name, const char *decimal, const char *hex, uint32_t k,
			       bool set)
{
	const char *what = set ? "SET, unknown name" : "GET, unknown name";
	struct diag d = {""};
	char entry[4][32];
	snprintf(entry[0], sizeof(entry[0]), "entry %u", k);
	snprintf(entry[1], sizeof(entry[1]), "position %u", k);
	snprintf(entry[2], sizeof(entry[2]), "index %u", k);
	snprintf(entry[3], sizeof(entry[3]), "[%u]", k);

	init();
	for (uint32_t n = 0; n < SIDECAR_MAX_REGISTERS; n++)
		req.names[n] = (n + 5) % VP_REGISTER_COUNT;
	req.names[k] = name;
	req.count = SIDECAR_MAX_REGISTERS;
	ck_assert_diag(vp_registers(regs, &req, set, &d), E_INVAL, d);
	ck_assert_msg(diag_mentions(&d, decimal, hex, (const char *)NULL),
		      "%s: diag \"%s\" does not name the register %s", what, d.msg, decimal);
	ck_assert_msg(diag_mentions(&d, entry[0], entry[1], entry[2], entry[3], (const char *)NULL),
		      "%s: diag \"%s\" does not name the position %u", what, d.msg, k);
	assert_regs_untouched(what);
	assert_values_untouched(what, 0);
}

START_TEST(rejects_unknown_name)
{
	/* The bad name comes at position k, after k valid ones: a SET must not
	 * have written those k registers when it notices. */
	static const uint32_t positions[] = {0, 3, SIDECAR_MAX_REGISTERS - 1};
	for (size_t p = 0; p < ARRAY_SIZE(positions); p++) {
		for (int set = 0; set <= 1; set++) {
			check_unknown_name(VP_REGISTER_COUNT, "54", "0x36", positions[p], set);
			check_unknown_name(0xffffffff, "4294967295", "0xffffffff", positions[p],
					   set);
		}
	}
}
END_TEST

/* --- through the sidecar's SET_VP_REGISTERS ---------------------------------- */

static struct vp_state vp;

static void vp_at_an_in_exit(void)
{
	init();
	memset(&vp, 0, sizeof(vp));
	vp.regs[VP_RIP] = 0x8000004010ull;
	vp.regs[VP_RFLAGS] = 0x202;
	vp.regs[VP_RBX] = 7;
	vp.pending = VP_EXIT_IO; /* the next RUN_VP would step over the in */
}

START_TEST(set_refuses_non_canonical_rip_whole)
{
	static const uint32_t names[] = {VP_RBX, VP_RIP};
	struct diag d = {""};
	vp_at_an_in_exit();
	ask(names, 2);
	req.values[0] = 99;
	req.values[1] = 0x0000800000000000ull; /* the first non-canonical address */
	ck_assert_int_lt(vp_set_registers(&vp, &req, &d), 0);
	ck_assert_msg(strstr(d.msg, "rip 0x800000000000 is not canonical"), "%s", d.msg);
	ck_assert_uint_eq(vp.regs[VP_RBX], 7); /* nothing applied */
	ck_assert_uint_eq(vp.regs[VP_RIP], 0x8000004010ull);
	ck_assert_uint_eq(vp.pending, VP_EXIT_IO); /* a refused SET changes nothing */
}
END_TEST

START_TEST(set_refuses_iopl_keeps_tf_and_ac)
{
	static const uint32_t names[] = {VP_RFLAGS};
	struct diag d = {""};
	vp_at_an_in_exit();
	ask(names, 1);
	req.values[0] = 0x3202; /* IOPL 3 */
	ck_assert_int_lt(vp_set_registers(&vp, &req, &d), 0);
	ck_assert_uint_eq(vp.regs[VP_RFLAGS], 0x202);
	req.values[0] = 0x40302; /* AC and TF: the guest's own */
	ck_assert_msg(vp_set_registers(&vp, &req, &d) == 0, "%s", d.msg);
	ck_assert_uint_eq(vp.regs[VP_RFLAGS], 0x40302);
}
END_TEST

START_TEST(set_ends_a_pending_completion_get_does_not)
{
	static const uint32_t names[] = {VP_RBX};
	struct diag d = {""};
	vp_at_an_in_exit();
	ask(names, 1);
	ck_assert_int_eq(vp_registers(vp.regs, &req, false, &d), 0); /* a GET */
	ck_assert_uint_eq(vp.pending, VP_EXIT_IO);
	req.values[0] = 8;
	ck_assert_msg(vp_set_registers(&vp, &req, &d) == 0, "%s", d.msg);
	ck_assert_uint_eq(vp.regs[VP_RBX], 8);
	ck_assert_uint_eq(vp.pending, VP_EXIT_NONE);
}
END_TEST

Suite *registers_suite(void)
{
	Suite *s = suite_create("registers");

	TCase *get = tcase_create("get");
	tcase_add_test(get, get_in_the_order_asked);
	tcase_add_test(get, get_the_most);
	suite_add_tcase(s, get);

	TCase *set = tcase_create("set");
	tcase_add_test(set, set_writes_only_the_named);
	tcase_add_test(set, count_zero_does_nothing);
	suite_add_tcase(s, set);

	TCase *bad = tcase_create("malformed");
	tcase_add_test(bad, rejects_count_over_max);
	tcase_add_test(bad, rejects_unknown_name);
	suite_add_tcase(s, bad);

	TCase *sidecar = tcase_create("sidecar");
	tcase_add_test(sidecar, set_refuses_non_canonical_rip_whole);
	tcase_add_test(sidecar, set_refuses_iopl_keeps_tf_and_ac);
	tcase_add_test(sidecar, set_ends_a_pending_completion_get_does_not);
	suite_add_tcase(s, sidecar);
	return s;
}
