/*
 * test_physmem.c - suite "physmem": the shim's physical memory allocator
 * (lib/portable/physmem.c).
 *
 * Free memory is a sorted list of [base, end) ranges: physmem_add() merges
 * what overlaps or touches, physmem_reserve() cuts holes, physmem_alloc()
 * hands out the lowest aligned fit between min and max. The tests check the
 * list itself after each step, since every later allocation depends on it.
 */
#include "fixtures.h"
#include "physmem.h"

static struct physmem pm;

/* The free list is exactly these n [base, end) pairs. */
static void assert_free(const uint64_t (*want)[2], uint32_t n)
{
	ck_assert_msg(pm.nfree == n, "%u free ranges, expected %u", pm.nfree, n);
	for (uint32_t i = 0; i < n; i++)
		ck_assert_msg(pm.free[i].base == want[i][0] && pm.free[i].end == want[i][1],
			      "range %u: [0x%lx, 0x%lx), expected [0x%lx, 0x%lx)", i,
			      (unsigned long)pm.free[i].base, (unsigned long)pm.free[i].end,
			      (unsigned long)want[i][0], (unsigned long)want[i][1]);
}

START_TEST(add_merges_touching_and_overlapping)
{
	static const uint64_t two[][2] = {{0x1000, 0x2000}, {0x3000, 0x4000}};
	static const uint64_t one[][2] = {{0x1000, 0x4000}};
	static const uint64_t grown[][2] = {{0x1000, 0x5000}};

	physmem_init(&pm);
	ck_assert_int_eq(physmem_add(&pm, 0x1000, 0x1000), 0);
	ck_assert_int_eq(physmem_add(&pm, 0x3000, 0x1000), 0);
	assert_free(two, 2);
	ck_assert_int_eq(physmem_add(&pm, 0x2000, 0x1000), 0); /* touches both */
	assert_free(one, 1);
	ck_assert_int_eq(physmem_add(&pm, 0x3800, 0x1800), 0); /* overlaps the end */
	assert_free(grown, 1);
	ck_assert_int_eq(physmem_add(&pm, 0x1800, 0x100), 0); /* already free */
	assert_free(grown, 1);
}
END_TEST

START_TEST(add_keeps_ranges_sorted)
{
	static const uint64_t want[][2] = {{0, 0x9f000}, {MiB(1), MiB(128)}, {GiB(4), GiB(6)}};

	physmem_init(&pm);
	ck_assert_int_eq(physmem_add(&pm, GiB(4), GiB(2)), 0);
	ck_assert_int_eq(physmem_add(&pm, 0, 0x9f000), 0);
	ck_assert_int_eq(physmem_add(&pm, MiB(1), MiB(127)), 0);
	assert_free(want, 3);
	ck_assert_int_eq(physmem_add(&pm, MiB(8), 0), 0); /* empty: nothing */
	assert_free(want, 3);
}
END_TEST

START_TEST(add_errors)
{
	physmem_init(&pm);
	ck_assert_int_eq(physmem_add(&pm, UINT64_MAX - 0xfff, 0x2000), E_INVAL);
	ck_assert_uint_eq(pm.nfree, 0);

	for (uint32_t i = 0; i < PHYSMEM_MAX_RANGES; i++)
		ck_assert_int_eq(physmem_add(&pm, MiB(2) * i, MiB(1)), 0);
	ck_assert_int_eq(physmem_add(&pm, MiB(2) * PHYSMEM_MAX_RANGES, MiB(1)), E_NOMEM);
	ck_assert_uint_eq(pm.nfree, PHYSMEM_MAX_RANGES);
	/* Growing a range needs no new slot. */
	ck_assert_int_eq(physmem_add(&pm, MiB(1), MiB(1)), 0);
	ck_assert_uint_eq(pm.nfree, PHYSMEM_MAX_RANGES - 1);
}
END_TEST

START_TEST(reserve_splits_a_range)
{
	static const uint64_t want[][2] = {{0, MiB(1)}, {MiB(2), MiB(16)}};

	physmem_init(&pm);
	physmem_add(&pm, 0, MiB(16));
	ck_assert_int_eq(physmem_reserve(&pm, MiB(1), MiB(1)), 0);
	assert_free(want, 2);
}
END_TEST

START_TEST(reserve_edges_and_whole)
{
	static const uint64_t trimmed[][2] = {{0x2000, 0x9000}};

	physmem_init(&pm);
	physmem_add(&pm, 0x1000, 0x9000);
	ck_assert_int_eq(physmem_reserve(&pm, 0x1000, 0x1000), 0); /* the start */
	ck_assert_int_eq(physmem_reserve(&pm, 0x9000, 0x1000), 0); /* the end */
	assert_free(trimmed, 1);
	ck_assert_int_eq(physmem_reserve(&pm, 0, 0x10000), 0); /* all of it and more */
	ck_assert_uint_eq(pm.nfree, 0);
}
END_TEST

START_TEST(reserve_across_ranges)
{
	static const uint64_t want[][2] = {{0, KiB(512)}, {KiB(4608), MiB(5)}, {MiB(6), MiB(7)}};

	physmem_init(&pm);
	physmem_add(&pm, 0, MiB(1));
	physmem_add(&pm, MiB(2), MiB(1));
	physmem_add(&pm, MiB(4), MiB(1));
	physmem_add(&pm, MiB(6), MiB(1));
	ck_assert_int_eq(physmem_reserve(&pm, KiB(512), KiB(4096)), 0);
	assert_free(want, 3);
}
END_TEST

START_TEST(reserve_what_is_not_free)
{
	static const uint64_t want[][2] = {{MiB(1), MiB(2)}};
	static const uint64_t none[][2] = {{0, 0}};

	physmem_init(&pm);
	physmem_add(&pm, MiB(1), MiB(1));
	ck_assert_int_eq(physmem_reserve(&pm, MiB(4), MiB(1)), 0);
	ck_assert_int_eq(physmem_reserve(&pm, 0, MiB(1)), 0); /* touches, no overlap */
	ck_assert_int_eq(physmem_reserve(&pm, MiB(2), 0x1000), 0);
	assert_free(want, 1);

	/* A size running past the top of the address space means "the rest". */
	ck_assert_int_eq(physmem_reserve(&pm, MiB(1), UINT64_MAX), 0);
	assert_free(none, 0);
}
END_TEST

START_TEST(reserve_on_full_list_keeps_the_rest)
{
	/* Cutting a hole in one of PHYSMEM_MAX_RANGES ranges needs a slot there
	 * is not: the reservation fails, and nothing else may be lost. */
	physmem_init(&pm);
	for (uint32_t i = 0; i < PHYSMEM_MAX_RANGES; i++)
		physmem_add(&pm, MiB(2) * i, MiB(1));
	uint64_t before = physmem_total_free(&pm);
	ck_assert_int_eq(physmem_reserve(&pm, 0x1000, 0x1000), E_NOMEM);
	ck_assert_msg(physmem_total_free(&pm) == before,
		      "a failed reservation lost 0x%lx bytes of free memory",
		      (unsigned long)(before - physmem_total_free(&pm)));
	ck_assert_uint_eq(pm.nfree, PHYSMEM_MAX_RANGES);
	ck_assert(physmem_is_free(&pm, 0, MiB(1)));

	/* Trimming an edge needs no slot and still works. */
	ck_assert_int_eq(physmem_reserve(&pm, 0, 0x1000), 0);
	ck_assert_uint_eq(physmem_total_free(&pm), before - 0x1000);
}
END_TEST

START_TEST(is_free)
{
	physmem_init(&pm);
	physmem_add(&pm, MiB(1), MiB(1));
	physmem_add(&pm, MiB(4), MiB(4));
	ck_assert(physmem_is_free(&pm, MiB(1), MiB(1)));
	ck_assert(physmem_is_free(&pm, MiB(5), 0x1000));
	ck_assert_msg(!physmem_is_free(&pm, MiB(2) - 0x1000, 0x2000), "runs past a range's end");
	ck_assert_msg(!physmem_is_free(&pm, MiB(1), MiB(4)), "spans a hole");
	ck_assert_msg(!physmem_is_free(&pm, 0, 0x1000), "below all ranges");
	ck_assert_msg(!physmem_is_free(&pm, MiB(7), UINT64_MAX), "wraps around");
}
END_TEST

START_TEST(alloc_aligns)
{
	uint64_t a = 0;

	physmem_init(&pm);
	physmem_add(&pm, 0x1001, MiB(16) - 0x1001);
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0x1000, 0, UINT64_MAX, &a), 0);
	ck_assert_uint_eq(a, 0x2000);
	ck_assert_msg(!physmem_is_free(&pm, 0x2000, 1), "allocated memory is no longer free");
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0x1000, 0, UINT64_MAX, &a), 0);
	ck_assert_uint_eq(a, 0x3000);
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, MiB(2), 0, UINT64_MAX, &a), 0);
	ck_assert_uint_eq(a, MiB(2));
	/* The part skipped for alignment stays free. */
	ck_assert(physmem_is_free(&pm, 0x4000, MiB(2) - 0x4000));
	ck_assert(physmem_is_free(&pm, 0x1001, 0xfff));
}
END_TEST

START_TEST(alloc_between_min_and_max)
{
	uint64_t a = 0;

	physmem_init(&pm);
	physmem_add(&pm, 0, MiB(64));
	ck_assert_int_eq(physmem_alloc(&pm, MiB(1), 0x1000, MiB(16), MiB(64), &a), 0);
	ck_assert_uint_eq(a, MiB(16));
	ck_assert_int_eq(physmem_alloc(&pm, MiB(1), 0x1000, 0, MiB(1), &a), 0);
	ck_assert_uint_eq(a, 0);
	/* max is exclusive: [63M, 64M) fits below 64M exactly. */
	ck_assert_int_eq(physmem_alloc(&pm, MiB(1), MiB(1), MiB(63), MiB(64), &a), 0);
	ck_assert_uint_eq(a, MiB(63));
	ck_assert_int_eq(physmem_alloc(&pm, MiB(1), 0x1000, MiB(62) + 1, MiB(63), &a), E_NOMEM);
}
END_TEST

START_TEST(alloc_lowest_fit)
{
	uint64_t a = 0;

	/* Ranges too small for the request are passed over. */
	physmem_init(&pm);
	physmem_add(&pm, MiB(16), MiB(1));
	physmem_add(&pm, 0x1000, 0x1000);
	physmem_add(&pm, MiB(1), MiB(1));
	ck_assert_int_eq(physmem_alloc(&pm, 0x2000, 0x1000, 0, UINT64_MAX, &a), 0);
	ck_assert_uint_eq(a, MiB(1));
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0x1000, 0, UINT64_MAX, &a), 0);
	ck_assert_uint_eq(a, 0x1000);
}
END_TEST

START_TEST(alloc_until_exhausted)
{
	uint64_t a = 0;

	physmem_init(&pm);
	physmem_add(&pm, MiB(1), 0x4000);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0x1000, 0, UINT64_MAX, &a), 0);
		ck_assert_uint_eq(a, MiB(1) + 0x1000 * (uint64_t)i);
	}
	ck_assert_uint_eq(physmem_total_free(&pm), 0);
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0x1000, 0, UINT64_MAX, &a), E_NOMEM);
}
END_TEST

START_TEST(alloc_never_wraps_past_the_top)
{
	uint64_t a = 0x5a5a;

	/* 50 bytes just below 2^64 hold no 4 KiB-aligned address: aligning up
	 * wraps to 0, which must not be handed out (it is not free). */
	physmem_init(&pm);
	physmem_add(&pm, UINT64_MAX - 100, 50);
	int r = physmem_alloc(&pm, 16, 0x1000, 0, UINT64_MAX, &a);
	ck_assert_msg(r == E_NOMEM, "returned %d with address 0x%lx, expected E_NOMEM", r,
		      (unsigned long)a);
	ck_assert_uint_eq(physmem_total_free(&pm), 50);
}
END_TEST

START_TEST(alloc_bad_arguments)
{
	uint64_t a = 0;

	physmem_init(&pm);
	physmem_add(&pm, MiB(1), MiB(1));
	ck_assert_int_eq(physmem_alloc(&pm, 0, 0x1000, 0, UINT64_MAX, &a), E_INVAL);
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0, 0, UINT64_MAX, &a), E_INVAL);
	ck_assert_int_eq(physmem_alloc(&pm, 0x1000, 0x3000, 0, UINT64_MAX, &a), E_INVAL);
	ck_assert_uint_eq(physmem_total_free(&pm), MiB(1));
}
END_TEST

START_TEST(total_free)
{
	physmem_init(&pm);
	ck_assert_uint_eq(physmem_total_free(&pm), 0);
	physmem_add(&pm, 0, 0x9f000);
	physmem_add(&pm, MiB(1), MiB(511));
	physmem_add(&pm, MiB(100), MiB(10)); /* already counted */
	ck_assert_uint_eq(physmem_total_free(&pm), 0x9f000 + MiB(511));
	physmem_reserve(&pm, MiB(16), MiB(16));
	ck_assert_uint_eq(physmem_total_free(&pm), 0x9f000 + MiB(495));
}
END_TEST

Suite *physmem_suite(void)
{
	Suite *s = suite_create("physmem");

	TCase *ranges = tcase_create("ranges");
	tcase_add_test(ranges, add_merges_touching_and_overlapping);
	tcase_add_test(ranges, add_keeps_ranges_sorted);
	tcase_add_test(ranges, add_errors);
	tcase_add_test(ranges, reserve_splits_a_range);
	tcase_add_test(ranges, reserve_edges_and_whole);
	tcase_add_test(ranges, reserve_across_ranges);
	tcase_add_test(ranges, reserve_what_is_not_free);
	tcase_add_test(ranges, reserve_on_full_list_keeps_the_rest);
	tcase_add_test(ranges, is_free);
	tcase_add_test(ranges, total_free);
	suite_add_tcase(s, ranges);

	TCase *alloc = tcase_create("alloc");
	tcase_add_test(alloc, alloc_aligns);
	tcase_add_test(alloc, alloc_between_min_and_max);
	tcase_add_test(alloc, alloc_lowest_fit);
	tcase_add_test(alloc, alloc_until_exhausted);
	tcase_add_test(alloc, alloc_never_wraps_past_the_top);
	tcase_add_test(alloc, alloc_bad_arguments);
	suite_add_tcase(s, alloc);
	return s;
}
