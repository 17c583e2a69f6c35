/*
 * sidecar_protocol.h - the client's moves in the command protocol, written once.
 *
 * include/sidecar.h holds the shared layouts; this header holds what a
 * client (linux-stub, lab 7's Linux driver, a host test) does to a sidecar
 * CPU's cpu_status and to a node's needs_attention, as OpenHCL keeps them in
 * one crate (microsoft/openvmm, openhcl/sidecar_client): every transition a
 * client makes is one small function here, with its memory order, and no
 * client writes its own. It is plain C11 atomics on the shared words, so the
 * same code builds freestanding (linux-stub), in a Linux module (the driver,
 * with tools/linux/kinclude) and hosted (sidecarctl, the unit tests).
 *
 *   client                                  sidecar CPU
 *   ------                                  -----------
 *   sidecar_proto_start:  IDLE -> RUN        loads RUN (acquire), runs it,
 *     (release: the command page first)       RUN/STOP -> IDLE (release),
 *   sidecar_proto_stop:   RUN -> STOP         needs_attention = 1,
 *   sidecar_proto_remove: IDLE/RUN/STOP       the response IPI
 *                           -> REMOVE         ... or REMOVE -> REMOVED, park
 *   sidecar_proto_status: load (acquire): the reply is visible after it
 *   sidecar_proto_take_attention: needs_attention -> 0, before a scan
 *   sidecar_proto_serve:  response_cpu, then response_vector (release)
 *
 * Each "->" is a compare-and-swap: it fails, and says so, if the CPU moved
 * first (a command finishing as STOP is asked, a REMOVE racing a RUN). The
 * request IPI that follows a successful move is the caller's: only it knows
 * its APIC. Labs 3, 5 and 6 have the student write these same moves
 * (sidecar_wake, numa_serve_node, sidecar_remove) as exercises; everything
 * else calls this header.
 */
#ifndef SIDECAR_PROTOCOL_H
#define SIDECAR_PROTOCOL_H

#ifndef __KERNEL__
#include <stdbool.h>
#endif
#include "sidecar.h"

/* The status now; acquire: what the CPU wrote before it is visible after. */
static inline uint32_t sidecar_proto_status(const uint32_t *status)
{
	return __atomic_load_n(status, __ATOMIC_ACQUIRE);
}

/* A command is over: the CPU is IDLE again, or it has left (REMOVED). */
static inline bool sidecar_proto_finished(uint32_t status)
{
	return status == CPU_STATUS_IDLE || status == CPU_STATUS_REMOVED;
}

/* One compare-and-swap from `from` to `to`, release: the CPU that sees
 * `to` sees every write made before it (the command page). */
static inline bool sidecar_proto_move(uint32_t *status, uint32_t from, uint32_t to)
{
	return __atomic_compare_exchange_n(status, &from, to, false, __ATOMIC_RELEASE,
					   __ATOMIC_RELAXED);
}

/* IDLE -> RUN: the command page is written; the request IPI follows.
 * False if the CPU was not IDLE (busy, leaving, never started). */
static inline bool sidecar_proto_start(uint32_t *status)
{
	return sidecar_proto_move(status, CPU_STATUS_IDLE, CPU_STATUS_RUN);
}

/* RUN -> STOP: ask a running command (a RUN_VP in its guest) to return;
 * the request IPI pulls the CPU out. False if it was not running. */
static inline bool sidecar_proto_stop(uint32_t *status)
{
	return sidecar_proto_move(status, CPU_STATUS_RUN, CPU_STATUS_STOP);
}

/* What sidecar_proto_remove() found. */
enum sidecar_proto_remove_result {
	SIDECAR_REMOVE_ASKED,   /* IDLE, RUN or STOP -> REMOVE: send the request IPI */
	SIDECAR_REMOVE_ALREADY, /* REMOVE or REMOVED: someone asked before; just wait */
	SIDECAR_REMOVE_NO_CPU,  /* FAILED (or nonsense): there is no CPU to take */
};

/* IDLE, RUN or STOP -> REMOVE, retried while the CPU moves between those
 * (a command finishing RUN -> IDLE meanwhile). A running command ends: the
 * sidecar stops the VP, acknowledges, and leaves REMOVE in place. */
static inline enum sidecar_proto_remove_result sidecar_proto_remove(uint32_t *status)
{
	uint32_t s = __atomic_load_n(status, __ATOMIC_RELAXED);

	for (;;) {
		if (s == CPU_STATUS_REMOVE || s == CPU_STATUS_REMOVED)
			return SIDECAR_REMOVE_ALREADY;
		if (s != CPU_STATUS_IDLE && s != CPU_STATUS_RUN && s != CPU_STATUS_STOP)
			return SIDECAR_REMOVE_NO_CPU;
		/* On failure the builtin stores what it saw into s: try again from there. */
		if (__atomic_compare_exchange_n(status, &s, CPU_STATUS_REMOVE, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return SIDECAR_REMOVE_ASKED;
	}
}

/* Clear the node's needs_attention before scanning its CPUs: one that
 * finishes meanwhile raises it again and is seen by the next scan. True if
 * it was raised. Acquire and release: the statuses it announced are seen. */
static inline bool sidecar_proto_take_attention(struct sidecar_control *control)
{
	return __atomic_exchange_n(&control->needs_attention, 0, __ATOMIC_ACQ_REL) != 0;
}

/* Ask the node's CPUs to send `vector` to APIC ID apic_id when they finish
 * a command; vector 0 turns the response interrupt off. The CPU first, then
 * the vector (release), which turns it on: a CPU that sees the vector sees
 * the CPU it belongs to. */
static inline void sidecar_proto_serve(struct sidecar_control *control, uint32_t apic_id,
				       uint32_t vector)
{
	__atomic_store_n(&control->response_vector, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&control->response_cpu, apic_id, __ATOMIC_RELAXED);
	__atomic_store_n(&control->response_vector, vector, __ATOMIC_RELEASE);
}

#endif
