/*
 * Lab 3 - interprocessor interrupts: sending one, and a sidecar CPU taking
 * and answering one.
 *
 * Runs in every image, on any CPU, interrupts on or off (ipi_send); in the
 * sidecar kernel, in the request interrupt's handler, interrupts off
 * (ipi_request_interrupt), and at the end of a command, interrupts on
 * (ipi_acknowledge).
 *
 * A fixed IPI is a write of the interrupt command register (SDM vol. 3A
 * 10.6.1); lapic_send_icr() writes it in either APIC mode and waits for
 * the delivery. Whether the target's APIC accepted it is another question,
 * which only the error status register answers (10.5.3), and it has its own
 * rules for reading. Vectors 0-31 belong to exceptions (10.5.2).
 *
 * The request vector's entry (kernel/vectors.asm) calls
 * ipi_request_interrupt(). The interrupt's only job is to end hlt - the halt
 * loop then looks at the status - but the local APIC keeps the vector in
 * service, blocking it and every vector of lower priority, until the handler
 * ends it (10.8.5).
 *
 * When a command is done the CPU answers as OpenHCL's sidecar does
 * (openhcl/sidecar_defs: CpuStatus, needs_attention): its status back to
 * IDLE, publishing its reply; the node's needs_attention flag; and a response
 * IPI if the client asked for one. The client may be storing STOP or REMOVE
 * into the same status word at the same moment (include/sidecar.h says who
 * may store what).
 *
 * Implement: ipi_send() (include/lab.h), ipi_request_interrupt() and
 * ipi_acknowledge() (include/lab_sidecar.h).
 * Tests: lab 3's tests (wake one CPU, the wake stress test, the race
 * windows) and the host suite "ipi".
 */
#include "lab_sidecar.h"

int ipi_send(uint32_t apic_id, uint8_t vector)
{
	// BEGIN LAB 3: one fixed IPI; -1 when it may not be sent or was not accepted
	if (vector < 32)
		return -1;
	lapic_write(LAPIC_ESR, 0);
	if (lapic_send_icr(apic_id, ICR_FIXED | vector, ICR_DELIVERY_TIMEOUT_US))
		return -1;
	lapic_write(LAPIC_ESR, 0);
	if (lapic_read(LAPIC_ESR) != 0)
		return -1;
	return 0;
	// END LAB 3
}

void ipi_request_interrupt(struct percpu *pc)
{
	// BEGIN LAB 3: take the request interrupt, so that the next one can come
	pc->interrupts++;
	lapic_eoi();
	// END LAB 3
}

void ipi_acknowledge(struct percpu *pc)
{
	// BEGIN LAB 3: answer the finished command, leaving a REMOVE where it is
	struct sidecar_control *c = pc->control;
	uint32_t s = __atomic_load_n(&c->cpu_status[pc->slot], __ATOMIC_RELAXED);
	while ((s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) &&
	       !__atomic_compare_exchange_n(&c->cpu_status[pc->slot], &s, CPU_STATUS_IDLE, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);
	uint32_t vector = __atomic_load_n(&c->response_vector, __ATOMIC_ACQUIRE);
	if (vector)
		ipi_send(__atomic_load_n(&c->response_cpu, __ATOMIC_ACQUIRE), (uint8_t)vector);
	// END LAB 3
}
