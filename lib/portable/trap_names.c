/*
 * trap_names.c - the names of the exceptions, for messages.
 *
 * SDM vol. 3A 6.15, "Exception and Interrupt Reference". Portable (no
 * instructions), so the host tools that report VP exits (lab 7's
 * sidecarctl) print the same names as the images.
 */
#include "klib.h"
#include "trap.h"

const char *trap_name(uint64_t vector)
{
	static const char *const names[] = {
		"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
		"#BR bound range", "#UD invalid opcode", "#NM device not available",
		"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
		"#NP segment not present", "#SS stack fault", "#GP general protection",
		"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
		"#MC machine check", "#XM SIMD error", "#VE virtualization",
		"#CP control protection",
	};
	return vector < ARRAY_SIZE(names) ? names[vector] : "exception";
}
