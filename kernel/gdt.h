/*
 * gdt.h - kernel/gdt.c: each sidecar CPU's own GDT and TSS (selectors in
 * kernel/percpu.h).
 */
#ifndef GDT_H
#define GDT_H

#include "percpu.h"

/* Load this CPU's own GDT and TSS. */
void gdt_init(struct percpu *pc);

#endif
