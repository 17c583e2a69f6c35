/*
 * halt.c - the race window of safe_halt() (include/halt.h): 0, no window,
 * unless a test asks for one. Each image has its own; only the sidecar's is
 * ever set (kernel/start.c, from the shim's race_windows option). And what
 * safe_halt() says when it is called with interrupts on. Any CPU.
 */
#include "halt.h"
#include "console.h"

uint64_t safe_halt_window_tsc;

void safe_halt_misused(const void *caller)
{
	static uint32_t said;
	if (!__atomic_exchange_n(&said, 1, __ATOMIC_ACQ_REL))
		kprintf("%s: safe_halt() with interrupts on (called from %p): what it waits for "
			"was looked at with interrupts on, and a wake-up in between is lost\n",
			image_name, caller);
}
