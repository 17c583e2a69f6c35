/*
 * lab_host.c - lab_todo() for the host unit tests.
 *
 * An untouched lab skeleton (labs/) calls lab_todo() where the student's code
 * goes (include/lab.h). In QEMU that stops the guest; here it prints the same
 * line and aborts, so the test that reached an unwritten function is reported
 * by Check as an error (each test runs in its own process, CK_FORK) and the
 * other tests still run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lab.h"

void lab_fallback(int lab, const char *function, const char *instead)
{
	fprintf(stderr, "lab %d: %s() is not implemented yet; %s\n", lab, function, instead);
}

void lab_todo(int lab, const char *function)
{
	fprintf(stderr, "lab %d: %s() is not implemented yet\n", lab, function);
	abort();
}
