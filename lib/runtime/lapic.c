/*
 * lapic.c - reading and writing local APIC registers, either way.
 *
 * xAPIC: the registers are memory at the APIC base; every access must be a
 * 32-bit load or store (SDM vol. 3A 10.4.1), and the page must be uncached
 * (the page tables of every image map it with PCD set).
 * x2APIC: RDMSR/WRMSR of 0x800 + offset/16; the ICR is a single 64-bit MSR
 * (0x830) with the destination in bits 63:32 (10.12.9), and there is no
 * delivery-status bit to wait for. The APIC ID is 32 bits (10.12.5.1).
 *
 * One mode per image, fixed once by its BSP. Each image (the shim, the
 * sidecar, linux-stub) links its own copy of this file, and its BSP calls
 * lapic_init_access() before it starts any other CPU; that records the
 * BSP's mode, which every other CPU of the image then follows
 * (lapic_ap_follow_mode() on each AP, which checks it got there and only
 * reads the mode; lapic_enable_x2apic_if_available() panics when it did
 * not, linux-stub takes just that CPU out). Per-CPU modes would let one image drive CPUs in both modes, but
 * nothing needs that: SDM 10.12.5 asks system software to put every CPU
 * in the same mode, since an x2APIC ID above 255 cannot be named by an
 * xAPIC's 8-bit destination, and Linux too switches the BSP first and has
 * every AP follow it (arch/x86/kernel/apic/apic.c, x2apic_setup()). So the
 * mode is a plain variable written once, before any AP exists, and only
 * read afterwards - no CPU rewrites it.
 */
#include "lapic.h"
#include "console.h"
#include "timer.h"
#include "x86.h"

#define DEFAULT_APIC_BASE 0xfee00000ull
#define CPUID_1_ECX_X2APIC (1u << 21)

static volatile uint32_t *xapic = (volatile uint32_t *)DEFAULT_APIC_BASE;
static bool x2apic;

bool lapic_cpu_has_x2apic(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	return (c & CPUID_1_ECX_X2APIC) != 0;
}

static bool cpu_in_x2apic_mode(void)
{
	return (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC) != 0;
}

void lapic_init_access(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	x2apic = (base & APIC_BASE_X2APIC) != 0;
	xapic = (volatile uint32_t *)(uintptr_t)(base & ~0xfffull);
}

/* 10.12.1: xAPIC -> x2APIC by setting EXTD with EN already set; the
 * reverse is not allowed without disabling the APIC, so a CPU already in
 * x2APIC mode stays there. */
static void switch_to_x2apic_if_offered(void)
{
	if (!cpu_in_x2apic_mode() && lapic_cpu_has_x2apic())
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
}

bool lapic_bsp_enable_x2apic(void)
{
	switch_to_x2apic_if_offered();
	lapic_init_access();
	return x2apic;
}

bool lapic_ap_follow_mode(void)
{
	/* An AP follows its image's BSP (the trampoline already set EXTD when
	 * the image runs in x2APIC mode; this is for a CPU started otherwise).
	 * It only reads the image's mode: it never writes x2apic or xapic. */
	if (x2apic)
		switch_to_x2apic_if_offered();
	return cpu_in_x2apic_mode() == x2apic;
}

const char *lapic_cpu_mode_name(void)
{
	return cpu_in_x2apic_mode() ? "x2apic" : "xapic";
}

void lapic_enable_x2apic_if_available(void)
{
	if (!lapic_ap_follow_mode())
		panic("local APIC in %s mode, but this image's BSP runs in %s mode",
		      cpu_in_x2apic_mode() ? "x2APIC" : "xAPIC", x2apic ? "x2APIC" : "xAPIC");
}

bool lapic_is_x2apic(void)
{
	return x2apic;
}

const char *lapic_mode_name(void)
{
	return x2apic ? "x2apic" : "xapic";
}

uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return xapic[reg / 4];
}

void lapic_write(uint32_t reg, uint32_t value)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), value);
	else
		xapic[reg / 4] = value;
}

struct ap_start_delays ap_start_delays = {10000, 200};

void lapic_use_modern_delays(void)
{
	ap_start_delays = (struct ap_start_delays){0, 10};
}

uint32_t lapic_id(void)
{
	/* 10.4.6: xAPIC ID in bits 31:24; x2APIC ID is the whole register. */
	uint32_t id = lapic_read(LAPIC_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* The ICR trace (include/lapic.h): off while trace is NULL. */
static struct lapic_trace_entry *trace;
static uint32_t trace_max, trace_count; /* trace_count atomic */

void lapic_trace_start(struct lapic_trace_entry *buffer, uint32_t max)
{
	trace_max = max;
	__atomic_store_n(&trace_count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&trace, buffer, __ATOMIC_RELEASE);
}

static void trace_icr(uint32_t apic_id, uint32_t icr_low)
{
	struct lapic_trace_entry *t = __atomic_load_n(&trace, __ATOMIC_ACQUIRE);
	if (!t)
		return;
	uint32_t i = __atomic_fetch_add(&trace_count, 1, __ATOMIC_ACQ_REL);
	if (i < trace_max)
		t[i] = (struct lapic_trace_entry){rdtsc(), lapic_id(), apic_id, icr_low, 0};
}

void lapic_trace_print(void)
{
	const struct lapic_trace_entry *trace_done = __atomic_exchange_n(&trace, NULL,
									 __ATOMIC_ACQ_REL);
	if (!trace_done)
		return;
	uint32_t n = __atomic_load_n(&trace_count, __ATOMIC_ACQUIRE);
	bool dropped = n > trace_max;
	uint32_t kept = dropped ? trace_max : n;
	uint64_t t0 = kept ? trace_done[0].tsc : 0;
	for (uint32_t i = 0; i < kept; i++)
		if (trace_done[i].tsc < t0)
			t0 = trace_done[i].tsc;
	for (uint32_t i = 0; i < kept; i++) {
		const struct lapic_trace_entry *w = &trace_done[i];
		uint32_t mode = w->icr_low & (7u << 8);
		kprintf("icr: %u +%lu us apic %u -> apic %u %s 0x%02x\n", i,
			(unsigned long)(timer_tsc_to_ns(w->tsc - t0) / 1000), w->from, w->to,
			mode == ICR_INIT ? "INIT" : mode == ICR_STARTUP ? "SIPI" : "FIXED",
			w->icr_low & 0xff);
	}
	kprintf("icr: %u writes traced%s\n", n, dropped ? " (the first ones kept)" : "");
}

int lapic_send_icr(uint32_t apic_id, uint32_t icr_low, uint64_t timeout_us)
{
	trace_icr(apic_id, icr_low);
	if (x2apic) {
		/* 10.12.3: x2APIC MSR writes are not serializing; earlier stores
		 * (a status the IPI announces) must be visible first. */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(X2APIC_MSR_ICR, (uint64_t)apic_id << 32 | icr_low);
		return 0;
	}
	/* 10.6.1: write the high half (destination, bits 63:56) first: writing
	 * the low half is what sends the IPI. Two writes: an interrupt handler
	 * that sent an IPI between them would leave its own destination in
	 * the high half, so interrupts are off across both, as in Linux's
	 * default_send_IPI_single_phys() (arch/x86/kernel/apic/ipi.c, v6.1). */
	uint64_t flags = irq_save();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, icr_low);
	irq_restore(flags);
	uint64_t start = timer_ns();
	while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING) {
		if (timer_ns() - start > timeout_us * 1000)
			return -1;
		cpu_relax();
	}
	return 0;
}

uint32_t lapic_timer_calibrate(void)
{
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	mdelay(10);
	uint32_t elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CURRENT);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	return elapsed / 10 ? elapsed / 10 : 1;
}

void lapic_timer_periodic(uint8_t vector, uint32_t ticks_per_ms, uint32_t period_us)
{
	uint64_t ticks = (uint64_t)ticks_per_ms * period_us / 1000;
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INITIAL, ticks ? (uint32_t)ticks : 1);
}
