/*
 * test_e820.c - suite "e820": the memory map handed to Linux (lib/portable/e820.c).
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
#include "../../shim/shim.h" /* SHIM_MAX_RESERVED: the shim's list of reservations */

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

/* Is [addr, addr+size) inside one entry of type `type` in out[0..n)? */
static bool covered(int n, uint64_t addr, uint64_t size, uint32_t type)
{
	for (int i = 0; i < n; i++)
		if (out[i].type == type && out[i].addr <= addr &&
		    addr + size <= out[i].addr + out[i].size)
			return true;
	return false;
}

START_TEST(shim_list_holds_every_node)
{
	/* The shim's list: its fixed reservations, then one block per sidecar
	 * node up to the ABI's limit. None is dropped; one more is an error
	 * that names the range. */
	static struct e820_range list[SHIM_MAX_RESERVED];
	uint32_t n = 0;
	struct diag d = {""};
	for (uint32_t i = 0; i < SHIM_FIXED_RESERVATIONS + SIDECAR_MAX_NODES; i++)
		ck_assert_int_eq(e820_add(list, &n, ARRAY_SIZE(list), MiB(1) + i * MiB(2), 0x1000,
					  E820_RESERVED, &d),
				 0);
	ck_assert_uint_eq(n, SHIM_FIXED_RESERVATIONS + SIDECAR_MAX_NODES);
	ck_assert_diag(e820_add(list, &n, ARRAY_SIZE(list), 0x7000000, 0x2000, E820_RESERVED, &d),
		       E_NOMEM, d, "0x7000000-0x7001fff");
	ck_assert_uint_eq(n, SHIM_FIXED_RESERVATIONS + SIDECAR_MAX_NODES);
	for (uint32_t i = 0; i < n; i++)
		ck_assert_uint_eq(list[i].addr, MiB(1) + i * MiB(2));
	d.msg[0] = '\0';
	ck_assert_diag(e820_add(list, &n, SIZE_MAX, UINT64_MAX, 2, E820_RESERVED, &d), E_INVAL, d,
		       "wraps");
}
END_TEST

START_TEST(eight_nodes_all_reserved)
{
	/* The machine of `make run SMP=16 NODES=8 MEM=2048`: QEMU's map below
	 * 4 GiB, eight 256 MiB nodes, each with its sidecar block at the base of
	 * its memory, plus the shim's four fixed pages. Every one of the twelve
	 * must come out reserved (a list of 8 once dropped nodes 4-7's). */
	static const struct e820_range fw[] = {
		{0, 0x9fc00, E820_RAM},
		{0x9fc00, 0x400, E820_RESERVED},
		{0xf0000, 0x10000, E820_RESERVED},
		{0x100000, 0x7fee0000, E820_RAM},
		{0x7ffe0000, 0x20000, E820_RESERVED},
		{0xb0000000, 0x10000000, E820_RESERVED},
		{0xfffc0000, 0x40000, E820_RESERVED},
	};
	static struct e820_range res[SHIM_MAX_RESERVED];
	uint32_t nres = 0;
	struct diag d = {""};
	static const uint64_t fixed[][2] = {
		{0x1000, 0x1000}, {0x400000, 0x3000}, {0x180000, 0x1000}, {MiB(2), MiB(2)}};
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		ck_assert_int_eq(e820_add(res, &nres, ARRAY_SIZE(res), fixed[i][0], fixed[i][1],
					  E820_RESERVED, &d),
				 0);
	for (uint64_t node = 0; node < 8; node++)
		ck_assert_int_eq(e820_add(res, &nres, ARRAY_SIZE(res),
					  node ? node * MiB(256) : 0x403000, 0x3a000,
					  E820_RESERVED, &d),
				 0);
	int n = e820_build(out, ARRAY_SIZE(out), fw, ARRAY_SIZE(fw), res, nres, &d);
	ck_assert_msg(n > 0, "%s", d.msg);
	for (uint32_t i = 0; i < nres; i++)
		ck_assert_msg(covered(n, res[i].addr, res[i].size, E820_RESERVED),
			      "reservation %u at 0x%lx is not reserved in the map", i,
			      (unsigned long)res[i].addr);
	ck_assert(!covered(n, MiB(256) + 0x3a000, 0x1000, E820_RESERVED));
	ck_assert(covered(n, MiB(256) + 0x3a000, 0x1000, E820_RAM));
}
END_TEST

START_TEST(many_adjacent_reservations_merge)
{
	/* 300 sidecar blocks back to back (nodes whose blocks were allocated
	 * one after the other) cost one entry; more input ranges than the map
	 * has entries is no error in itself. */
	static const struct e820_range fw[] = {{0, GiB(2), E820_RAM}};
	static struct e820_range res[300];
	for (size_t i = 0; i < ARRAY_SIZE(res); i++)
		res[ARRAY_SIZE(res) - 1 - i] = (struct e820_range){MiB(64) + i * 0x5000, 0x5000,
								   E820_RESERVED};
	static const struct e820_entry want[] = {
		{0, MiB(64), E820_RAM},
		{MiB(64), 300 * 0x5000, E820_RESERVED},
		{MiB(64) + 300 * 0x5000, GiB(2) - MiB(64) - 300 * 0x5000, E820_RAM},
	};
	struct diag d = {""};
	int n = e820_build(out, ARRAY_SIZE(out), fw, 1, res, ARRAY_SIZE(res), &d);
	assert_map(n, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(scattered_reservations_overflow_the_zero_page)
{
	/* 128 nodes' blocks each in the middle of its node's memory cut RAM
	 * into 257 pieces: more than boot_params' 128 entries. The builder says
	 * so (the shim then turns the sidecar off) rather than drop any. */
	static const struct e820_range fw[] = {{0, GiB(128), E820_RAM}};
	static struct e820_range res[128];
	for (size_t i = 0; i < ARRAY_SIZE(res); i++)
		res[i] = (struct e820_range){i * GiB(1) + MiB(1), 0x5000, E820_RESERVED};
	struct diag d = {""};
	ck_assert_diag(e820_build(out, E820_MAX_ENTRIES, fw, 1, res, ARRAY_SIZE(res), &d), E_NOMEM,
		       d, "more than 128 entries");
	/* 63 of them fit: 127 entries. */
	ck_assert_int_eq(e820_build(out, E820_MAX_ENTRIES, fw, 1, res, 63, &d), 127);
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
	tcase_add_test(tc, shim_list_holds_every_node);
	tcase_add_test(tc, eight_nodes_all_reserved);
	tcase_add_test(tc, many_adjacent_reservations_merge);
	tcase_add_test(tc, scattered_reservations_overflow_the_zero_page);
	suite_add_tcase(s, tc);
	return s;
}
