/*
 * timer.c - measuring the TSC rate with the PIT, then delays from the TSC.
 *
 * Calibration uses PIT channel 2, the one wired to the PC speaker gate
 * (port 0x61): program a one-shot count of 11932 ticks (10 ms at
 * 1.193182 MHz), open the gate, and count TSC cycles until the output bit
 * (port 0x61 bit 5) goes high. Linux does the same in pit_hpet_ptimer_calibrate
 * (arch/x86/kernel/tsc.c), with more care about SMIs. Under emulation the
 * CPU's host thread can be preempted inside the window, which only ever
 * lengthens it (a loaded host once gave 6245 MHz for a 2600 MHz TSC), so
 * the shortest of a few measurements is kept, as Linux keeps the smallest
 * of its tries.
 */
#include "timer.h"
#include "console.h"
#include "x86.h"

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define SPEAKER 0x61

static uint64_t tsc_khz = 1000000; /* a guess until calibrated: 1 GHz */

#define CALIBRATION_TRIES 3

/* TSC cycles while PIT channel 2 counts `ms` milliseconds once. */
static uint64_t pit_window_cycles(uint32_t ms)
{
	const uint32_t count = PIT_HZ * ms / 1000;

	/* Gate on (bit 0), speaker off (bit 1). */
	outb(SPEAKER, (inb(SPEAKER) & ~0x02) | 0x01);
	/* Channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary. */
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);

	uint64_t start = rdtsc();
	uint64_t spins = 0;
	while (!(inb(SPEAKER) & 0x20) && spins < 100000000)
		spins++;
	return rdtsc() - start;
}

void timer_calibrate(void)
{
	const uint32_t ms = 10;
	uint64_t best = 0;
	for (int i = 0; i < CALIBRATION_TRIES; i++) {
		uint64_t cycles = pit_window_cycles(ms);
		if (cycles > 0 && (best == 0 || cycles < best))
			best = cycles;
	}
	if (best > 0)
		tsc_khz = best / ms;
}

void timer_set_tsc_khz(uint64_t khz)
{
	if (khz)
		tsc_khz = khz;
}

uint64_t timer_tsc_khz(void)
{
	return tsc_khz;
}

uint64_t timer_tsc_to_ns(uint64_t tsc)
{
	/* tsc * 1e6 / khz, split to avoid overflow for large counts. */
	return tsc / tsc_khz * 1000000 + tsc % tsc_khz * 1000000 / tsc_khz;
}

uint64_t timer_ns(void)
{
	return timer_tsc_to_ns(rdtsc());
}

static bool (*sleeper)(uint64_t ns);

void timer_set_sleeper(bool (*fn)(uint64_t ns))
{
	sleeper = fn;
}

void udelay(uint64_t us)
{
	if (sleeper && sleeper(us * 1000))
		return; /* this CPU waited halted */
	uint64_t end = rdtsc() + us * tsc_khz / 1000;
	while (rdtsc() < end)
		cpu_relax();
}

void mdelay(uint64_t ms)
{
	udelay(ms * 1000);
}
