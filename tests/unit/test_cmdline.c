/*
 * test_cmdline.c - suite "cmdline": kernel command lines (lib/portable/cmdline.c).
 *
 * The shim reads its own command line and builds Linux's, with Linux's
 * rules (lib/portable/cmdline.c in Linux, next_arg()): spaces separate parameters,
 * "key" or "key=value", double quotes group spaces and are dropped. The
 * tests compare keys and values as (pointer, length) pairs, which is how
 * cmdline_next() hands them out: nothing is copied or terminated.
 */
#include "cmdline.h"
#include "fixtures.h"

/* A (pointer, length) field equals the C string s. */
#define ck_assert_field(p, len, s)                                                           \
	ck_assert_msg((p) && (len) == strlen(s) && memcmp((p), (s), (len)) == 0,           \
		      "got \"%.*s\" (%zu bytes), expected \"%s\"", (p) ? (int)(len) : 6,     \
		      (p) ? (p) : "(null)", (size_t)(len), (s))

/* Take the next parameter and check it; value NULL means "no '='". */
static void expect_next(const char **c, const char *key, const char *value)
{
	struct cmdline_param p;
	ck_assert_msg(cmdline_next(c, &p), "expected parameter \"%s\", found the end", key);
	ck_assert_field(p.key, p.key_len, key);
	if (value) {
		ck_assert_field(p.value, p.value_len, value);
	} else {
		ck_assert_msg(p.value == NULL, "\"%s\" has no '=' but a value \"%.*s\"", key,
			      (int)p.value_len, p.value);
	}
}

static void expect_end(const char **c)
{
	struct cmdline_param p;
	ck_assert_msg(!cmdline_next(c, &p), "expected the end, found \"%.*s\"", (int)p.key_len,
		      p.key);
	ck_assert_msg(!cmdline_next(c, &p), "the end stays the end");
}

START_TEST(next_plain_and_key_value)
{
	const char *c = "quiet console=ttyS0,115200 root=";
	expect_next(&c, "quiet", NULL);
	expect_next(&c, "console", "ttyS0,115200");
	expect_next(&c, "root", ""); /* '=' with nothing after: an empty value */
	expect_end(&c);
}
END_TEST

START_TEST(next_value_with_equals)
{
	/* Only the first '=' separates key and value. */
	const char *c = "opts=x=1,y=2 a=b=c";
	expect_next(&c, "opts", "x=1,y=2");
	expect_next(&c, "a", "b=c");
	expect_end(&c);
}
END_TEST

START_TEST(next_quoted_parameter)
{
	/* The whole parameter in quotes: the quotes go, the spaces stay. */
	const char *c = "\"acpi_osi=Linux and more\" next";
	expect_next(&c, "acpi_osi", "Linux and more");
	expect_next(&c, "next", NULL);
	expect_end(&c);

	c = "\"just a key\"";
	expect_next(&c, "just a key", NULL);
	expect_end(&c);
}
END_TEST

START_TEST(next_quoted_value)
{
	const char *c = "init=/bin/sh name=\"two words\" x=\"\" last";
	expect_next(&c, "init", "/bin/sh");
	expect_next(&c, "name", "two words");
	expect_next(&c, "x", "");
	expect_next(&c, "last", NULL);
	expect_end(&c);
}
END_TEST

START_TEST(next_skips_spaces)
{
	const char *c = "   a \t b=1\n\n  c   ";
	expect_next(&c, "a", NULL);
	expect_next(&c, "b", "1");
	expect_next(&c, "c", NULL);
	expect_end(&c);
	ck_assert_msg(*c == '\0', "the cursor ends on the NUL");
}
END_TEST

START_TEST(next_empty_line)
{
	const char *c = "";
	expect_end(&c);
	c = "    ";
	expect_end(&c);
}
END_TEST

START_TEST(find_last_occurrence)
{
	/* Later parameters override earlier ones, as in Linux. */
	static const char line[] = "mem=1G consoleblank=0 console=tty0 mem=2G console=ttyS0 quiet";
	struct cmdline_param p;
	ck_assert(cmdline_find(line, "console", &p));
	ck_assert_field(p.value, p.value_len, "ttyS0");
	ck_assert(cmdline_find(line, "mem", &p));
	ck_assert_field(p.value, p.value_len, "2G");
	ck_assert(cmdline_find(line, "quiet", &p));
	ck_assert_ptr_null(p.value);
	ck_assert_msg(!cmdline_find(line, "cons", &p), "a prefix of a key is not the key");
	ck_assert_msg(!cmdline_find(line, "ttyS0", &p), "a value is not a key");
	ck_assert_msg(!cmdline_find("", "mem", &p), "nothing in an empty line");
}
END_TEST

START_TEST(append)
{
	char buf[32] = "";
	struct diag d = {""};
	ck_assert_int_eq(cmdline_append(buf, sizeof(buf), "console=ttyS0", &d), 0);
	ck_assert_str_eq(buf, "console=ttyS0"); /* no leading space on an empty line */
	ck_assert_int_eq(cmdline_append(buf, sizeof(buf), "quiet", &d), 0);
	ck_assert_str_eq(buf, "console=ttyS0 quiet");
	ck_assert_int_eq(cmdline_append(buf, sizeof(buf), "", &d), 0);
	ck_assert_str_eq(buf, "console=ttyS0 quiet");
}
END_TEST

START_TEST(append_fills_exactly)
{
	/* 8 bytes: "abc" + " " + "def" + NUL fits with none to spare. */
	char buf[8] = "abc";
	struct diag d = {""};
	ck_assert_int_eq(cmdline_append(buf, sizeof(buf), "def", &d), 0);
	ck_assert_str_eq(buf, "abc def");
}
END_TEST

START_TEST(append_overflow_leaves_buffer_intact)
{
	char buf[12] = "root=/dev";
	char before[sizeof(buf)];
	struct diag d = {""};

	memcpy(before, buf, sizeof(buf));
	ck_assert_diag(cmdline_append(buf, sizeof(buf), "quiet", &d), E_NOMEM, d, "quiet");
	ck_assert_mem_eq(buf, before, sizeof(buf));

	/* A buffer with no NUL in it is already full. */
	memset(buf, 'x', sizeof(buf));
	memcpy(before, buf, sizeof(buf));
	d.msg[0] = '\0';
	ck_assert_diag(cmdline_append(buf, sizeof(buf), "a", &d), E_NOMEM, d);
	ck_assert_mem_eq(buf, before, sizeof(buf));
}
END_TEST

Suite *cmdline_suite(void)
{
	Suite *s = suite_create("cmdline");

	TCase *next = tcase_create("next");
	tcase_add_test(next, next_plain_and_key_value);
	tcase_add_test(next, next_value_with_equals);
	tcase_add_test(next, next_quoted_parameter);
	tcase_add_test(next, next_quoted_value);
	tcase_add_test(next, next_skips_spaces);
	tcase_add_test(next, next_empty_line);
	tcase_add_test(next, find_last_occurrence);
	suite_add_tcase(s, next);

	TCase *build = tcase_create("append");
	tcase_add_test(build, append);
	tcase_add_test(build, append_fills_exactly);
	tcase_add_test(build, append_overflow_leaves_buffer_intact);
	suite_add_tcase(s, build);
	return s;
}
