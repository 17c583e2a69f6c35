/*
 * test_mklab.c - suite "mklab": how lab skeletons are made from solutions
 * (tools/mklab.c).
 *
 * labs/ is generated: mklab replaces every "// BEGIN LAB N: hint" ...
 * "// END LAB N" region of a solution file with "// TODO(lab N): hint" and
 * "lab_todo(N, __func__);" (or with the region's "//> " lines), and copies
 * everything else byte for byte; nasm files use ';' instead of '//'. If it
 * got a region wrong, students would get a skeleton that does not build or
 * that gives the answer away, so the tests compare whole outputs. The tool
 * is compiled in here without its main() (MKLAB_NO_MAIN).
 */
#define MKLAB_NO_MAIN
#include "../../tools/mklab.c"

#include "fixtures.h"

static char err[512];

/* Run mklab on text (from a file called name); return its result and leave
 * the skeleton in out (NUL-terminated) or the problem in err. */
static int skeleton(const char *name, const char *text, struct buf *out)
{
	*out = (struct buf){0};
	err[0] = '\0';
	return skeleton_from_solution(name, text, strlen(text), out, err, sizeof(err));
}

static void assert_skeleton(const char *name, const char *text, const char *want)
{
	struct buf out;
	int r = skeleton(name, text, &out);
	ck_assert_msg(r == 0, "mklab failed: %s", err);
	ck_assert_str_eq(out.data, want);
	free(out.data);
}

static void assert_refused(const char *name, const char *text, const char *where)
{
	struct buf out;
	int r = skeleton(name, text, &out);
	free(out.data);
	ck_assert_msg(r == -1, "mklab accepted a broken solution");
	ck_assert_msg(strstr(err, where), "error \"%s\" does not point at %s", err, where);
}

START_TEST(region_becomes_todo)
{
	assert_skeleton("walk.c",
			"int walk(void)\n"
			"{\n"
			"\t// BEGIN LAB 2: visit every node\n"
			"\tint n = 0;\n"
			"\treturn n;\n"
			"\t// END LAB 2\n"
			"}\n",
			"int walk(void)\n"
			"{\n"
			"\t// TODO(lab 2): visit every node\n"
			"\tlab_todo(2, __func__);\n"
			"}\n");
}
END_TEST

START_TEST(indentation_follows_begin_line)
{
	assert_skeleton("deep.c",
			"\tif (x) {\n"
			"\t\t    // BEGIN LAB 0: odd indentation\n"
			"\t\tfoo();\n"
			"\t\t    // END LAB 0\n"
			"\t}\n",
			"\tif (x) {\n"
			"\t\t    // TODO(lab 0): odd indentation\n"
			"\t\t    lab_todo(0, __func__);\n"
			"\t}\n");
}
END_TEST

START_TEST(text_outside_regions_unchanged)
{
	/* No regions: the output is the input, byte for byte, including a last
	 * line without a newline and lines that only look like markers. */
	static const char text[] = "/* BEGIN LAB 0 in a block comment */\n"
				   "\t//> not in a region\n"
				   "// BEGINNING LAB 0\n"
				   "; BEGIN LAB 0: ';' is not a comment in C\n"
				   "\n"
				   "int x; // END LAB 9? no: not at the start of the line\n"
				   "no newline at the end";
	assert_skeleton("plain.c", text, text);
}
END_TEST

START_TEST(custom_skeleton_lines)
{
	assert_skeleton("count.c",
			"int count(void)\n"
			"{\n"
			"\t// BEGIN LAB 1: count the CPUs\n"
			"\t//> int n = 0;\n"
			"\tint n = 0;\n"
			"\tfor (int i = 0; i < 4; i++)\n"
			"\t\tn++;\n"
			"\t\t//>return n; /* marker without a space, deeper */\n"
			"\treturn n;\n"
			"\t// END LAB 1\n"
			"}\n",
			"int count(void)\n"
			"{\n"
			"\t// TODO(lab 1): count the CPUs\n"
			"\tint n = 0;\n"
			"\t\treturn n; /* marker without a space, deeper */\n"
			"}\n");
}
END_TEST

START_TEST(two_regions)
{
	assert_skeleton("two.c",
			"// BEGIN LAB 0: first\n"
			"a();\n"
			"// END LAB 0\n"
			"between();\n"
			"// BEGIN LAB 3: second\n"
			"//> b();\n"
			"c();\n"
			"// END LAB 3\n",
			"// TODO(lab 0): first\n"
			"lab_todo(0, __func__);\n"
			"between();\n"
			"// TODO(lab 3): second\n"
			"b();\n");
}
END_TEST

START_TEST(asm_uses_semicolons)
{
	assert_skeleton("entry.asm",
			"start:\n"
			"\t; BEGIN LAB 3: enter long mode\n"
			"\t;> ud2\n"
			"\tmov eax, cr0\n"
			"\tor eax, 1 << 31 ; PG\n"
			"\t; END LAB 3\n"
			"\t// BEGIN LAB 4: '//' is not a comment in nasm\n"
			"\tret\n",
			"start:\n"
			"\t; TODO(lab 3): enter long mode\n"
			"\tud2\n"
			"\t// BEGIN LAB 4: '//' is not a comment in nasm\n"
			"\tret\n");
}
END_TEST

START_TEST(asm_region_needs_skeleton_lines)
{
	/* There is no lab_todo() call to put in assembly. */
	assert_refused("entry.asm",
		       "start:\n"
		       "\t; BEGIN LAB 3: enter long mode\n"
		       "\tmov eax, cr0\n"
		       "\t; END LAB 3\n",
		       "entry.asm:2:");
}
END_TEST

START_TEST(end_without_begin)
{
	assert_refused("f.c", "int x;\n\n// END LAB 0\n", "f.c:3:");
}
END_TEST

START_TEST(nested_begin)
{
	assert_refused("f.c",
		       "// BEGIN LAB 0: outer\n"
		       "x();\n"
		       "// BEGIN LAB 0: inner\n"
		       "// END LAB 0\n"
		       "// END LAB 0\n",
		       "f.c:3:");
	ck_assert_msg(strstr(err, "line 1"), "error \"%s\" does not name the open region", err);
}
END_TEST

START_TEST(mismatched_numbers)
{
	assert_refused("f.c",
		       "a();\n"
		       "// BEGIN LAB 1: one\n"
		       "b();\n"
		       "// END LAB 2\n",
		       "f.c:4:");
	ck_assert_msg(strstr(err, "line 2"), "error \"%s\" does not name the BEGIN line", err);
}
END_TEST

START_TEST(unclosed_region)
{
	assert_refused("f.c",
		       "a();\n"
		       "\t// BEGIN LAB 5: never closed\n"
		       "b();\n",
		       "f.c:2:");
	ck_assert_msg(strstr(err, "never closed"), "error \"%s\"", err);
}
END_TEST

START_TEST(begin_without_number)
{
	assert_refused("f.c", "// BEGIN LAB x: no number\n// END LAB 0\n", "f.c:1:");
}
END_TEST

Suite *mklab_suite(void)
{
	Suite *s = suite_create("mklab");

	TCase *ok = tcase_create("skeleton");
	tcase_add_test(ok, region_becomes_todo);
	tcase_add_test(ok, indentation_follows_begin_line);
	tcase_add_test(ok, text_outside_regions_unchanged);
	tcase_add_test(ok, custom_skeleton_lines);
	tcase_add_test(ok, two_regions);
	tcase_add_test(ok, asm_uses_semicolons);
	suite_add_tcase(s, ok);

	TCase *bad = tcase_create("errors");
	tcase_add_test(bad, asm_region_needs_skeleton_lines);
	tcase_add_test(bad, end_without_begin);
	tcase_add_test(bad, nested_begin);
	tcase_add_test(bad, mismatched_numbers);
	tcase_add_test(bad, unclosed_region);
	tcase_add_test(bad, begin_without_number);
	suite_add_tcase(s, bad);
	return s;
}
