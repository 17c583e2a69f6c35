/*
 * lab.c - what an unfinished lab says (include/lab.h): lab_todo() stops the
 * boot at the first unwritten function, lab_fallback() notes one that has a
 * stand-in. Any CPU of any image may call them. (The unit tests have their
 * own, tests/unit/lab_host.c, which fail the test instead.)
 */
#include "console.h"
#include "lab.h"

void lab_fallback(int lab, const char *function, const char *instead)
{
	static const char *said[16];
	for (unsigned i = 0; i < 16; i++) {
		const char *none = NULL;
		if (__atomic_load_n(&said[i], __ATOMIC_ACQUIRE) == function)
			return; /* once is enough, whichever CPU said it */
		if (__atomic_compare_exchange_n(&said[i], &none, function, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			break;
		if (none == function)
			return;
	}
	kprintf("lab %d: %s() is not implemented yet; %s\n", lab, function, instead);
}

void lab_todo(int lab, const char *function)
{
	kprintf("lab %d: %s() is not implemented yet (%s stops here; see labs/ and book/)\n", lab,
		function, image_name);
	qemu_exit(QEMU_EXIT_FAILURE);
}
