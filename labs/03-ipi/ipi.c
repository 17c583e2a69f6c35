/*
 * Lab 3 - interprocessor interrupts: sending one, and taking one.
 *
 * Sending (both sides use it: linux-stub to wake a sidecar CPU, a sidecar CPU
 * to tell the client it finished): a fixed IPI is an ICR write with delivery
 * mode 000 (fixed) and the vector in bits 7:0, to a physical destination
 * (SDM vol. 3A 10.6.1). Vectors 0-31 are reserved for exceptions: refuse
 * them (an APIC given one of 0-15 even reports "send illegal vector" in its
 * error status register). The
 * ESR (10.5.3) must be written before it is read: the write latches the
 * errors since the last write. So: clear the ESR, send and wait for the
 * delivery status to go idle (lapic_send_icr()), then read the ESR: non-zero
 * means the IPI was not accepted.
 *
 * Taking: the request vector's entry (kernel/vectors.asm) calls
 * ipi_request_interrupt(). The interrupt's only job is to end hlt - the halt
 * loop then looks at the status - but the local APIC keeps the vector "in
 * service", blocking this and every lower-priority vector, until the handler
 * writes the EOI register (10.8.5). Count it and send the EOI.
 *
 * Implement: ipi_send() (include/lapic.h), ipi_request_interrupt()
 * (include/lab.h).
 * Tests: lab 3's tests (wake one CPU, the wake stress test).
 */
#include "lab.h"
#include "lapic.h"
#include "percpu.h"

int ipi_send(uint32_t apic_id, uint8_t vector)
{
	// TODO(lab 3): refuse vectors below 32; clear ESR; send fixed; check ESR
	lab_todo(3, __func__);
}

void ipi_request_interrupt(struct percpu *pc)
{
	// TODO(lab 3): count the interrupt and end it with an EOI
	lab_todo(3, __func__);
}
