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

/* A caller that halts with interrupts already on looked at what it waits
 * for with them on: an interrupt between the look and the halt is taken
 * there and lost. safe_halt() says so, once per image (lib/runtime/halt.c:
 * "<image>: safe_halt() with interrupts on ..."), and every graded boot
 * fails on that line. */
void safe_halt_misused(const void *caller);

/* Enable interrupts and halt, as one: STI takes effect only after the next
 * instruction (SDM vol. 2B, STI), so no interrupt can arrive between the two
 * and be missed by a CPU about to sleep. Call it with interrupts off, after
 * the last look at the condition. Returns after an interrupt. */
static inline void safe_halt(void)
{
	if (interrupts_enabled())
		safe_halt_misused(__builtin_return_address(0));
	race_window();
	__asm__ volatile("sti; hlt" ::: "memory");
	race_window();
}

#endif
