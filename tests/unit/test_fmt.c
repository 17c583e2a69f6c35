/*
 * test_fmt.c - suite "fmt": formatting and number parsing without libc
 * (lib/portable/fmt.c, lib/portable/parse.c).
 *
 * Every message the images print and every diagnostic a parser writes goes
 * through fmt_snprintf(), so its conversions must match C's printf for the
 * subset it supports (include/klib.h) - the tests compare against the
 * outputs C11 7.21.6.1 specifies. parse_u64() and parse_size() read the
 * numbers people type on command lines: decimal, 0x hex, K/M/G suffixes,
 * and nothing else.
 */
#include <limits.h>

#include "fixtures.h"

static char buf[128];

/* fmt_snprintf into buf gives exactly want and returns its length. */
#define ck_fmt(want, ...)                                                                    \
	do {                                                                                 \
		int n_ = fmt_snprintf(buf, sizeof(buf), __VA_ARGS__);                       \
		ck_assert_str_eq(buf, want);                                                 \
		ck_assert_int_eq(n_, (int)strlen(want));                                     \
	} while (0)

/* fmt_snprintf without the compiler's format checking, for arguments and
 * formats that are wrong on purpose. */
static int unchecked(char *b, size_t size, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = fmt_vsnprintf(b, size, f, ap);
	va_end(ap);
	return n;
}

START_TEST(signed_decimal)
{
	ck_fmt("-42", "%d", -42);
	ck_fmt("0", "%d", 0);
	ck_fmt("2147483647 -2147483648", "%d %i", INT_MAX, INT_MIN);
	ck_fmt("-9223372036854775808", "%ld", (long)INT64_MIN);
	ck_fmt("-123456789012", "%lld", -123456789012ll);
	ck_fmt("  -42|-42  |-0042", "%5d|%-5d|%05d", -42, -42, -42);
}
END_TEST

START_TEST(unsigned_and_hex)
{
	ck_fmt("4294967295", "%u", UINT_MAX);
	ck_fmt("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	ck_fmt("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
	ck_fmt("123456789abcdef0", "%lx", 0x123456789abcdef0ul);
	ck_fmt("00000000fee00000", "%016lx", 0xfee00000ul);
	ck_fmt("0x0000002a", "0x%08x", 42u);
	ck_fmt("   ff", "%5x", 255u);
	ck_fmt("36", "%zu", sizeof(struct acpi_rsdp));
}
END_TEST

START_TEST(strings_and_chars)
{
	ck_fmt("ab   |", "%-5s|", "ab");
	ck_fmt("   ab|", "%5s|", "ab");
	ck_fmt("toolong|", "%3s|", "toolong");
	ck_assert_int_eq(unchecked(buf, sizeof(buf), "%s", (const char *)NULL), 6);
	ck_assert_str_eq(buf, "(null)");
	ck_fmt("x=A", "x=%c", 'A');
	ck_fmt("100%", "%d%%", 100);
}
END_TEST

START_TEST(string_precision)
{
	/* C11 7.21.6.1: with a precision, at most that many bytes are written and
	 * the array need not end in a NUL - as ACPI signatures do not. Here the
	 * signature is the last 4 bytes of readable memory. */
	char *sig = guard_tail(4);
	memcpy(sig, "APIC", 4);
	ck_fmt("acpi: APIC checksum 0x3c", "acpi: %.4s checksum 0x%02x", sig, 0x3c);
	ck_fmt("[SRA]", "[%.*s]", 3, "SRAT");
	ck_fmt("[ab]", "[%.8s]", "ab");
	ck_fmt("[   AP]", "[%5.2s]", sig);
	ck_fmt("[]", "[%.0s]", "x");
	guard_free(sig, 4);
}
END_TEST

START_TEST(pointer)
{
	ck_fmt("0xfee00000", "%p", (void *)0xfee00000ul);
	ck_fmt("0x0", "%p", (void *)0);
}
END_TEST

START_TEST(truncation)
{
	char small[8];
	memset(small, 'x', sizeof(small));
	/* The return value is the full length, as with snprintf (C11 7.21.6.5). */
	ck_assert_int_eq(fmt_snprintf(small, sizeof(small), "apic %u node %u", 255u, 3u), 15);
	ck_assert_str_eq(small, "apic 25");

	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(fmt_snprintf(small, 1, "abc"), 3);
	ck_assert_int_eq(small[0], '\0');
	ck_assert_int_eq(small[1], 'x');

	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(fmt_snprintf(small, 0, "abc"), 3);
	ck_assert_int_eq(small[0], 'x'); /* size 0: nothing written at all */

	ck_assert_int_eq(fmt_snprintf(small, sizeof(small), "%s", "1234567"), 7);
	ck_assert_str_eq(small, "1234567"); /* exactly fits */
}
END_TEST

START_TEST(odd_formats)
{
	/* A lone '%' at the end (undefined in C): the formatting stops at the
	 * NUL instead of reading past it. */
	int n = unchecked(buf, sizeof(buf), "50%");
	ck_assert_msg(strncmp(buf, "50", 2) == 0 && strlen(buf) <= 3, "got \"%s\"", buf);
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(unchecked(buf, sizeof(buf), "%q"), 2); /* shown as it is */
	ck_assert_str_eq(buf, "%q");
	ck_fmt("no conversions", "no conversions");
}
END_TEST

/* --- parse_u64 and parse_size --------------------------------------------- */

static uint64_t parsed(bool (*fn)(const char *, size_t, uint64_t *), const char *s)
{
	uint64_t v = 0xabababab;
	ck_assert_msg(fn(s, strlen(s), &v), "\"%s\" should parse", s);
	return v;
}

static void refused(bool (*fn)(const char *, size_t, uint64_t *), const char *s)
{
	uint64_t v = 0xabababab;
	ck_assert_msg(!fn(s, strlen(s), &v), "\"%s\" should be refused, got %lu", s,
		      (unsigned long)v);
	ck_assert_msg(v == 0xabababab, "\"%s\": *out changed on failure", s);
}

START_TEST(u64_decimal_and_hex)
{
	ck_assert_uint_eq(parsed(parse_u64, "0"), 0);
	ck_assert_uint_eq(parsed(parse_u64, "12345"), 12345);
	ck_assert_uint_eq(parsed(parse_u64, "007"), 7);
	ck_assert_uint_eq(parsed(parse_u64, "0x1f"), 0x1f);
	ck_assert_uint_eq(parsed(parse_u64, "0XABCdef"), 0xabcdef);
	ck_assert_uint_eq(parsed(parse_u64, "18446744073709551615"), UINT64_MAX);
	ck_assert_uint_eq(parsed(parse_u64, "0xffffffffffffffff"), UINT64_MAX);

	/* Only len bytes are read. */
	uint64_t v = 0;
	ck_assert(parse_u64("123abc", 3, &v));
	ck_assert_uint_eq(v, 123);
}
END_TEST

START_TEST(u64_refused)
{
	refused(parse_u64, "");
	refused(parse_u64, "0x");
	refused(parse_u64, "12a");
	refused(parse_u64, "ff");
	refused(parse_u64, "0xfg");
	refused(parse_u64, " 1");
	refused(parse_u64, "-1");
	refused(parse_u64, "+1");
	refused(parse_u64, "18446744073709551616"); /* 2^64 */
	refused(parse_u64, "99999999999999999999");
	refused(parse_u64, "0x10000000000000000");
}
END_TEST

START_TEST(size_suffixes)
{
	ck_assert_uint_eq(parsed(parse_size, "4096"), 4096);
	ck_assert_uint_eq(parsed(parse_size, "4K"), KiB(4));
	ck_assert_uint_eq(parsed(parse_size, "4k"), KiB(4));
	ck_assert_uint_eq(parsed(parse_size, "512M"), MiB(512));
	ck_assert_uint_eq(parsed(parse_size, "2G"), GiB(2));
	ck_assert_uint_eq(parsed(parse_size, "0x10M"), MiB(16));
	ck_assert_uint_eq(parsed(parse_size, "17179869183G"), GiB(17179869183ull));
	refused(parse_size, "");
	refused(parse_size, "K");
	refused(parse_size, "4T");
	refused(parse_size, "4KB");
	refused(parse_size, "17179869184G"); /* 2^34 GiB = 2^64 bytes */
}
END_TEST

Suite *fmt_suite(void)
{
	Suite *s = suite_create("fmt");

	TCase *fmt = tcase_create("snprintf");
	tcase_add_test(fmt, signed_decimal);
	tcase_add_test(fmt, unsigned_and_hex);
	tcase_add_test(fmt, strings_and_chars);
	tcase_add_test(fmt, string_precision);
	tcase_add_test(fmt, pointer);
	tcase_add_test(fmt, truncation);
	tcase_add_test(fmt, odd_formats);
	suite_add_tcase(s, fmt);

	TCase *parse = tcase_create("parse");
	tcase_add_test(parse, u64_decimal_and_hex);
	tcase_add_test(parse, u64_refused);
	tcase_add_test(parse, size_suffixes);
	suite_add_tcase(s, parse);
	return s;
}
