/*
 * sidecar_host.h - the sidecar's command protocol, compiled for the host.
 *
 * The command fuzzer (tests/fuzz/fuzz_command.c) and the thread test
 * (tests/host/protocol_threads.c) link the real protocol code - the
 * dispatcher kernel/command.c, lab 3's ipi_send(), sidecar_wake() and
 * ipi_acknowledge(), lab 5's client_collect(), lab 6's sidecar_remove(),
 * lab 4's register copy and page walk - and this file supplies what only
 * hardware or the rest of the kernel provides: the local APIC's registers
 * (an ICR write calls a host hook), the clock and smp_wait() that lab 3's
 * client_wait_status() links against (the harnesses never call it),
 * vp_run(), vp_translate_command() and fpu_registers() (kernel/vp.c enters
 * ring 3 and knows the sidecar's memory layout, kernel/fpu.c keeps the XSAVE
 * area; the stand-ins here keep their contract).
 */
#ifndef SIDECAR_HOST_H
#define SIDECAR_HOST_H

#include "command.h"
#include "fpu.h"
#include "lab_sidecar.h"
#include "lab_stub.h"
#include "lab_vp.h"
#include "vp.h"
#include "vp_regs.h"
#include "lapic.h"

/* What an ICR write (lapic_send_icr, which lab 3's ipi_send() calls) calls;
 * NULL: the IPI is only counted. Returns 0 or -1. */
extern int (*host_ipi_hook)(uint32_t apic_id, uint8_t vector);
extern uint64_t host_ipis_sent;

/* Guest memory for the TRANSLATE_GVA stand-in: GPA g is host_guest_base + g
 * for g < host_guest_size (the command's memory.size must fit inside). */
extern uint8_t *host_guest_base;
extern uint64_t host_guest_size;

/*
 * RUN_VP stand-in: the real one enters the guest with interrupts off after
 * a last look for STOP or REMOVE (kernel/vp.c, step 4), and an IPI pulls it
 * out. Here the "guest" runs until it sees STOP or REMOVE, or for at most
 * host_vp_spins polls; then it reports STOPPED or HLT.
 */
extern uint32_t host_vp_spins;

#endif
