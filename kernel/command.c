/*
 * command.c - running the command in a CPU's command page.
 *
 * Called by the halt loop when the client stored RUN. The status was loaded
 * with acquire order, so everything the client wrote to the command page
 * before its release store is visible here. The command is copied out of
 * shared memory once and validated before use (OpenHCL's rule: never trust
 * the page). Labs 1-3 know one command, NONE: acknowledge.
 */
#include "kernel.h"

void command_run(struct percpu *pc)
{
	struct sidecar_command_page *page = pc->command;
	uint32_t command = __atomic_load_n(&page->command, __ATOMIC_RELAXED);

	switch (command) {
	case SIDECAR_CMD_NONE:
		page->error = 0;
		break;
	default:
		page->error = 1;
		fmt_snprintf(page->error_text, sizeof(page->error_text), "unknown command %u",
			     command);
		break;
	}
	__atomic_add_fetch(&page->completed, 1, __ATOMIC_RELAXED);
	ipi_acknowledge(pc); /* the release store of IDLE publishes all of the above */
}
