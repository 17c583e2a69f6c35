/*
 * test_e820.c - suite "e820": the memory map handed to Linux (lib/e820.c).
 *
 * boot_params.e820_table (Documentation/arch/x86/zero-page.rst, 0x2d0) must
 * be sorted and free of overlaps. e820_build() makes it from the firmware's
 * ranges (any order, possibly overlapping; the more restrictive type wins)
 * plus the ranges the shim keeps for the sidecar, which become reserved -
 * but only where the firmware said there was memory at all. Neighbours of
 * one type are merged.
 */
#include "fixtures.h"
#include "e820.h"

static struct e820_entry out[E820_MAX_ENTRIES];

/* The map is exactly the n entries listed. */
static void assert_map(int n, const struct e820_entry *want, int nwant)
{
	ck_assert_msg(n == nwant, "%d entries, expected %d", n, nwant);
	for (int i = 0; i < n; i++) {
		const struct e820_entry *o = &out[i], *w = &want[i];
		ck_assert_msg(o->addr == w->addr && o->size == w->size && o->type == w->type,
			      "entry %d: [0x%lx +0x%lx) type %u, expected [0x%lx +0x%lx) type %u",
			      i, (unsigned long)o->addr, (unsigned long)o->size, o->type,
			      (unsigned long)w->addr, (unsigned long)w->size, w->type);
	}
}

START_TEST(sorts_unsorted_input)
{
	static const struct e820_range fw[] = {
		{0x100000000, GiB(4), E820_RAM},
		{0, 0x9fc00, E820_RAM},
		{0xfffc0000, 0x40000, E820_RESERVED},
		{0x100000, 0x7ee0000, E820_RAM},
		{0x7fe0000, 0x20000, E820_ACPI},
	};
	static const struct e820_entry want[] = {
		{0, 0x9fc00, E820_RAM},
		{0x100000, 0x7ee0000, E820_RAM},
		{0x7fe0000, 0x20000, E820_ACPI},
		{0xfffc0000, 0x40000, E820_RESERVED},
		{0x100000000, GiB(4), E820_RAM},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), NULL, 0, &d);
	assert_map(n, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(reserved_wins_over_ram)
{
	/* Firmware that lists the BIOS area both as RAM and as reserved. */
	static const struct e820_range fw[] = {
		{0, 0x100000, E820_RAM},
		{0xf0000, 0x20000, E820_RESERVED},
		{0x100000, 0x100000, E820_RAM},
	};
	static const struct e820_entry want[] = {
		{0, 0xf0000, E820_RAM},
		{0xf0000, 0x20000, E820_RESERVED},
		{0x110000, 0xf0000, E820_RAM},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), NULL, 0, &d);
	assert_map(n, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(more_restrictive_type_wins)
{
	/* ACPI 6.5 Table 15.1 types over one RAM range: each beats RAM, and
	 * NVS beats ACPI where those two overlap. */
	static const struct e820_range fw[] = {
		{0, 0x10000, E820_RAM},
		{0x1000, 0x2000, E820_ACPI},
		{0x2000, 0x2000, E820_NVS},
		{0x8000, 0x1000, E820_UNUSABLE},
	};
	static const struct e820_entry want[] = {
		{0, 0x1000, E820_RAM},
		{0x1000, 0x1000, E820_ACPI},
		{0x2000, 0x2000, E820_NVS},
		{0x4000, 0x4000, E820_RAM},
		{0x8000, 0x1000, E820_UNUSABLE},
		{0x9000, 0x7000, E820_RAM},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), NULL, 0, &d);
	assert_map(n, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(reservation_splits_ram)
{
	static const struct e820_range fw[] = {{MiB(1), MiB(63), E820_RAM}};
	static const struct e820_range res[] = {{MiB(16), MiB(1), E820_RAM}};
	static const struct e820_entry want[] = {
		{MiB(1), MiB(15), E820_RAM},
		{MiB(16), MiB(1), E820_RESERVED},
		{MiB(17), MiB(47), E820_RAM},
	};
	struct diag d = {""};
	/* Whatever type a reservation carries, it becomes reserved. */
	int n = e820_build(out, ARRAY_SIZE(out), fw, 1, res, 1, &d);
	assert_map(n, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(adjacent_same_type_merged)
{
	static const struct e820_range fw[] = {
		{MiB(1), MiB(1), E820_RAM},
		{0, MiB(1), E820_RAM},
		{MiB(2), MiB(2), E820_RAM},
		{MiB(4), MiB(1), E820_ACPI}, /* another type: stays apart */
	};
	static const struct e820_range res[] = {
		{MiB(8), MiB(1), E820_RESERVED},
		{MiB(9), MiB(1), E820_RESERVED},
	};
	static const struct e820_range fw2 = {MiB(8), MiB(8), E820_RAM};
	static const struct e820_entry want[] = {
		{0, MiB(4), E820_RAM},
		{MiB(4), MiB(1), E820_ACPI},
	};
	static const struct e820_entry want2[] = {
		{MiB(8), MiB(2), E820_RESERVED},
		{MiB(10), MiB(6), E820_RAM},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), NULL, 0, &d);
	assert_map(n, want, ARRAY_SIZE(want));
	n = e820_build(out, ARRAY_SIZE(out), &fw2, 1, res, ARRAY_SIZE(res), &d);
	assert_map(n, want2, ARRAY_SIZE(want2));
}
END_TEST

START_TEST(reservation_outside_firmware_ignored)
{
	/* A reservation never creates memory the firmware did not report; one
	 * that straddles the end of RAM only takes the part inside. */
	static const struct e820_range fw[] = {{0, GiB(1), E820_RAM}};
	static const struct e820_range res[] = {
		{GiB(5), GiB(1), E820_RESERVED},
		{GiB(1) - MiB(2), MiB(4), E820_RESERVED},
	};
	static const struct e820_entry want[] = {
		{0, GiB(1) - MiB(2), E820_RAM},
		{GiB(1) - MiB(2), MiB(2), E820_RESERVED},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, 1, res, ARRAY_SIZE(res), &d);
	assert_map(n, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(gaps_and_empty_ranges)
{
	/* A hole between two RAM ranges stays a hole; empty ranges vanish. */
	static const struct e820_range fw[] = {
		{0, 0x9f000, E820_RAM},
		{0x50000, 0, E820_RESERVED},
		{0x100000, 0x100000, E820_RAM},
	};
	static const struct e820_entry want[] = {
		{0, 0x9f000, E820_RAM},
		{0x100000, 0x100000, E820_RAM},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), NULL, 0, &d);
	assert_map(n, want, ARRAY_SIZE(want));
	ck_assert_int_eq(e820_build(out, ARRAY_SIZE(out), NULL, 0, NULL, 0, &d), 0);
}
END_TEST

START_TEST(too_many_entries)
{
	/* Four reservations cut one RAM range into nine pieces. */
	static const struct e820_range fw[] = {{0, MiB(10), E820_RAM}};
	static const struct e820_range res[] = {
		{MiB(1), MiB(1), E820_RESERVED},
		{MiB(3), MiB(1), E820_RESERVED},
		{MiB(5), MiB(1), E820_RESERVED},
		{MiB(7), MiB(1), E820_RESERVED},
	};
	struct diag d = {""};
	ck_assert_int_eq(e820_build(out, 9, fw, 1, res, ARRAY_SIZE(res), &d), 9);
	ck_assert_diag(e820_build(out, 8, fw, 1, res, ARRAY_SIZE(res), &d), E_NOMEM, d, "8");
}
END_TEST

START_TEST(wrapping_range)
{
	static const struct e820_range fw[] = {
		{0, MiB(1), E820_RAM},
		{UINT64_MAX - 0xfff, 0x2000, E820_RESERVED},
	};
	struct diag d = {""};
	ck_assert_diag(e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), NULL, 0, &d), E_INVAL,
		       d, "wraps");

	static const struct e820_range res = {UINT64_MAX, 2, E820_RESERVED};
	d.msg[0] = '\0';
	ck_assert_diag(e820_build(out, ARRAY_SIZE(out), fw, 1, &res, 1, &d), E_INVAL, d, "wraps");
}
END_TEST

START_TEST(type_names)
{
	ck_assert_str_eq(e820_type_name(E820_RAM), "usable");
	ck_assert_str_eq(e820_type_name(E820_RESERVED), "reserved");
	ck_assert_str_eq(e820_type_name(E820_ACPI), "ACPI data");
	ck_assert_str_eq(e820_type_name(E820_NVS), "ACPI NVS");
	ck_assert_str_eq(e820_type_name(E820_UNUSABLE), "unusable");
	ck_assert_str_eq(e820_type_name(12), "reserved");
}
END_TEST

Suite *e820_suite(void)
{
	Suite *s = suite_create("e820");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, sorts_unsorted_input);
	tcase_add_test(tc, reserved_wins_over_ram);
	tcase_add_test(tc, more_restrictive_type_wins);
	tcase_add_test(tc, reservation_splits_ram);
	tcase_add_test(tc, adjacent_same_type_merged);
	tcase_add_test(tc, reservation_outside_firmware_ignored);
	tcase_add_test(tc, gaps_and_empty_ranges);
	tcase_add_test(tc, too_many_entries);
	tcase_add_test(tc, wrapping_range);
	tcase_add_test(tc, type_names);
	suite_add_tcase(s, tc);
	return s;
}
