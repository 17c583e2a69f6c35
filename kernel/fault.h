/*
 * fault.h - kernel/fault.c: a ring-0 page fault on a CPU on its own tables,
 * contained to that CPU, and the TEST_TRESPASS command that provokes one.
 */
#ifndef FAULT_H
#define FAULT_H

#include "diag.h"
#include "percpu.h"

/* Report the fault, mark the CPU FAILED and park it (never returns). */
__attribute__((noreturn)) void fault_contain(struct percpu *pc, uint64_t address, uint64_t rip,
					     bool write);
int fault_trespass_command(struct percpu *pc, struct sidecar_command_page *page,
			   struct diag *d);

#endif
