/*
 * halt.h - lib/runtime/halt.c: halting until an interrupt, without losing
 * one. Every image's idle loops use safe_halt().
 */
#ifndef HALT_H
#define HALT_H

#include <stdint.h>

#include "x86.h"

/*
 * Tests only (the shim's race_windows option sets the sidecar's copy): TSC
 * ticks to spin, interrupts as they are, just before safe_halt()'s STI;
 * HLT, and again after it. Before: a caller that checked its condition with
 * interrupts off, as it must, loses nothing - an interrupt that comes
 * meanwhile waits, and ends the hlt - but one that checked with interrupts
 * on takes it before the halt, which then sleeps on: lab 2's lost wake-up,
 * a few instructions wide on its own, made wide enough to happen every
 * time. After: the caller looks at what woke it late, so a client's next
 * store (a STOP right behind the RUN) is there first.
 */
extern uint64_t safe_halt_window_tsc;

static inline void race_window(void)
{
	if (safe_halt_window_tsc) {
		uint64_t end = rdtsc() + safe_halt_window_tsc;
		while (rdtsc() < end)
			cpu_relax();
	}
}

/* Enable interrupts and halt, as one: STI takes effect only after the next
 * instruction (SDM vol. 2B, STI), so no interrupt can arrive between the two
 * and be missed by a CPU about to sleep. Returns after an interrupt. */
static inline void safe_halt(void)
{
	race_window();
	__asm__ volatile("sti; hlt" ::: "memory");
	race_window();
}

#endif
