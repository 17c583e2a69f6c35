/*
 * lab_sidecar.h - the sidecar kernel's lab API: what labs 1, 2, 3 and 6
 * write for it, and what those files may call. Every function here runs
 * on a sidecar CPU (or, for lab 1's fan-out, the BSP still in the shim),
 * and each contract says with interrupts on or off.
 */
#ifndef LAB_SIDECAR_H
#define LAB_SIDECAR_H

#include "lab.h"
#include "ap.h"       /* ap_start_and_wait, ap_start_all_and_wait (lab 1's fan-out) */
#include "command.h"  /* command_run: the halt loop's work (lab 2) */
#include "irq_eoi.h"  /* irq_eoi_entry: a gate that only sends an EOI */
#include "percpu.h"   /* struct percpu, struct node, this_cpu() */
#include "start.h"    /* the parameter and output pages, the nodes */
#include "trap.h"     /* idt_set_gate, idt_load, trap_stub */
#include "vectors.h"  /* irq_request_entry, irq_spurious_entry, the vectors */

/* Lab 1 (labs/01-apstart/fanout.c): */
void fanout_start_node(struct node *node);
/* Start what is left: own node first, then every other node (own may be
 * NULL: the BSP). */
void fanout_help(struct node *own);

/* Lab 2 (labs/02-halt/): */
void halt_cpu_init(struct percpu *pc);
__attribute__((noreturn)) void halt_loop(struct percpu *pc);
/* Lab 2 (labs/02-halt/sleep.c): halted waits while starting CPUs. */
void sleep_init(void);                      /* the BSP, once, before any AP */
void sleep_cpu_ready(struct percpu *pc);    /* an AP: the wake gate in its IDT */
void sleep_wake_starter(struct percpu *pc); /* an AP that checked in: wake who started it */
/* Halt until deadline_ns (timer_ns) or until *watch != while_value; false
 * when this CPU cannot sleep (the BSP, or no IDT/APIC yet): the caller
 * spins instead. */
bool sleep_until(uint64_t deadline_ns, const uint32_t *watch, uint32_t while_value);

/* Lab 3 (labs/03-ipi/), the sidecar's side: */
void ipi_request_interrupt(struct percpu *pc);
void ipi_acknowledge(struct percpu *pc);

/* Lab 6 (labs/06-convert/remove.c): leave the sidecar, park for INIT. */
__attribute__((noreturn)) void remove_cpu(struct percpu *pc);

#endif
