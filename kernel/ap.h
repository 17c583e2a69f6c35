/*
 * ap.h - kernel/ap.c: an AP's life from the trampoline to its halt loop, and
 * starting CPUs (one, or a round of several) with a deadline.
 */
#ifndef AP_H
#define AP_H

#include "percpu.h"

/* Where every AP's C code begins (jumped to by the trampoline with its own
 * stack and %rdi = its struct percpu). */
__attribute__((noreturn)) void ap_main(struct percpu *pc);
/* Start one CPU and wait for it to check in or time out. */
void ap_start_and_wait(struct percpu *pc);
/* The same for n CPUs at once, with one INIT-SIPI-SIPI round (the BSP). */
void ap_start_all_and_wait(struct percpu **pcs, uint32_t n);

#endif
