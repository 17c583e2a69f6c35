/*
 * test_gva.c - suite "gva": walking a guest's page tables (lab 4,
 * labs/04-command/gva.c).
 *
 * vp_translate() follows the guest's 4-level tables (SDM vol. 3A 4.5) from
 * the PML4 at view.page_table down to a 4 KiB page: the index at each level
 * is 9 bits of the GVA (47:39, 38:30, 29:21, 20:12), each entry holds P, W
 * and the next GPA in bits 51:12, and PS at the PDPT or PD level would be a
 * large page, which guests here may not use. Every GPA comes from the guest,
 * so every table and the final page must lie inside guest memory; GVAs that
 * are not canonical (SDM vol. 1 3.3.7.1) or that the sidecar keeps for
 * itself (below SIDECAR_GUEST_GVA_MIN, from SIDECAR_GUEST_GVA_LIMIT up) are
 * refused before any table is read.
 *
 * The guest memory below is 16 pages with an unreadable page on each side,
 * so a walk that reads a table outside it crashes the test:
 *
 *   GPA 0x0000  PML4   entry 1 -> PDPT     (GVA 0x8000000000: the first allowed)
 *   GPA 0x1000  PDPT   entry 0 -> PD
 *   GPA 0x2000  PD     entry 0 -> PT
 *   GPA 0x3000  PT     entries 0-7 and 15: GVA 0x8000000000 + x -> GPA x,
 *                      page 6 read-only
 *   GPA 0x4000 ... 0xffff  data pages
 *
 * Each test changes one entry and names what it broke.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fixtures.h"
#include "lab_vp.h"
#include "x86.h"

#define GUEST_PAGES 16
#define GUEST_SIZE (GUEST_PAGES * 0x1000ull)
#define PML4_GPA 0x0000
#define PDPT_GPA 0x1000
#define PD_GPA 0x2000
#define PT_GPA 0x3000
#define READ_ONLY_PAGE 6
#define LAST_PAGE (GUEST_PAGES - 1)

/* The GVA of the guest page that maps GPA page * 4 KiB, plus off. */
#define GVA(page, off) (SIDECAR_GUEST_GVA_MIN + (uint64_t)(page) * 0x1000 + (off))

/* A GPA no guest of 16 pages has: the highest 4 KiB page an entry can name. */
#define TOP_GPA PTE_ADDR

static struct vp_memory_view view;

/* The 512 entries of the table at gpa. */
static uint64_t *table(uint64_t gpa)
{
	return (uint64_t *)(view.base + gpa);
}

/* Build the guest memory drawn at the top of the file, between two
 * PROT_NONE pages; a test that calls it twice starts over. */
static void guest_init(void)
{
	static uint8_t *map;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	ck_assert_msg(page == 0x1000, "the host page size is %zu, not 4 KiB", page);
	if (!map) {
		map = mmap(NULL, (GUEST_PAGES + 2) * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ck_assert_msg(map != MAP_FAILED, "guest memory: mmap failed");
		ck_assert_int_eq(mprotect(map, page, PROT_NONE), 0);
		ck_assert_int_eq(mprotect(map + (GUEST_PAGES + 1) * page, page, PROT_NONE), 0);
	}
	view = (struct vp_memory_view){map + page, GUEST_SIZE, PML4_GPA};
	memset(view.base, 0, GUEST_SIZE);

	table(PML4_GPA)[1] = PDPT_GPA | PTE_P | PTE_W;
	table(PDPT_GPA)[0] = PD_GPA | PTE_P | PTE_W;
	table(PD_GPA)[0] = PT_GPA | PTE_P | PTE_W;
	for (uint64_t i = 0; i < 8; i++)
		table(PT_GPA)[i] = i * 0x1000 | PTE_P | PTE_W;
	table(PT_GPA)[READ_ONLY_PAGE] &= ~PTE_W;
	table(PT_GPA)[LAST_PAGE] = LAST_PAGE * 0x1000ull | PTE_P | PTE_W;
}

/* The entry on the path of GVA(page, 0) at level 4 (PML4) .. 1 (PT). */
static uint64_t *path_entry(int level, uint64_t page)
{
	switch (level) {
	case 4:
		return &table(PML4_GPA)[1];
	case 3:
		return &table(PDPT_GPA)[0];
	case 2:
		return &table(PD_GPA)[0];
	default:
		return &table(PT_GPA)[page];
	}
}

/* The results of the last walk. */
static uint64_t gpa;
static bool writable;
static struct diag d;

static int walk(uint64_t gva)
{
	gpa = 0xbad0bad0bad0bad0ull;
	d.msg[0] = '\0';
	return vp_translate(&view, gva, &gpa, &writable, &d);
}

/* gva translates to want, writable or not. */
static void assert_maps(uint64_t gva, uint64_t want, bool want_writable)
{
	writable = !want_writable;
	int r = walk(gva);
	ck_assert_msg(r == 0, "gva 0x%lx: returned %d (%s); diag: \"%s\"", (unsigned long)gva, r,
		      diag_errname(r), d.msg);
	ck_assert_msg(gpa == want, "gva 0x%lx: gpa 0x%lx, expected 0x%lx", (unsigned long)gva,
		      (unsigned long)gpa, (unsigned long)want);
	ck_assert_msg(writable == want_writable, "gva 0x%lx: writable %d, expected %d",
		      (unsigned long)gva, writable, want_writable);
}

/* Like ck_assert_diag, for problems whose error code the lab leaves open:
 * any negative code, with a message that mentions one of the words. */
#define ck_assert_refused(result, d, ...)                                                    \
	do {                                                                                 \
		int r_ = (result);                                                           \
		ck_assert_msg(r_ < 0, "returned %d (%s), expected an error; diag: \"%s\"", r_, \
			      diag_errname(r_), (d).msg);                                    \
		ck_assert_msg((d).msg[0] != '\0', "error %d left no message in diag", r_);   \
		ck_assert_msg(diag_mentions(&(d), ##__VA_ARGS__, (const char *)NULL),        \
			      "diag \"%s\" does not name the problem (expected: %s)", (d).msg, \
			      #__VA_ARGS__);                                                 \
	} while (0)

/* --- valid walks ----------------------------------------------------------- */

START_TEST(translates_mapped_pages)
{
	static const uint64_t pages[] = {0, 1, 2, 3, 4, 5, 7, LAST_PAGE};
	static const uint64_t offsets[] = {0, 0x123, 0xfff};

	guest_init();
	for (size_t p = 0; p < ARRAY_SIZE(pages); p++)
		for (size_t o = 0; o < ARRAY_SIZE(offsets); o++)
			assert_maps(GVA(pages[p], offsets[o]), pages[p] * 0x1000 + offsets[o],
				    true);
	for (size_t o = 0; o < ARRAY_SIZE(offsets); o++)
		assert_maps(GVA(READ_ONLY_PAGE, offsets[o]), READ_ONLY_PAGE * 0x1000 + offsets[o],
			    false);
}
END_TEST

START_TEST(read_only_at_any_level)
{
	/* SDM vol. 3A 4.6.1: a write is allowed only if every level allows it. */
	for (int level = 4; level >= 1; level--) {
		guest_init();
		*path_entry(level, 4) &= ~PTE_W;
		assert_maps(GVA(4, 0x10), 0x4010, false);
		assert_maps(GVA(5, 0x10), 0x5010, level == 1); /* its own PT entry is writable */
	}
}
END_TEST

START_TEST(ignores_other_entry_bits)
{
	/* User, accessed, the ignored bits 11:9 and 52, execute-disable (bit
	 * 63) on every level; dirty, global and PAT (bit 7 of a PT entry, which
	 * is not PS there: SDM vol. 3A Table 4-20) on the page. */
	static const uint64_t any_level = PTE_U | 0x20 | 0xe00 | 1ull << 52 | 1ull << 63;
	guest_init();
	for (int level = 4; level >= 1; level--)
		*path_entry(level, 4) |= any_level;
	*path_entry(1, 4) |= 0x40 | 0x80 | 0x100;
	assert_maps(GVA(4, 0xabc), 0x4abc, true);
}
END_TEST

START_TEST(top_of_guest_range)
{
	/* SIDECAR_GUEST_GVA_LIMIT - 1 is the last GVA a guest may map: every
	 * index is 511 except the PML4's 255. */
	uint64_t top = SIDECAR_GUEST_GVA_LIMIT - 1;

	guest_init();
	ck_assert_diag(walk(top), E_NOTFOUND, d, "not mapped");

	table(PML4_GPA)[255] = PDPT_GPA | PTE_P | PTE_W;
	table(PDPT_GPA)[511] = PD_GPA | PTE_P | PTE_W;
	table(PD_GPA)[511] = PT_GPA | PTE_P | PTE_W;
	table(PT_GPA)[511] = 0x5000 | PTE_P;
	assert_maps(top, 0x5fff, false);
	assert_maps(GVA(4, 0), 0x4000, true); /* the old path still works */
}
END_TEST

/* --- addresses the guest may not use --------------------------------------- */

START_TEST(rejects_non_canonical)
{
	/* Bits 63:47 not all equal. 0x00ff008000000000 has the bits 47:0 of a
	 * mapped GVA: a walk that ignored the high bits would succeed. */
	static const uint64_t gvas[] = {
		0x0000800000000000ull, 0xffff7fffffffffffull, 0x8000000000000000ull,
		0x7fffffffffffffffull, 0x00ff008000000000ull,
	};
	guest_init();
	for (size_t i = 0; i < ARRAY_SIZE(gvas); i++)
		ck_assert_refused(walk(gvas[i]), d, "canonical");
}
END_TEST

START_TEST(rejects_reserved)
{
	/* Canonical, but the sidecar's: the first 512 GiB and the upper half.
	 * The guest's tables map them anyway, so only the check refuses them. */
	static const uint64_t gvas[] = {
		0, 0x1000, 0x200000, SIDECAR_GUEST_GVA_MIN - 0x1000, SIDECAR_GUEST_GVA_MIN - 1,
		0xffff800000000000ull, 0xffffffff80000000ull, 0xfffffffffffff000ull,
	};
	guest_init();
	table(PML4_GPA)[0] = PDPT_GPA | PTE_P | PTE_W;
	table(PML4_GPA)[256] = PDPT_GPA | PTE_P | PTE_W;
	table(PML4_GPA)[511] = PDPT_GPA | PTE_P | PTE_W;
	table(PDPT_GPA)[511] = PD_GPA | PTE_P | PTE_W;
	table(PD_GPA)[1] = PT_GPA | PTE_P | PTE_W;
	table(PD_GPA)[511] = PT_GPA | PTE_P | PTE_W;
	table(PT_GPA)[511] = 0x4000 | PTE_P | PTE_W;
	for (size_t i = 0; i < ARRAY_SIZE(gvas); i++)
		ck_assert_refused(walk(gvas[i]), d, "reserved");
	assert_maps(GVA(0, 0), 0, true); /* SIDECAR_GUEST_GVA_MIN itself is the guest's */
}
END_TEST

/* --- broken tables --------------------------------------------------------- */

START_TEST(not_present_at_each_level)
{
	static const char *const names[] = {"", "PT", "PD", "PDPT", "PML4"};
	for (int level = 4; level >= 1; level--) {
		guest_init();
		*path_entry(level, 4) = 0;
		ck_assert_diag(walk(GVA(4, 0)), E_NOTFOUND, d, "not mapped");

		/* P clear, every other bit set: nothing else of the entry counts. */
		*path_entry(level, 4) = ~PTE_P;
		int r = walk(GVA(4, 0));
		ck_assert_msg(r == E_NOTFOUND,
			      "%s entry ~P: returned %d (%s), expected E_NOTFOUND; diag: \"%s\"",
			      names[level], r, diag_errname(r), d.msg);
	}

	guest_init();
	ck_assert_diag(walk(GVA(10, 0)), E_NOTFOUND, d, "not mapped");       /* PT entry 10 */
	ck_assert_diag(walk(GVA(512, 0)), E_NOTFOUND, d, "not mapped");      /* PD entry 1 */
	ck_assert_diag(walk(0x10000000000ull), E_NOTFOUND, d, "not mapped"); /* PML4 entry 2 */
}
END_TEST

START_TEST(rejects_table_outside_memory)
{
	/* A PML4, PDPT or PD entry that points past the end of guest memory:
	 * reading that "table" would read the sidecar's memory. */
	static const uint64_t outside[] = {GUEST_SIZE, GUEST_SIZE + 0x1000, 0x40000000, TOP_GPA};
	for (int level = 4; level >= 2; level--) {
		for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
			guest_init();
			*path_entry(level, 4) = outside[i] | PTE_P | PTE_W;
			ck_assert_diag(walk(GVA(4, 0)), E_RANGE, d, "outside");
		}
	}
}
END_TEST

START_TEST(rejects_page_outside_memory)
{
	static const uint64_t outside[] = {GUEST_SIZE, GUEST_SIZE + 0x1000, 0x40000000, TOP_GPA};
	for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
		guest_init();
		table(PT_GPA)[8] = outside[i] | PTE_P | PTE_W;
		ck_assert_refused(walk(GVA(8, 0x10)), d);
	}
}
END_TEST

START_TEST(rejects_large_pages)
{
	/* PS in a PDPT entry is a 1 GiB page, in a PD entry a 2 MiB page (SDM
	 * vol. 3A Tables 4-17 and 4-18); guests here may not use them. */
	for (int level = 3; level >= 2; level--) {
		guest_init();
		*path_entry(level, 4) |= PTE_PS;
		ck_assert_refused(walk(GVA(4, 0)), d, "large");
	}
}
END_TEST

START_TEST(rejects_bad_page_table)
{
	/* view.page_table is the guest's CR3: a page inside guest memory. An
	 * unaligned root gets a valid-looking entry 1 of its own, so a walk
	 * that used it anyway would succeed. */
	static const uint64_t unaligned[] = {0x8, 0x800, PDPT_GPA + 8};
	static const uint64_t outside[] = {GUEST_SIZE, GUEST_SIZE + 0x1000, TOP_GPA,
					    0xfffffffffffff000ull /* wraps past 2^64 */};
	for (size_t i = 0; i < ARRAY_SIZE(unaligned); i++) {
		guest_init();
		memcpy(view.base + unaligned[i] + 8, &table(PML4_GPA)[1], 8);
		view.page_table = unaligned[i];
		ck_assert_refused(walk(GVA(4, 0)), d);
	}
	for (size_t i = 0; i < ARRAY_SIZE(outside); i++) {
		guest_init();
		view.page_table = outside[i];
		ck_assert_refused(walk(GVA(4, 0)), d);
	}
}
END_TEST

Suite *gva_suite(void)
{
	Suite *s = suite_create("gva");

	TCase *valid = tcase_create("valid");
	tcase_add_test(valid, translates_mapped_pages);
	tcase_add_test(valid, read_only_at_any_level);
	tcase_add_test(valid, ignores_other_entry_bits);
	tcase_add_test(valid, top_of_guest_range);
	suite_add_tcase(s, valid);

	TCase *address = tcase_create("address");
	tcase_add_test(address, rejects_non_canonical);
	tcase_add_test(address, rejects_reserved);
	suite_add_tcase(s, address);

	TCase *tables = tcase_create("tables");
	tcase_add_test(tables, not_present_at_each_level);
	tcase_add_test(tables, rejects_table_outside_memory);
	tcase_add_test(tables, rejects_page_outside_memory);
	tcase_add_test(tables, rejects_large_pages);
	tcase_add_test(tables, rejects_bad_page_table);
	suite_add_tcase(s, tables);
	return s;
}
