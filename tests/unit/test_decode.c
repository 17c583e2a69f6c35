/*
 * test_decode.c - suite "decode": which instruction a VP faulted on (lab 4,
 * labs/04-command/decode.c).
 *
 * A VP runs in ring 3, so in/out and hlt fault with #GP(0) and vmcall with
 * #UD; vp_decode_instruction() gets the bytes at the guest's RIP and turns
 * the ones the VMM handles into an exit (include/sidecar.h, struct
 * sidecar_vp_exit). The forms, from SDM vol. 2A/2B (IN, OUT, HLT) and
 * vol. 3C (VMCALL):
 *
 *   E4 ib  in al, imm8     E5 ib  in eax, imm8    E6 ib  out imm8, al    E7 ib  out imm8, eax
 *   EC     in al, dx       ED     in eax, dx      EE     out dx, al      EF     out dx, eax
 *   F4     hlt             0F 01 C1  vmcall
 *
 * with an optional 66 prefix that makes the eax forms ax forms. Everything
 * else is refused with -1. Every instruction is placed right before an
 * unreadable page (guard_tail), so a decoder that reads one byte more than
 * it was given crashes the test instead of passing by luck.
 */
#include "fixtures.h"
#include "lab_vp.h"

/* Registers the tests run with: every byte of rax differs, so a value cut
 * to the wrong size shows; dx is 0x3f8 under upper bits that must not count. */
#define RAX 0x1122334455667788ull
#define RDX 0xfedcba98765403f8ull
#define DX_PORT 0x3f8

/* Decode n bytes that end at an unreadable page. The exit starts out as
 * garbage, so every field the decoder should set is seen to be set. */
static int decode(const uint8_t *bytes, size_t n, uint64_t rax, uint64_t rdx,
		  struct sidecar_vp_exit *exit)
{
	uint8_t *code = guard_tail(n);
	memcpy(code, bytes, n);
	memset(exit, 0xcc, sizeof(*exit));
	int r = vp_decode_instruction(code, n, rax, rdx, exit);
	guard_free(code, n);
	return r;
}

/* --- in and out ------------------------------------------------------------ */

struct io_case {
	const char *name;
	uint8_t bytes[3];
	size_t n;
	uint16_t port;
	uint8_t size;
	uint8_t write;
	uint64_t value; /* out only: rax cut to size */
	uint32_t length;
};

/* Both immediate ports are 0x80 or above: a decoder that sign-extends the
 * imm8 would report 0xff80 or 0xffe9. */
static const struct io_case io_cases[] = {
	{"in al, 0xe9", {0xe4, 0xe9}, 2, 0xe9, 1, 0, 0, 2},
	{"in eax, 0x80", {0xe5, 0x80}, 2, 0x80, 4, 0, 0, 2},
	{"in ax, 0x80", {0x66, 0xe5, 0x80}, 3, 0x80, 2, 0, 0, 3},
	{"out 0xe9, al", {0xe6, 0xe9}, 2, 0xe9, 1, 1, 0x88, 2},
	{"out 0x80, eax", {0xe7, 0x80}, 2, 0x80, 4, 1, 0x55667788, 2},
	{"out 0x80, ax", {0x66, 0xe7, 0x80}, 3, 0x80, 2, 1, 0x7788, 3},
	{"in al, dx", {0xec}, 1, DX_PORT, 1, 0, 0, 1},
	{"in eax, dx", {0xed}, 1, DX_PORT, 4, 0, 0, 1},
	{"in ax, dx", {0x66, 0xed}, 2, DX_PORT, 2, 0, 0, 2},
	{"out dx, al", {0xee}, 1, DX_PORT, 1, 1, 0x88, 1},
	{"out dx, eax", {0xef}, 1, DX_PORT, 4, 1, 0x55667788, 1},
	{"out dx, ax", {0x66, 0xef}, 2, DX_PORT, 2, 1, 0x7788, 2},
	/* The operand-size prefix does not change a byte form (SDM vol. 2A
	 * 2.1.2: it selects between 16 and 32 bits only), but it is still one
	 * byte of the instruction. */
	{"66 in al, 0xe9", {0x66, 0xe4, 0xe9}, 3, 0xe9, 1, 0, 0, 3},
	{"66 out 0xe9, al", {0x66, 0xe6, 0xe9}, 3, 0xe9, 1, 1, 0x88, 3},
	{"66 in al, dx", {0x66, 0xec}, 2, DX_PORT, 1, 0, 0, 2},
	{"66 out dx, al", {0x66, 0xee}, 2, DX_PORT, 1, 1, 0x88, 2},
};

static void check_io(const struct io_case *c, const struct sidecar_vp_exit *e)
{
	ck_assert_msg(e->reason == VP_EXIT_IO, "%s: reason %u, expected %u (IO)", c->name,
		      e->reason, VP_EXIT_IO);
	ck_assert_msg(e->port == c->port, "%s: port 0x%x, expected 0x%x", c->name, e->port,
		      c->port);
	ck_assert_msg(e->size == c->size, "%s: size %u, expected %u", c->name, e->size, c->size);
	ck_assert_msg(e->write == c->write, "%s: write %u, expected %u", c->name, e->write,
		      c->write);
	if (c->write)
		ck_assert_msg(e->value == c->value, "%s: value 0x%lx, expected 0x%lx", c->name,
			      (unsigned long)e->value, (unsigned long)c->value);
	ck_assert_msg(e->instruction_length == c->length, "%s: instruction_length %u, expected %u",
		      c->name, e->instruction_length, c->length);
}

START_TEST(decodes_every_io_form)
{
	for (size_t i = 0; i < ARRAY_SIZE(io_cases); i++) {
		const struct io_case *c = &io_cases[i];
		struct sidecar_vp_exit e;
		int r = decode(c->bytes, c->n, RAX, RDX, &e);
		ck_assert_msg(r == 0, "%s: returned %d, expected 0", c->name, r);
		check_io(c, &e);
	}
}
END_TEST

START_TEST(out_value_is_cut_to_size)
{
	/* out writes al, ax or eax: only those bits of rax reach the port. */
	static const struct {
		const char *name;
		uint8_t bytes[2];
		size_t n;
		uint64_t expect;
	} outs[] = {
		{"out dx, al", {0xee}, 1, 0xff},
		{"out dx, ax", {0x66, 0xef}, 2, 0xffff},
		{"out dx, eax", {0xef}, 1, 0xffffffff},
	};
	for (size_t i = 0; i < ARRAY_SIZE(outs); i++) {
		struct sidecar_vp_exit e;
		ck_assert_int_eq(decode(outs[i].bytes, outs[i].n, ~0ull, RDX, &e), 0);
		ck_assert_msg(e.value == outs[i].expect,
			      "%s with rax = ~0: value 0x%lx, expected 0x%lx", outs[i].name,
			      (unsigned long)e.value, (unsigned long)outs[i].expect);

		uint64_t high = 0xabcd000000000000ull; /* nothing in eax */
		ck_assert_int_eq(decode(outs[i].bytes, outs[i].n, high, RDX, &e), 0);
		ck_assert_msg(e.value == 0, "%s with rax = 0x%lx: value 0x%lx, expected 0",
			      outs[i].name, (unsigned long)high, (unsigned long)e.value);
	}
}
END_TEST

START_TEST(dx_port_is_low_16_bits)
{
	static const uint8_t in_dx[] = {0xec};
	static const uint64_t rdx[] = {0xffff, 0xfedcba987654ffffull, 0x10000,
				       0xffffffff00000060ull};
	static const uint16_t port[] = {0xffff, 0xffff, 0, 0x60};
	for (size_t i = 0; i < ARRAY_SIZE(rdx); i++) {
		struct sidecar_vp_exit e;
		ck_assert_int_eq(decode(in_dx, sizeof(in_dx), RAX, rdx[i], &e), 0);
		ck_assert_msg(e.port == port[i],
			      "in al, dx with rdx 0x%lx: port 0x%x, expected 0x%x",
			      (unsigned long)rdx[i], e.port, port[i]);
	}
}
END_TEST

START_TEST(decodes_only_the_first_instruction)
{
	/* More bytes than the instruction: the rest is the next instruction. */
	static const struct io_case cases[] = {
		{"in al, dx; hlt", {0xec, 0xf4}, 2, DX_PORT, 1, 0, 0, 1},
		{"in al, 0xe9; hlt", {0xe4, 0xe9, 0xf4}, 3, 0xe9, 1, 0, 0, 2},
		{"out dx, ax; hlt", {0x66, 0xef, 0xf4}, 3, DX_PORT, 2, 1, 0x7788, 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sidecar_vp_exit e;
		int r = decode(cases[i].bytes, cases[i].n, RAX, RDX, &e);
		ck_assert_msg(r == 0, "%s: returned %d, expected 0", cases[i].name, r);
		check_io(&cases[i], &e);
	}

	static const uint8_t hlt_in[] = {0xf4, 0xec};
	struct sidecar_vp_exit e;
	ck_assert_int_eq(decode(hlt_in, sizeof(hlt_in), RAX, RDX, &e), 0);
	ck_assert_uint_eq(e.reason, VP_EXIT_HLT);
	ck_assert_uint_eq(e.instruction_length, 1);
}
END_TEST

/* --- hlt and vmcall -------------------------------------------------------- */

START_TEST(decodes_hlt)
{
	static const uint8_t hlt_insn[] = {0xf4};
	struct sidecar_vp_exit e;
	ck_assert_int_eq(decode(hlt_insn, sizeof(hlt_insn), RAX, RDX, &e), 0);
	ck_assert_msg(e.reason == VP_EXIT_HLT, "hlt: reason %u, expected %u (HLT)", e.reason,
		      VP_EXIT_HLT);
	ck_assert_msg(e.instruction_length == 1, "hlt: instruction_length %u, expected 1",
		      e.instruction_length);
}
END_TEST

START_TEST(decodes_vmcall)
{
	static const uint8_t vmcall[] = {0x0f, 0x01, 0xc1};
	struct sidecar_vp_exit e;
	ck_assert_int_eq(decode(vmcall, sizeof(vmcall), RAX, RDX, &e), 0);
	ck_assert_msg(e.reason == VP_EXIT_HYPERCALL, "vmcall: reason %u, expected %u (HYPERCALL)",
		      e.reason, VP_EXIT_HYPERCALL);
	ck_assert_msg(e.instruction_length == 3, "vmcall: instruction_length %u, expected 3",
		      e.instruction_length);
}
END_TEST

/* --- refused --------------------------------------------------------------- */

struct refused {
	const char *name;
	uint8_t bytes[4];
	size_t n;
};

static void check_refused(const struct refused *c, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct sidecar_vp_exit e;
		int r = decode(c[i].bytes, c[i].n, RAX, RDX, &e);
		ck_assert_msg(r == -1, "%s (%zu bytes): returned %d, expected -1", c[i].name,
			      c[i].n, r);
	}
}

START_TEST(refuses_other_instructions)
{
	/* Privileged or #UD in ring 3 too, but not the VMM's business: the
	 * framework reports them as exception exits. */
	static const struct refused cases[] = {
		{"cli", {0xfa}, 1},
		{"sti", {0xfb}, 1},
		{"nop", {0x90}, 1},
		{"wrmsr", {0x0f, 0x30}, 2},
		{"rdmsr", {0x0f, 0x32}, 2},
		{"ud2", {0x0f, 0x0b}, 2},
		{"vmlaunch (0F 01 C2)", {0x0f, 0x01, 0xc2}, 3},
		{"vmmcall (0F 01 D9)", {0x0f, 0x01, 0xd9}, 3},
		{"lgdt [rax] (0F 01 10)", {0x0f, 0x01, 0x10}, 3},
		{"0F 02 C1", {0x0f, 0x02, 0xc1}, 3},
		/* String I/O (SDM vol. 2A INS, vol. 2B OUTS) is not decoded. */
		{"insb", {0x6c}, 1},
		{"insd", {0x6d}, 1},
		{"outsb", {0x6e}, 1},
		{"outsd", {0x6f}, 1},
		{"rep insb", {0xf3, 0x6c}, 2},
		{"66 outsw", {0x66, 0x6f}, 2},
		/* The operand-size prefix belongs to in/out only. */
		{"66 hlt", {0x66, 0xf4}, 2},
	};
	check_refused(cases, ARRAY_SIZE(cases));
}
END_TEST

START_TEST(refuses_truncated_instructions)
{
	/* Fewer bytes than the instruction needs: the rest is beyond what the
	 * framework could read, and guard_tail makes reading it crash. */
	static const struct refused cases[] = {
		{"nothing", {0}, 0},
		{"66 alone", {0x66}, 1},
		{"in al, imm8 without imm8", {0xe4}, 1},
		{"in eax, imm8 without imm8", {0xe5}, 1},
		{"out imm8, al without imm8", {0xe6}, 1},
		{"out imm8, eax without imm8", {0xe7}, 1},
		{"66 in ax, imm8 without imm8", {0x66, 0xe5}, 2},
		{"vmcall, 1 of 3 bytes", {0x0f}, 1},
		{"vmcall, 2 of 3 bytes", {0x0f, 0x01}, 2},
	};
	check_refused(cases, ARRAY_SIZE(cases));
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");

	TCase *io = tcase_create("io");
	tcase_add_test(io, decodes_every_io_form);
	tcase_add_test(io, out_value_is_cut_to_size);
	tcase_add_test(io, dx_port_is_low_16_bits);
	tcase_add_test(io, decodes_only_the_first_instruction);
	suite_add_tcase(s, io);

	TCase *other = tcase_create("hlt-vmcall");
	tcase_add_test(other, decodes_hlt);
	tcase_add_test(other, decodes_vmcall);
	suite_add_tcase(s, other);

	TCase *refused = tcase_create("refused");
	tcase_add_test(refused, refuses_other_instructions);
	tcase_add_test(refused, refuses_truncated_instructions);
	suite_add_tcase(s, refused);
	return s;
}
