/*
 * test_mb2.c - suite "mb2": the multiboot2 information walk (lab 0) and
 * what lib/portable/mb2.c takes from the tags.
 *
 * GRUB hands the shim a list of tags (Multiboot2 spec 3.6): u32 total_size,
 * u32 reserved, then tags of u32 type and u32 size, each starting on an
 * 8-byte boundary, ended by a tag of type 0 and size 8. mb2_walk()
 * (labs/00-boot/mb2_walk.c) must visit every tag before the end tag in order
 * and refuse anything that would make it read outside the information; the
 * tests below break the information one way at a time. The tests of
 * mb2_parse() go through mb2_walk() too, so the whole suite fails on an
 * untouched skeleton (lab_todo() aborts) and passes with a correct walk.
 */
#include "fixtures.h"

/* What the walk showed the callback. */
struct seen {
	int n;
	const struct mb2_tag *tags[16];
	int stop_at; /* return ret at the stop_at-th tag (1-based); 0: never */
	int ret;
};

static int record(const struct mb2_tag *tag, void *ctx)
{
	struct seen *s = ctx;
	ck_assert_msg(s->n < (int)ARRAY_SIZE(s->tags), "callback called too often");
	s->tags[s->n++] = tag;
	return s->n == s->stop_at ? s->ret : 0;
}

static struct mb2_builder b;

static struct mb2_info_header *header(void)
{
	return (struct mb2_info_header *)b.buf;
}

/* --- mb2_walk: valid information ----------------------------------------- */

START_TEST(walk_visits_tags_in_order)
{
	static const struct mb2_mmap_entry ram = {.base_addr = MiB(1), .length = MiB(1), .type = 1};
	struct seen s = {0};
	struct diag d = {""};

	mb2b_init(&b);
	const struct mb2_tag *t[4];
	t[0] = mb2b_string(&b, MB2_TAG_CMDLINE, "console=ttyS0");
	t[1] = mb2b_tag(&b, 21, "12345", 5); /* size 13: the next tag is 3 bytes of padding on */
	t[2] = (const void *)mb2b_module(&b, 0x200000, 0x300000, "kernel");
	t[3] = (const void *)mb2b_mmap(&b, &ram, 1);
	const void *info = mb2b_finish(&b);

	ck_assert_int_eq(mb2_walk(info, b.len, record, &s, &d), 0);
	ck_assert_int_eq(s.n, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(s.tags[i] == t[i], "visit %d got the tag at offset %td, expected %td",
			      i, (const uint8_t *)s.tags[i] - b.buf, (const uint8_t *)t[i] - b.buf);
}
END_TEST

START_TEST(walk_empty_information)
{
	struct seen s = {0};
	struct diag d = {""};

	/* The smallest valid information: the header and the end tag, 16 bytes;
	 * more bytes may be readable after it (limit > total_size). */
	mb2b_init(&b);
	const void *info = mb2b_finish(&b);
	ck_assert_uint_eq(header()->total_size, 16);
	ck_assert_int_eq(mb2_walk(info, sizeof(b.buf), record, &s, &d), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(walk_stops_at_end_tag)
{
	struct seen s = {0};
	struct diag d = {""};

	/* A tag after the end tag, inside total_size, is not part of the list. */
	mb2b_init(&b);
	const struct mb2_tag *first = mb2b_string(&b, MB2_TAG_LOADER_NAME, "GRUB 2.12");
	mb2b_tag(&b, MB2_TAG_END, NULL, 0);
	mb2b_string(&b, MB2_TAG_CMDLINE, "after the end");
	const void *info = mb2b_seal(&b);

	ck_assert_int_eq(mb2_walk(info, b.len, record, &s, &d), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_ptr_eq(s.tags[0], first);
}
END_TEST

START_TEST(walk_callback_result_propagates)
{
	static const int results[] = {42, 1, -100};
	struct diag d = {""};

	const void *info = mb2b_typical(&b); /* three tags before the end */
	for (size_t i = 0; i < ARRAY_SIZE(results); i++) {
		struct seen s = {.stop_at = 2, .ret = results[i]};
		int r = mb2_walk(info, b.len, record, &s, &d);
		ck_assert_msg(r == results[i], "callback returned %d, walk returned %d", results[i],
			      r);
		ck_assert_msg(s.n == 2, "the walk went on after %d was returned (%d visits)",
			      results[i], s.n);
	}
}
END_TEST

START_TEST(walk_stays_within_limit)
{
	struct seen s = {0};
	struct diag d = {""};

	/* The information ends exactly where readable memory ends. */
	mb2b_typical(&b);
	void *info = guard_tail(b.len);
	memcpy(info, b.buf, b.len);
	ck_assert_int_eq(mb2_walk(info, b.len, record, &s, &d), 0);
	ck_assert_int_eq(s.n, 3);
	guard_free(info, b.len);
}
END_TEST

/* --- mb2_walk: malformed information ------------------------------------- */

START_TEST(walk_rejects_small_total_size)
{
	static const uint32_t sizes[] = {0, 8, 15};
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct seen s = {0};
		struct diag d = {""};
		const void *info = mb2b_typical(&b);
		header()->total_size = sizes[i];
		ck_assert_diag(mb2_walk(info, b.len, record, &s, &d), E_INVAL, d, "size");
		ck_assert_msg(s.n == 0, "total_size %u: %d tags visited", sizes[i], s.n);
	}
}
END_TEST

START_TEST(walk_rejects_total_size_over_limit)
{
	struct seen s = {0};
	struct diag d = {""};

	/* total_size claims 8 bytes more than the caller may read. */
	const void *info = mb2b_typical(&b);
	ck_assert_diag(mb2_walk(info, b.len - 8, record, &s, &d), E_INVAL, d, "size", "limit");
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(walk_rejects_limit_below_header)
{
	/* Not even total_size may be read: the information sits at the very
	 * end of readable memory, so reading the header would crash. */
	static const size_t limits[] = {0, 4, 7};
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		struct seen s = {0};
		struct diag d = {""};
		void *info = guard_tail(limits[i]);
		memset(info, 0xff, limits[i]);
		ck_assert_diag(mb2_walk(info, limits[i], record, &s, &d), E_INVAL, d);
		ck_assert_int_eq(s.n, 0);
		guard_free(info, limits[i]);
	}
}
END_TEST

START_TEST(walk_rejects_tag_smaller_than_header)
{
	struct seen s = {0};
	struct diag d = {""};

	/* A size below 8 would make the walk stand still or go backwards. */
	mb2b_init(&b);
	mb2b_string(&b, MB2_TAG_CMDLINE, "ok");
	struct mb2_tag *bad = mb2b_tag(&b, MB2_TAG_LOADER_NAME, "GRUB", 5);
	const void *info = mb2b_finish(&b);
	bad->size = 4;
	ck_assert_diag(mb2_walk(info, b.len, record, &s, &d), E_INVAL, d, "size");
	ck_assert_int_eq(s.n, 1);

	s.n = 0;
	bad->size = 0;
	ck_assert_diag(mb2_walk(info, b.len, record, &s, &d), E_INVAL, d, "size");
}
END_TEST

START_TEST(walk_rejects_tag_past_total_size)
{
	struct seen s = {0};
	struct diag d = {""};

	/* The last tag before the end tag claims 64 more bytes than there are;
	 * the information ends where readable memory ends. */
	mb2b_init(&b);
	mb2b_string(&b, MB2_TAG_CMDLINE, "ok");
	struct mb2_tag *bad = mb2b_tag(&b, 21, "payload", 7);
	mb2b_finish(&b);
	bad->size += 64;
	void *info = guard_tail(b.len);
	memcpy(info, b.buf, b.len);
	ck_assert_diag(mb2_walk(info, b.len, record, &s, &d), E_INVAL, d, "size", "past");
	ck_assert_msg(s.n <= 1, "a tag running past total_size was handed to the callback");
	guard_free(info, b.len);
}
END_TEST

START_TEST(walk_rejects_missing_end_tag)
{
	struct seen s = {0};
	struct diag d = {""};

	mb2b_init(&b);
	mb2b_string(&b, MB2_TAG_CMDLINE, "no end");
	mb2b_string(&b, MB2_TAG_LOADER_NAME, "GRUB");
	mb2b_seal(&b);
	void *info = guard_tail(b.len);
	memcpy(info, b.buf, b.len);
	ck_assert_diag(mb2_walk(info, b.len, record, &s, &d), E_INVAL, d, "end");
	guard_free(info, b.len);
}
END_TEST

START_TEST(walk_rejects_end_tag_with_wrong_size)
{
	struct seen s = {0};
	struct diag d = {""};

	/* Spec 3.6.2: the end tag has type 0 and size 8. */
	mb2b_init(&b);
	mb2b_string(&b, MB2_TAG_CMDLINE, "ok");
	struct mb2_tag *end = mb2b_tag(&b, MB2_TAG_END, "\0\0\0\0\0\0\0", 8);
	const void *info = mb2b_seal(&b);
	ck_assert_uint_eq(end->size, 16);
	ck_assert_diag(mb2_walk(info, b.len, record, &s, &d), E_INVAL, d, "end");
}
END_TEST

START_TEST(walk_rejects_misaligned_information)
{
	struct seen s = {0};
	struct diag d = {""};

	/* Spec 3.6.2: the information is 8-byte aligned. The same, valid bytes
	 * four bytes further on are refused. */
	static _Alignas(8) uint8_t shifted[MB2_BUILDER_SIZE + 8];
	mb2b_typical(&b);
	memcpy(shifted + 4, b.buf, b.len);
	ck_assert_diag(mb2_walk(shifted + 4, b.len, record, &s, &d), E_INVAL, d, "align");
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* --- mb2_parse ------------------------------------------------------------ */

START_TEST(parse_typical_information)
{
	struct mb2_parsed p;
	struct diag d = {""};

	const void *info = mb2b_typical(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_str_eq(p.cmdline, "sidecar.cpus=2");
	ck_assert_str_eq(p.loader_name, "");
	ck_assert_uint_eq(p.nmodules, 1);
	ck_assert_uint_eq(p.modules[0].start, 0x200000);
	ck_assert_uint_eq(p.modules[0].end, 0x400000);
	ck_assert_str_eq(p.modules[0].string, "kernel console=ttyS0");
	ck_assert_uint_eq(p.nmemory, 2);
	ck_assert_ptr_null(p.rsdp);
}
END_TEST

START_TEST(parse_cmdline_and_loader_name)
{
	static const struct mb2_mmap_entry ram = {.base_addr = 0, .length = MiB(64), .type = 1};
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_init(&b);
	mb2b_mmap(&b, &ram, 1);
	const void *info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_msg(p.cmdline && p.cmdline[0] == '\0', "no command line tag: cmdline is \"\"");

	mb2b_init(&b);
	mb2b_string(&b, MB2_TAG_LOADER_NAME, "GRUB 2.12");
	mb2b_mmap(&b, &ram, 1);
	mb2b_string(&b, MB2_TAG_CMDLINE, "nodes=2 \"quoted arg\"");
	info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_str_eq(p.cmdline, "nodes=2 \"quoted arg\"");
	ck_assert_str_eq(p.loader_name, "GRUB 2.12");
}
END_TEST

START_TEST(parse_modules)
{
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_typical(&b);
	b.len -= 8; /* take the end tag off again */
	mb2b_module(&b, 0x800000, 0x800000, "");
	mb2b_module(&b, 0x600000, 0x7ff000, "sidecar");
	const void *info = mb2b_finish(&b);

	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_uint_eq(p.nmodules, 3);
	ck_assert_str_eq(p.modules[0].string, "kernel console=ttyS0");
	ck_assert_uint_eq(p.modules[1].start, 0x800000);
	ck_assert_uint_eq(p.modules[1].end, 0x800000); /* empty: allowed */
	ck_assert_str_eq(p.modules[1].string, "");
	ck_assert_uint_eq(p.modules[2].start, 0x600000);
	ck_assert_uint_eq(p.modules[2].end, 0x7ff000);
	ck_assert_str_eq(p.modules[2].string, "sidecar");
}
END_TEST

START_TEST(parse_rejects_module_ending_before_start)
{
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_typical(&b);
	b.len -= 8;
	mb2b_module(&b, 0x600000, 0x5fffff, "initrd");
	const void *info = mb2b_finish(&b);
	ck_assert_diag(mb2_parse(info, b.len, &p, &d), E_INVAL, d, "initrd");
}
END_TEST

START_TEST(parse_rejects_unterminated_module_string)
{
	struct mb2_parsed p;
	struct diag d = {""};

	/* mod_start, mod_end, then "abc" with no NUL inside the tag's size (the
	 * padding after it happens to be zero, which must not count). */
	struct {
		uint32_t start, end;
		char s[3];
	} __attribute__((packed)) m = {0x600000, 0x601000, {'a', 'b', 'c'}};
	mb2b_typical(&b);
	b.len -= 8;
	mb2b_tag(&b, MB2_TAG_MODULE, &m, sizeof(m));
	const void *info = mb2b_finish(&b);
	ck_assert_diag(mb2_parse(info, b.len, &p, &d), E_INVAL, d);
}
END_TEST

START_TEST(parse_memory_map)
{
	static const struct mb2_mmap_entry map[] = {
		{.base_addr = 0, .length = 0x9fc00, .type = 1},
		{.base_addr = 0x9fc00, .length = 0, .type = 2}, /* empty: skipped */
		{.base_addr = 0xf0000, .length = 0x10000, .type = 2},
		{.base_addr = 0x100000000, .length = GiB(4), .type = 1},
	};
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_init(&b);
	mb2b_mmap(&b, map, ARRAY_SIZE(map));
	const void *info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_uint_eq(p.nmemory, 3);
	ck_assert_uint_eq(p.memory[0].base, 0);
	ck_assert_uint_eq(p.memory[0].length, 0x9fc00);
	ck_assert_uint_eq(p.memory[0].type, 1);
	ck_assert_uint_eq(p.memory[1].base, 0xf0000);
	ck_assert_uint_eq(p.memory[1].type, 2);
	ck_assert_uint_eq(p.memory[2].base, 0x100000000);
	ck_assert_uint_eq(p.memory[2].length, GiB(4));
}
END_TEST

START_TEST(parse_memory_map_honours_entry_size)
{
	/* Spec 3.6.8: entries are entry_size bytes apart, which may be more
	 * than the 24 bytes we know about (a later version of the entry). */
	struct {
		uint32_t entry_size, entry_version;
		struct {
			struct mb2_mmap_entry e;
			uint64_t extra;
		} entries[2];
	} mm = {32, 0, {{{0x1000, 0x2000, 1, 0}, ~0ull}, {{0x100000, 0x300000, 3, 0}, ~0ull}}};
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_init(&b);
	mb2b_tag(&b, MB2_TAG_MMAP, &mm, sizeof(mm));
	const void *info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_uint_eq(p.nmemory, 2);
	ck_assert_uint_eq(p.memory[1].base, 0x100000);
	ck_assert_uint_eq(p.memory[1].length, 0x300000);
	ck_assert_uint_eq(p.memory[1].type, 3);
}
END_TEST

START_TEST(parse_rejects_bad_entry_size)
{
	/* Smaller than an entry, or not a multiple of 8 (spec 3.6.8). */
	static const uint32_t sizes[] = {0, 16, 20, 28};
	static const struct mb2_mmap_entry ram = {.base_addr = 0, .length = MiB(64), .type = 1};
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct mb2_parsed p;
		struct diag d = {""};
		mb2b_init(&b);
		struct mb2_tag_mmap *mm = mb2b_mmap(&b, &ram, 1);
		const void *info = mb2b_finish(&b);
		mm->entry_size = sizes[i];
		ck_assert_diag(mb2_parse(info, b.len, &p, &d), E_INVAL, d, "entry_size");
	}
}
END_TEST

START_TEST(parse_requires_memory_map)
{
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_init(&b);
	mb2b_string(&b, MB2_TAG_CMDLINE, "no map");
	const void *info = mb2b_finish(&b);
	ck_assert_diag(mb2_parse(info, b.len, &p, &d), E_NOTFOUND, d, "memory map");
}
END_TEST

START_TEST(parse_passes_walk_errors_on)
{
	struct mb2_parsed p;
	struct diag d = {""};

	const void *info = mb2b_typical(&b);
	header()->total_size = b.len + 8;
	ck_assert_diag(mb2_parse(info, b.len, &p, &d), E_INVAL, d);
}
END_TEST

/* Spec 3.6.16/3.6.17: tag 14 holds an ACPI 1.0 RSDP, tag 15 a 2.0+ one.
 * Whatever the order, the 2.0+ copy wins. */
static void parse_with_rsdps(bool new_first, struct mb2_parsed *p)
{
	static const struct mb2_mmap_entry ram = {.base_addr = 0, .length = MiB(64), .type = 1};
	struct acpi_rsdp old, new;
	struct diag d = {""};

	rsdp_v1(&old, 0xe0000);
	rsdp_v2(&new, 0xe0000, 0xe1000);
	mb2b_init(&b);
	mb2b_mmap(&b, &ram, 1);
	if (new_first)
		mb2b_tag(&b, MB2_TAG_ACPI_NEW, &new, sizeof(new));
	mb2b_tag(&b, MB2_TAG_ACPI_OLD, &old, 20);
	if (!new_first)
		mb2b_tag(&b, MB2_TAG_ACPI_NEW, &new, sizeof(new));
	const void *info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, p, &d), 0);
	ck_assert_msg(p->rsdp_is_new, "the ACPI 2.0 RSDP (tag 15) was not preferred");
	ck_assert_uint_eq(p->rsdp_len, sizeof(new));
	ck_assert_mem_eq(p->rsdp, &new, sizeof(new));
	ck_assert_msg((const uint8_t *)p->rsdp > b.buf && (const uint8_t *)p->rsdp < b.buf + b.len,
		      "rsdp must point into the information");
}

START_TEST(parse_prefers_new_rsdp_after_old)
{
	struct mb2_parsed p;
	parse_with_rsdps(false, &p);
}
END_TEST

START_TEST(parse_prefers_new_rsdp_before_old)
{
	struct mb2_parsed p;
	parse_with_rsdps(true, &p);
}
END_TEST

START_TEST(parse_old_rsdp_alone)
{
	static const struct mb2_mmap_entry ram = {.base_addr = 0, .length = MiB(64), .type = 1};
	struct acpi_rsdp old;
	struct mb2_parsed p;
	struct diag d = {""};

	rsdp_v1(&old, 0xe0000);
	mb2b_init(&b);
	mb2b_tag(&b, MB2_TAG_ACPI_OLD, &old, 20);
	mb2b_mmap(&b, &ram, 1);
	const void *info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);
	ck_assert_msg(!p.rsdp_is_new, "only tag 14 was given");
	ck_assert_uint_eq(p.rsdp_len, 20);
	ck_assert_mem_eq(p.rsdp, &old, 20);
}
END_TEST

START_TEST(find_module_by_first_word)
{
	struct mb2_parsed p;
	struct diag d = {""};

	mb2b_typical(&b); /* "kernel console=ttyS0" */
	b.len -= 8;
	mb2b_module(&b, 0x600000, 0x700000, "kernelx");
	mb2b_module(&b, 0x700000, 0x780000, "initrd");
	const void *info = mb2b_finish(&b);
	ck_assert_int_eq(mb2_parse(info, b.len, &p, &d), 0);

	const struct mb2_module *m = mb2_find_module(&p, "kernel");
	ck_assert_ptr_eq(m, &p.modules[0]);
	ck_assert_ptr_eq(mb2_find_module(&p, "kernelx"), &p.modules[1]);
	ck_assert_ptr_eq(mb2_find_module(&p, "initrd"), &p.modules[2]);
	ck_assert_ptr_null(mb2_find_module(&p, "kern"));
	ck_assert_ptr_null(mb2_find_module(&p, "console=ttyS0"));
	ck_assert_ptr_null(mb2_find_module(&p, "sidecar"));
}
END_TEST

Suite *mb2_suite(void)
{
	Suite *s = suite_create("mb2");

	TCase *walk = tcase_create("walk");
	tcase_add_test(walk, walk_visits_tags_in_order);
	tcase_add_test(walk, walk_empty_information);
	tcase_add_test(walk, walk_stops_at_end_tag);
	tcase_add_test(walk, walk_callback_result_propagates);
	tcase_add_test(walk, walk_stays_within_limit);
	suite_add_tcase(s, walk);

	TCase *bad = tcase_create("malformed");
	tcase_add_test(bad, walk_rejects_small_total_size);
	tcase_add_test(bad, walk_rejects_total_size_over_limit);
	tcase_add_test(bad, walk_rejects_limit_below_header);
	tcase_add_test(bad, walk_rejects_tag_smaller_than_header);
	tcase_add_test(bad, walk_rejects_tag_past_total_size);
	tcase_add_test(bad, walk_rejects_missing_end_tag);
	tcase_add_test(bad, walk_rejects_end_tag_with_wrong_size);
	tcase_add_test(bad, walk_rejects_misaligned_information);
	suite_add_tcase(s, bad);

	TCase *parse = tcase_create("parse");
	tcase_add_test(parse, parse_typical_information);
	tcase_add_test(parse, parse_cmdline_and_loader_name);
	tcase_add_test(parse, parse_modules);
	tcase_add_test(parse, parse_rejects_module_ending_before_start);
	tcase_add_test(parse, parse_rejects_unterminated_module_string);
	tcase_add_test(parse, parse_memory_map);
	tcase_add_test(parse, parse_memory_map_honours_entry_size);
	tcase_add_test(parse, parse_rejects_bad_entry_size);
	tcase_add_test(parse, parse_requires_memory_map);
	tcase_add_test(parse, parse_passes_walk_errors_on);
	tcase_add_test(parse, parse_prefers_new_rsdp_after_old);
	tcase_add_test(parse, parse_prefers_new_rsdp_before_old);
	tcase_add_test(parse, parse_old_rsdp_alone);
	tcase_add_test(parse, find_module_by_first_word);
	suite_add_tcase(s, parse);
	return s;
}
