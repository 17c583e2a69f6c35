/*
 * lapic.h - the local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode.
 *
 * Intel SDM vol. 3A chapter 10 (11 in recent editions), "Advanced
 * Programmable Interrupt Controller". Each CPU has a local APIC; in xAPIC
 * mode its registers are 4 KiB of memory at IA32_APIC_BASE (normally
 * 0xfee00000), in x2APIC mode they are MSRs 0x800 + offset/16 (10.12.1.2).
 * The shim switches the BSP to x2APIC when CPUID offers it, as Linux does
 * (its option `xapic` keeps xAPIC), and every CPU follows the BSP. QEMU 7.2's
 * software emulation (TCG) has no x2APIC, so there everything runs in xAPIC
 * mode; QEMU 9 and later offer it with -cpu ...,x2apic=on.
 */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets (SDM vol. 3A Table 10-1). */
#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ISR_LAST 0x170 /* ISR bits 255:224 (10.8.4): vectors 0xe0-0xff */
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_CMCI 0x2f0    /* present when the version's max LVT entry >= 6 */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERMAL 0x330 /* present when the version's max LVT entry >= 5 */
#define LAPIC_LVT_PERF 0x340    /* present when it is >= 4 */
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LVT_TIMER_PERIODIC (1u << 17)
#define TIMER_DIVIDE_BY_16 0x3 /* the divide configuration register (SDM Figure 11-10) */

/* SVR (10.9): bit 8 enables the APIC in software; bits 7:0 the spurious vector. */
#define LAPIC_SVR_ENABLE 0x100

/* ICR low (10.6.1, Figure 10-12). */
#define ICR_FIXED (0u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_DELIVERY_PENDING (1u << 12) /* xAPIC only: "send pending" */
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define LVT_MASKED (1u << 16)
/* The version register (10.4.8): bits 23:16 are the number of LVT entries less one. */
#define LAPIC_VERSION_MAX_LVT(v) (((v) >> 16) & 0xff)
/* How long the senders (lab 1's INIT-SIPI-SIPI, lab 3's ipi_send(), the
 * sidecar's own wake-up of a sleeping starter) let lapic_send_icr() wait
 * for an xAPIC's delivery status to go idle. */
#define ICR_DELIVERY_TIMEOUT_US 1000

/* x2APIC mode: register offset r is MSR X2APIC_MSR_BASE + r / 16 (10.12.1.2);
 * the ICR is one 64-bit MSR, destination in bits 63:32 (10.12.9). */
#define X2APIC_MSR_BASE 0x800
#define X2APIC_MSR_ICR 0x830

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2APIC (1u << 10) /* EXTD */
#define APIC_BASE_ENABLE (1u << 11) /* EN */

/*
 * A trace of this image's ICR writes (lapic_send_icr), for the tests: QEMU
 * starts a CPU whatever the delays between INIT and the SIPIs, and with one
 * SIPI, so only a record of what was sent shows a sender that breaks the
 * SDM's recipe. lapic_trace_start() turns it on, into the caller's buffer
 * of max entries; every CPU of the image then adds to it (the ones past
 * max only counted); lapic_trace_print() stops it and prints one line per
 * entry: "icr: <n> +<us> us apic <from> -> apic <to> <INIT|SIPI|FIXED> 0xvv".
 */
struct lapic_trace_entry {
	uint64_t tsc;
	uint32_t from, to;
	uint32_t icr_low;
	uint32_t reserved;
};
void lapic_trace_start(struct lapic_trace_entry *buffer, uint32_t max);
void lapic_trace_print(void);

/* On an image's BSP, before it starts any CPU: take the BSP's mode (and the
 * APIC's address) as the mode of every CPU of this image. */
void lapic_init_access(void);
/* The shim, on the BSP: switch to x2APIC if CPUID.01H:ECX[21] offers it,
 * then lapic_init_access(). True if the BSP now runs in x2APIC mode. */
bool lapic_bsp_enable_x2apic(void);
/* On an AP: put its APIC in the image's mode (x2APIC if the BSP runs in
 * it), and panic if it cannot be: all CPUs of an image use one mode. */
void lapic_enable_x2apic_if_available(void);
/* The same without the panic: false if this AP's APIC is not (and cannot
 * be put) in the image's mode, for a caller that takes only this CPU out. */
bool lapic_ap_follow_mode(void);
const char *lapic_cpu_mode_name(void); /* this CPU's own mode, read from its MSR */
bool lapic_cpu_has_x2apic(void); /* CPUID.01H:ECX[21] */
bool lapic_is_x2apic(void);      /* this image's mode */
const char *lapic_mode_name(void); /* "x2apic" or "xapic" */

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t value);
uint32_t lapic_id(void);
void lapic_eoi(void);

/*
 * Write the interrupt command register for destination apic_id (physical
 * destination mode) and, in xAPIC mode, wait up to timeout_us for the
 * delivery status to go idle. Returns 0, or -1 if it never went idle.
 */
int lapic_send_icr(uint32_t apic_id, uint32_t icr_low, uint64_t timeout_us);

/*
 * The local APIC timer (SDM vol. 3A 10.5.4): counts down from an initial
 * count at the bus clock divided by 16 here. lapic_timer_calibrate() measures
 * its rate against the TSC (on one CPU; all run at the same rate);
 * lapic_timer_periodic() then makes this CPU's timer raise vector every
 * period_us microseconds.
 */
uint32_t lapic_timer_calibrate(void); /* returns ticks per millisecond */
void lapic_timer_periodic(uint8_t vector, uint32_t ticks_per_ms, uint32_t period_us);

/*
 * How long ap_send_init_sipi() (lab 1, include/lab.h) waits after INIT and after each SIPI. The
 * SDM's recipe (10 ms, 200 us) by default; lapic_use_modern_delays() picks
 * what Linux picks for processors it knows to be modern (smp_quirk_init_udelay()
 * in arch/x86/kernel/smpboot.c: Intel family 6, AMD family 0xF and later):
 * no wait after INIT and 10 us after each SIPI.
 */
struct ap_start_delays {
	uint32_t after_init_us;
	uint32_t after_sipi_us;
};
extern struct ap_start_delays ap_start_delays;
void lapic_use_modern_delays(void);

#endif
