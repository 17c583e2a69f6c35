/*
 * main.c - the host unit tests: one binary, one Check suite per subject.
 *
 *     unit-tests              run every suite
 *     unit-tests mb2 madt     run only the suites named
 *     unit-tests --list       print the suite names, one per line
 *
 * Each suite runs in its own SRunner so that Check prints one summary line
 * per suite ("100%: Checks: 7, Failures: 0, Errors: 0"): tools/harness.py
 * runs `unit-tests NAME` and reads that line. Tests run in a child process
 * (Check's CK_FORK, the default), so a test that crashes or reaches an
 * unwritten lab function (lab_todo() aborts) counts as an error and the
 * rest go on. CK_FORK=no in the environment runs them in-process, for gdb.
 * The exit status is 0 only when every test of every suite run passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
	/* Lab 0: these fail until the student writes labs/00-boot/. */
	{"mb2", mb2_suite},
	{"madt", madt_suite},
	{"bzimage", bzimage_suite},
	/* Lab 3: fails until the student writes labs/03-ipi/. */
	{"ipi", ipi_suite},
	/* Lab 4: these fail until the student writes labs/04-command/. */
	{"decode", decode_suite},
	{"gva", gva_suite},
	{"registers", registers_suite},
	/* Lab 5: its skeletons fall back instead of stopping (include/lab.h);
	 * these fail until the student writes labs/05-numa/. */
	{"numa", numa_suite},
	/* Lab 6: fails until the student writes labs/06-convert/convert.c. */
	{"remove", remove_suite},
	/* The framework in lib/ and tools/. */
	{"acpi", acpi_suite},
	{"machine", machine_suite},
	{"e820", e820_suite},
	{"bootproto", bootproto_suite},
	{"cmdline", cmdline_suite},
	{"physmem", physmem_suite},
	{"params", params_suite},
	{"vpregs", vpregs_suite},
	{"fmt", fmt_suite},
	{"mklab", mklab_suite},
	{"vmm", vmm_suite}, /* lib/portable/vmm_core.c, which sidecarctl shares */
	{"protocol", protocol_suite},
};

static int find_suite(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
		if (strcmp(suites[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Run one suite, print its summary line; return the number of failed tests. */
static int run_suite(size_t i)
{
	SRunner *sr = srunner_create(suites[i].make());
	srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY=verbose: the passing cases too */
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
			printf("%s\n", suites[i].name);
		return 0;
	}

	/* Check every name first, so a typo does not hide behind a long run. */
	for (int a = 1; a < argc; a++) {
		if (find_suite(argv[a]) < 0) {
			fprintf(stderr, "unit-tests: no suite called \"%s\" (try --list)\n",
				argv[a]);
			return 2;
		}
	}

	int failed = 0;
	if (argc == 1) {
		for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
			failed += run_suite(i);
	} else {
		for (int a = 1; a < argc; a++)
			failed += run_suite((size_t)find_suite(argv[a]));
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
