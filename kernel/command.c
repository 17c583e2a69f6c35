/*
 * command.c - running the command in a CPU's command page.
 *
 * Called by the halt loop when the client stored RUN. The status was loaded
 * with acquire order, so everything the client wrote to the command page
 * before its release store is visible here. The command number is read once
 * and checked; each command copies what it needs out of the page and checks
 * it before use (OpenHCL's rule: never trust the page). A bad request gets
 * error = 1 and a one-line reason in error_text; the CPU carries on.
 */
#include "command.h"
#include "fault.h"
#include "fpu.h"
#include "lab_sidecar.h"
#include "percpu.h"
#include "vp.h"

void command_run(struct percpu *pc)
{
	struct sidecar_command_page *page = pc->command;
	uint32_t command = __atomic_load_n(&page->command, __ATOMIC_RELAXED);
	struct diag d = {""};
	int r;

	switch (command) {
	case SIDECAR_CMD_NONE:
		r = 0;
		break;
	case SIDECAR_CMD_RUN_VP:
		r = vp_run(pc, page, &d);
		break;
	case SIDECAR_CMD_GET_VP_REGISTERS:
	case SIDECAR_CMD_SET_VP_REGISTERS: /* SET checked, and ends a pending completion */
		r = fpu_registers(&pc->vp, &page->request.registers,
				  command == SIDECAR_CMD_SET_VP_REGISTERS, &d);
		break;
	case SIDECAR_CMD_TRANSLATE_GVA:
		r = vp_translate_command(pc, page, &d);
		break;
	case SIDECAR_CMD_TEST_TRESPASS: /* refused unless the shim enabled test commands */
		r = fault_trespass_command(pc, page, &d);
		break;
	default:
		r = diag_fail(&d, E_INVAL, "unknown command %u", command);
		break;
	}
	page->error = r != 0;
	if (r)
		fmt_snprintf(page->error_text, sizeof(page->error_text), "%s",
			     d.msg[0] ? d.msg : diag_errname(r));
	else
		page->error_text[0] = '\0';
	__atomic_add_fetch(&page->completed, 1, __ATOMIC_RELAXED);
	ipi_acknowledge(pc); /* the release store of IDLE publishes all of the above */
}
