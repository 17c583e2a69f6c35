/*
 * fake_lapic.c - lib/runtime/lapic.c's register access, on the host: every
 * write of the ICR is recorded, with the status the test watches at that
 * moment (was RUN stored before the IPI went?), and ESR reads as the test
 * says. See fake_lapic.h. Also the clock, linux-stub's smp_wait() and the
 * halt's race window, which lab 3's client_wait_status() and
 * mailbox_serve() use: the suites never call those two (they run cli,
 * which a host process may not), but the files must link.
 */
#include <string.h>

#include "fake_lapic.h"
#include "lapic.h"

struct fake_lapic fake_lapic;

void fake_lapic_reset(void)
{
	memset(&fake_lapic, 0, sizeof(fake_lapic));
}

uint32_t lapic_read(uint32_t reg)
{
	return reg == LAPIC_ESR ? fake_lapic.esr : 0;
}

void lapic_write(uint32_t reg, uint32_t value)
{
	/* A write to ESR latches the errors since the last one (10.5.3). */
	if (reg == LAPIC_ESR)
		fake_lapic.esr = fake_lapic.errors, fake_lapic.errors = 0;
	(void)value;
}

int lapic_send_icr(uint32_t apic_id, uint32_t icr_low, uint64_t timeout_us)
{
	(void)timeout_us;
	if (fake_lapic.send_fails)
		return -1;
	fake_lapic.errors |= fake_lapic.send_error;
	if (fake_lapic.nsent < FAKE_ICR_MAX)
		fake_lapic.sent[fake_lapic.nsent] = (struct fake_icr){
			apic_id, icr_low,
			fake_lapic.watch ? __atomic_load_n(fake_lapic.watch, __ATOMIC_ACQUIRE) : 0};
	fake_lapic.nsent++;
	return 0;
}

void lapic_eoi(void)
{
	fake_lapic.eois++;
}

uint64_t timer_ns(void)
{
	static uint64_t now;
	return now += 1000000; /* each look at the clock: a millisecond later */
}

void smp_wait(void)
{
}

uint64_t safe_halt_window_tsc; /* lib/runtime/halt.c's: mailbox_serve() halts */

void safe_halt_misused(const void *caller)
{
	(void)caller;
}
