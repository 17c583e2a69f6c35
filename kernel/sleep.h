/*
 * sleep.h - kernel/sleep.c: halted waits for starters during fan-out.
 */
#ifndef SLEEP_H
#define SLEEP_H

#include "percpu.h"

#define SIDECAR_WAKE_VECTOR 0xef
void sleep_init(void);                      /* BSP, once */
void sleep_cpu_ready(struct percpu *pc);    /* an AP: add the wake gate */
void sleep_wake_starter(struct percpu *pc); /* an AP that checked in */
/* Halt until deadline_ns (timer_ns) or until *watch != while_value; false
 * when this CPU cannot sleep (the BSP, or no IDT/APIC yet): spin instead. */
bool sleep_until(uint64_t deadline_ns, const uint32_t *watch, uint32_t while_value);

#endif
