/*
 * vmm.h - linux-stub/vmm.c: linux-stub's VMM, the monitor's commands that
 * run guests on sidecar CPUs by command page (lab 4), and the calls the
 * other test commands (convert, isolate, racestress) make to start a guest.
 * What a VMM does with a guest is the portable core's (include/vmm_core.h).
 */
#ifndef VMM_H
#define VMM_H

#include "vmm_core.h"

int cmd_guests(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_regs(int argc, char **argv);
int cmd_gva(int argc, char **argv);

/* Start guest on cpu and return while it runs (for "convert <cpu> running":
 * a REMOVE must pull the CPU out of a running VP). 0 or -1 (printed). */
int vmm_start(const char *cpu, const char *guest);
/* Run guest on cpu to its end with rdi set; its last registers in regs and
 * how it ended in *outcome. 0, or -1 when it could not start. */
int vmm_run_with_rdi(const char *cpu, const char *guest, uint64_t rdi,
		     uint64_t regs[VP_REGISTER_COUNT], enum run_outcome *outcome);
/* Where cpu's guest memory and its scratch pages are (0: not yet allocated). */
void vmm_guest_pages(uint32_t cpu, uint64_t *memory, uint64_t *scratch);

#endif
