/*
 * paging.h - kernel/paging.c (and kernel/switch.asm): the boot tables, each
 * CPU's own address space, and its window of private pages.
 */
#ifndef PAGING_H
#define PAGING_H

#include "percpu.h"

/* The boot tables (BSP, once): 0 and their root in *cr3, or -1 when node
 * memory above 4 GiB needs more tables than it keeps. */
int paging_build(const struct sidecar_params *p, uint64_t *cr3);
/* An AP, still on the boot tables: its own tables in its private pages. */
void paging_build_own(struct percpu *pc, uint64_t private_pa, uint64_t command_pa,
		      uint64_t control_pa);
/* Where physical address pa of this CPU's private pages shows in its window. */
uint64_t paging_window(uint64_t pa, uint64_t private_pa);
uint64_t paging_root(void); /* this CPU's own PML4 */
/* Map pages at pa into window slots from slot on, for the command that runs
 * now; paging_unmap_run() takes them (and the guest's PML4 half) away. */
void *paging_map_run(struct percpu *pc, unsigned slot, uint64_t pa, uint64_t pages);
void paging_unmap_run(struct percpu *pc);
bool paging_window_holds(uint64_t va);
extern uint8_t sidecar_idt[4096];

/* kernel/switch.asm: load cr3 and rsp together and call fn(arg) on the new
 * stack, in the new address space. */
__attribute__((noreturn)) void paging_switch(uint64_t cr3, uint64_t rsp,
					     void (*fn)(struct percpu *), struct percpu *arg);

#endif
