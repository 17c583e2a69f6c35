/*
 * fake_lapic.h - a local APIC on the host, for the suites that test labs 3
 * and 6 (test_ipi.c, test_remove.c): tests/unit/fake_lapic.c stands in for
 * lib/runtime/lapic.c's lapic_read/lapic_write/lapic_send_icr/lapic_eoi and
 * records what the code under test asked of the APIC.
 */
#ifndef FAKE_LAPIC_H
#define FAKE_LAPIC_H

#include <stdint.h>

#define FAKE_ICR_MAX 16

struct fake_icr {
	uint32_t apic_id, icr_low;
	uint32_t watched; /* *fake_lapic.watch when the ICR was written */
};

struct fake_lapic {
	struct fake_icr sent[FAKE_ICR_MAX];
	uint32_t nsent;
	uint32_t eois;
	uint32_t send_error;     /* an ESR error bit each ICR write raises (SDM 10.5.3) */
	uint32_t errors;         /* raised since ESR was last written */
	uint32_t esr;            /* what ESR reads: latched by the last write */
	int send_fails;          /* lapic_send_icr returns -1 (delivery never completed) */
	const uint32_t *watch;   /* a status to record at each ICR write, or NULL */
};

extern struct fake_lapic fake_lapic;

/* A fresh APIC: nothing sent, no error. */
void fake_lapic_reset(void);

#endif
