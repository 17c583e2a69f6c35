/*
 * test_vpregs.c - suite "vpregs": what the sidecar will load into a VP
 * before iretq (kernel/vp_regs.c), whoever set it.
 *
 * RIP must be canonical (bits 63:47 equal), since on Intel hardware iretq
 * to a non-canonical RIP faults in ring 0 itself. RFLAGS keeps the guest's
 * own bits as they are - the arithmetic flags, DF, and TF and AC, which a
 * guest may set with popf - forces bit 1 and IF on, and refuses, with a
 * message, every bit that is not the guest's: IOPL, NT, VM, VIF, VIP and
 * the reserved ones. Nothing is cleared silently.
 */
#include <stdio.h>

#include "fixtures.h"
#include "lab_vp.h"
#include "vp_regs.h"

static uint64_t regs[VP_REGISTER_COUNT];
static struct diag d;

static void fresh(uint64_t rip, uint64_t rflags)
{
	memset(regs, 0, sizeof(regs));
	memset(&d, 0, sizeof(d));
	regs[VP_RIP] = rip;
	regs[VP_RFLAGS] = rflags;
}

START_TEST(canonical_edges)
{
	ck_assert(vp_rip_canonical(0));
	ck_assert(vp_rip_canonical(0x00007fffffffffffull));
	ck_assert(vp_rip_canonical(0xffff800000000000ull));
	ck_assert(vp_rip_canonical(0xffffffffffffffffull));
	ck_assert(!vp_rip_canonical(0x0000800000000000ull));
	ck_assert(!vp_rip_canonical(0xffff7fffffffffffull));
	ck_assert(!vp_rip_canonical(0x8000000000000000ull));
	ck_assert(!vp_rip_canonical(0x0001000000000000ull));
}
END_TEST

START_TEST(non_canonical_rip_refused)
{
	fresh(0x0000800000000000ull, 0x202);
	ck_assert_int_lt(vp_check_entry(regs, &d), 0);
	ck_assert_msg(strstr(d.msg, "rip 0x800000000000 is not canonical"), "%s", d.msg);
	fresh(0x0000008000004000ull, 0x202);
	ck_assert_msg(vp_check_entry(regs, &d) == 0, "%s", d.msg);
}
END_TEST

START_TEST(guest_flags_kept)
{
	/* TF (bit 8) and AC (bit 18), with CF ZF DF OF RF ID: all the guest's. */
	uint64_t mine = 0x1 | 0x40 | 0x100 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x200000;
	fresh(0x8000004000ull, mine | 0x202);
	ck_assert_msg(vp_check_entry(regs, &d) == 0, "%s", d.msg);
	ck_assert_uint_eq(vp_entry_rflags(mine | 0x202), mine | 0x202);
	/* Bit 1 and IF are forced on, not refused. */
	fresh(0x8000004000ull, 0x100);
	ck_assert_msg(vp_check_entry(regs, &d) == 0, "%s", d.msg);
	ck_assert_uint_eq(vp_entry_rflags(0x100), 0x302);
	ck_assert_uint_eq(vp_entry_rflags(0x40000), 0x40202);
}
END_TEST

START_TEST(privileged_flags_refused)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} bad[] = {
		{0x3000, "IOPL 3"}, {0x4000, "NT"}, {0x20000, "VM"}, {0x80000, "VIF"},
		{0x100000, "VIP"}, {0x8, "reserved bit 3"}, {0x8000, "reserved bit 15"},
		{1ull << 40, "reserved bit 40"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fresh(0x8000004000ull, 0x202 | bad[i].bit);
		ck_assert_msg(vp_check_entry(regs, &d) < 0, "%s accepted", bad[i].name);
		char want[64];
		snprintf(want, sizeof(want), "sets 0x%lx:", (unsigned long)bad[i].bit);
		ck_assert_msg(strstr(d.msg, want), "%s: message \"%s\"", bad[i].name, d.msg);
	}
}
END_TEST

Suite *vpregs_suite(void)
{
	Suite *s = suite_create("vpregs");
	TCase *t = tcase_create("entry");
	tcase_add_test(t, canonical_edges);
	tcase_add_test(t, non_canonical_rip_refused);
	tcase_add_test(t, guest_flags_kept);
	tcase_add_test(t, privileged_flags_refused);
	suite_add_tcase(s, t);
	return s;
}
