/*
 * timer.h - time from the TSC, calibrated against the PIT.
 *
 * The time-stamp counter ticks at a constant rate on the CPUs QEMU emulates
 * (and on every recent real CPU: "invariant TSC", SDM vol. 3B 18.17), but
 * nothing tells us the rate. We measure it once against the 8254 PIT, whose
 * input clock is 1.193182 MHz on every PC.
 */
#ifndef TIMER_H
#define TIMER_H

#include <stdbool.h>
#include <stdint.h>

void timer_calibrate(void);
void timer_set_tsc_khz(uint64_t khz); /* when another image already measured it */
uint64_t timer_tsc_khz(void);
uint64_t timer_ns(void);              /* since an arbitrary point */
uint64_t timer_tsc_to_ns(uint64_t tsc);
/* An image may offer a way to wait halted; it returns false on CPUs that
 * cannot, and udelay() then spins (lab 2, labs/02-halt/sleep.c). */
void timer_set_sleeper(bool (*fn)(uint64_t ns));
void udelay(uint64_t us);
void mdelay(uint64_t ms);

#endif
