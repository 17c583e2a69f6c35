/*
 * protect.h - kernel/protect.c: what CPUID offers (BSP, once); SMEP, SMAP,
 * NX, CR0.WP and CR0.AM on this CPU (every AP).
 */
#ifndef PROTECT_H
#define PROTECT_H

#include <stdbool.h>
#include <stdint.h>

void protect_probe(void);
void protect_init(void);
uint64_t protect_nx_bit(void);     /* the NX bit for page tables (0 without) */
const char *protect_summary(void); /* "SMEP SMAP NX": what is on */

#endif
