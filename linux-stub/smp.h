/*
 * smp.h - linux-stub/smp.c: linux-stub's own CPUs beyond the BSP (lab 5 on),
 * the vectors they take, and handing them work.
 */
#ifndef SMP_H
#define SMP_H

#include <stdint.h>

#include "lab_stub.h"

#define STUB_WORK_VECTOR 0xe0     /* the BSP hands a CPU work */
#define STUB_RESPONSE_VECTOR 0xe1 /* a sidecar CPU finished a command */
#define STUB_TIMER_VECTOR 0xe2    /* 100 Hz tick: waits check their deadline */
#define STUB_SPURIOUS_VECTOR 0xff /* the local APIC's spurious vector: no EOI */
void smp_init(void);
uint32_t smp_this_cpu(void);
uint64_t smp_responses(void); /* response IPIs taken by all our CPUs, ever */
/* Run fn(arg) on cpu and wait for it; post/join split it for parallel work. */
int smp_run_on(uint32_t cpu, void (*fn)(void *), void *arg);
int smp_post(uint32_t cpu, void (*fn)(void *), void *arg);
int smp_join(uint32_t cpu);
/* smp_wait() and smp_start_cpu() are declared in include/lab_stub.h: the
 * labs call them. */
/* Sleep for ms milliseconds halted (a 100 Hz tick wakes us to check). */
void smp_sleep_ms(uint64_t ms);
/* The monitor's "spurious" command. */
int cmd_spurious(int argc, char **argv);
/* Spurious interrupts taken, every CPU (linux-stub/irq.asm counts them). */
extern uint64_t stub_spurious_count;

#endif
