/*
 * irq_eoi.h - lib/irq_eoi.asm: an interrupt entry that only sends EOI and
 * returns, for interrupts whose whole job is to end a "sti; hlt" wait
 * (safe_halt(), include/x86.h). The sidecar and linux-stub both use it.
 */
#ifndef IRQ_EOI_H
#define IRQ_EOI_H

#include <stdint.h>

extern const uint8_t irq_eoi_entry[];

#endif
