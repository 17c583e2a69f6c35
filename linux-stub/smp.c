/*
 * smp.c - linux-stub on more than one CPU.
 *
 * With the sidecar on a NUMA machine, the main kernel keeps one CPU per node
 * (lab 5's policy): linux-stub starts those itself, as Linux starts its CPUs,
 * with INIT-SIPI-SIPI (lab 1's ap_send_init_sipi) to the same trampoline the
 * sidecar uses (lab 1's), given linux-stub's own page tables, stacks and
 * entry point. Each of those CPUs then serves its node:
 *   - it is the node's response CPU: the node's sidecar CPUs send their
 *     response IPIs to it (include/sidecar.h, response_cpu/vector);
 *   - it runs the monitor's work for that node's CPUs (run, regs, gva,
 *     wake), handed over by the BSP through a one-slot mailbox and a work IPI
 *     (lab 3's labs/03-ipi/mailbox.c).
 * Between jobs it halts; a 100 Hz local APIC timer lets every wait check its
 * deadline while halted. In lab 6 the same path takes over CPUs that leave
 * the sidecar.
 */
#include "smp.h"
#include "asm.h"
#include "cmdline.h"
#include "console.h"
#include "halt.h"
#include "irq_eoi.h"
#include "lab_stub.h"
#include "lapic.h"
#include "memory.h"
#include "paging.h"
#include "sidecar.h"
#include "stub.h"
#include "timer.h"
#include "boot_tables.h"
#include "trap.h"
#include "x86.h"

#define STUB_STACK_PAGES 4
#define AP_START_TIMEOUT_NS 1000000000ull
#define WORK_TIMEOUT_NS 700000000000ull /* longer than the longest run (600 s) */
#define TICK_US 10000

struct stub_cpu {
	struct stub_cpu *self;
	uint64_t responses; /* response IPIs taken (linux-stub/irq.asm: offset 8) */
	uint32_t cpu, apic_id, node;
	uint32_t online; /* atomic */
	uint64_t stack_top;
	struct mailbox mailbox; /* the BSP's work for this CPU (lab 3) */
};

static struct stub_cpu cpu_info[MAX_CPUS];
static struct ap_slot slots[MAX_CPUS];
static uint32_t nslots;
static uint64_t trampoline_page;
static uint32_t ticks_per_ms;

uint64_t stub_spurious_count;
static void stub_ap_main(struct stub_cpu *c);

static struct stub_cpu *self(void)
{
	struct stub_cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

_Static_assert(__builtin_offsetof(struct stub_cpu, responses) == 8, "irq.asm");

uint64_t smp_responses(void)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < MAX_CPUS; i++)
		sum += __atomic_load_n(&cpu_info[i].responses, __ATOMIC_RELAXED);
	return sum;
}

uint32_t smp_this_cpu(void)
{
	return self()->cpu;
}

/* A usable page below 1 MiB for our copy of the trampoline (the sidecar's
 * is marked reserved in the e820 map, so it cannot be chosen). */
static uint64_t find_low_page(void)
{
	for (uint32_t i = 0; i < stub.params.e820_entries; i++) {
		const struct e820_entry *e = &stub.params.e820_table[i];
		if (e->type != E820_RAM)
			continue;
		uint64_t p = ALIGN_UP(e->addr < 0x1000 ? 0x1000 : e->addr, 4096);
		if (p + 4096 <= e->addr + e->size && p + 4096 <= 0x100000)
			return p;
	}
	return 0;
}

static void enable_lapic(void)
{
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | STUB_SPURIOUS_VECTOR);
}

/* The 8259 interrupt controllers: the BIOS leaves them delivering the PIT's
 * IRQ 0 at vector 8, which would look like a double fault once we enable
 * interrupts. We use the local APIC only, so mask every line (OCW1). */
static void mask_8259(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void smp_init(void)
{
	mask_8259();
	struct stub_cpu *bsp = &cpu_info[stub.bsp];
	*bsp = (struct stub_cpu){.self = bsp, .cpu = stub.bsp,
				 .apic_id = stub.machine.cpus[stub.bsp].apic_id,
				 .node = stub.machine.cpus[stub.bsp].node, .online = 1};
	wrmsr(MSR_GS_BASE, (uint64_t)bsp);
	idt_set_gate(trap_idt(), STUB_WORK_VECTOR, irq_eoi_entry);
	idt_set_gate(trap_idt(), STUB_RESPONSE_VECTOR, stub_irq_response);
	idt_set_gate(trap_idt(), STUB_TIMER_VECTOR, irq_eoi_entry);
	/* The vector enable_lapic() names in the SVR needs its gate before any
	 * CPU of ours enables interrupts: without one a spurious interrupt
	 * would be a #NP and a panic. */
	idt_set_gate(trap_idt(), STUB_SPURIOUS_VECTOR, stub_irq_spurious);
	enable_lapic();
	ticks_per_ms = lapic_timer_calibrate();

	/* Our APs' mode is ours: the trampoline switches them to x2APIC when we
	 * run in it. The test option stub.test_ap_x2apic has it do so always,
	 * which, with the shim's xapic, gives every AP a mode that is not ours. */
	struct cmdline_param test;
	uint32_t flags = lapic_is_x2apic() ? TRAMPOLINE_X2APIC : 0;
	if (cmdline_find(stub.cmdline, "stub.test_ap_x2apic", &test)) {
		kprintf("linux-stub: test: its APs start in x2APIC mode, linux-stub runs in %s\n",
			lapic_mode_name());
		flags = TRAMPOLINE_X2APIC;
	}
	trampoline_page = find_low_page();
	if (trampoline_page &&
	    trampoline_install(trampoline_page, stub_trampoline, stub_trampoline_end - stub_trampoline,
			       (uint32_t)paging_root(), (uint64_t)slots, 0, (uint64_t)stub_ap_main,
			       flags)) {
		kprintf("linux-stub: warning: the trampoline is not usable\n");
		trampoline_page = 0;
	}
}

int smp_start_cpu(uint32_t cpu)
{
	if (!trampoline_page)
		return kprintf("error: linux-stub has no trampoline page below 1 MiB\n"), -1;
	struct stub_cpu *c = &cpu_info[cpu];
	uint8_t *stack = c->stack_top ? NULL : stub_alloc_pages(STUB_STACK_PAGES);
	if (!c->stack_top && !stack)
		return kprintf("error: no memory for cpu %u's stack\n", cpu), -1;
	*c = (struct stub_cpu){.self = c, .cpu = cpu, .apic_id = stub.machine.cpus[cpu].apic_id,
			       .node = stub.machine.cpus[cpu].node,
			       .stack_top = c->stack_top ? c->stack_top
							 : (uint64_t)stack + STUB_STACK_PAGES * 4096};

	/* Publish the slot before the count that makes the trampoline see it. */
	struct trampoline_data *t = (void *)trampoline_page;
	uint32_t i;
	for (i = 0; i < nslots && slots[i].apic_id != c->apic_id; i++)
		;
	slots[i] = (struct ap_slot){c->apic_id, 0, c->stack_top, (uint64_t)c};
	if (i == nslots)
		__atomic_store_n(&t->slot_count, ++nslots, __ATOMIC_RELEASE);

	if (ap_send_init_sipi(c->apic_id, trampoline_page))
		return kprintf("error: INIT-SIPI-SIPI to cpu %u was not delivered\n", cpu), -1;
	uint64_t start = timer_ns();
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (timer_ns() - start > AP_START_TIMEOUT_NS)
			return kprintf("error: cpu %u (apic %u) did not start\n", cpu, c->apic_id), -1;
		cpu_relax();
	}
	stub.state[cpu] = CPU_LINUX;
	return 0;
}

static void stub_ap_main(struct stub_cpu *c)
{
	/* Our GDT (same selectors as the trampoline's), our IDT, our GS. */
	__asm__ volatile("lgdt (%0)" : : "r"(gdt_ptr) : "memory");
	trap_load();
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	/* Follow the BSP's mode (the trampoline did); a CPU that cannot is
	 * this CPU's error, not the machine's: it says so and stays offline,
	 * and smp_start_cpu() reports it did not start. */
	if (!lapic_ap_follow_mode()) {
		kprintf("linux-stub: cpu %u apic %u: local APIC in %s mode, but linux-stub runs in "
			"%s mode (one mode per image): this CPU stays offline\n", c->cpu, c->apic_id,
			lapic_cpu_mode_name(), lapic_mode_name());
		for (;;) {
			cli();
			hlt();
		}
	}
	enable_lapic();
	lapic_timer_periodic(STUB_TIMER_VECTOR, ticks_per_ms, TICK_US);
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);

	mailbox_serve(&c->mailbox); /* lab 3 */
}

void smp_wait(void)
{
	/* On an AP: sleep until an interrupt (a response, work, or the tick).
	 * The BSP has no tick and also watches the serial port: it spins. */
	if (self()->cpu == stub.bsp)
		cpu_relax();
	else
		safe_halt();
}

/* Runs fn at once when cpu is this CPU or not one of our running CPUs. */
int smp_post(uint32_t cpu, void (*fn)(void *), void *arg)
{
	struct stub_cpu *c = &cpu_info[cpu];
	if (cpu == self()->cpu || !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		fn(arg);
		return 0;
	}
	int r = mailbox_post(&c->mailbox, c->apic_id, STUB_WORK_VECTOR, fn, arg); /* lab 3 */
	if (r < 0)
		return kprintf("error: cpu %u cannot take work: its last work is not done\n", cpu),
		       -1;
	if (r > 0)
		kprintf("linux-stub: warning: the work IPI to cpu %u failed; its tick will start "
			"the work\n", cpu);
	return 0;
}

int smp_join(uint32_t cpu)
{
	if (mailbox_join(&cpu_info[cpu].mailbox, timer_ns() + WORK_TIMEOUT_NS)) /* lab 3 */
		return kprintf("error: cpu %u did not finish its work\n", cpu), -1;
	return 0;
}

int smp_run_on(uint32_t cpu, void (*fn)(void *), void *arg)
{
	int r = smp_post(cpu, fn, arg);
	return r ? r : smp_join(cpu);
}

void smp_sleep_ms(uint64_t ms)
{
	uint64_t end = timer_ns() + ms * 1000000;
	bool bsp = self()->cpu == stub.bsp;
	if (bsp) /* our APs tick all the time; the BSP only while it sleeps */
		lapic_timer_periodic(STUB_TIMER_VECTOR, ticks_per_ms, TICK_US);
	for (;;) {
		cli();
		if (timer_ns() >= end)
			break;
		safe_halt();
	}
	if (bsp)
		lapic_write(LAPIC_TIMER_INITIAL, 0); /* stop the tick */
}

/* spurious: take the spurious vector through its gate on this CPU, as the
 * APIC would deliver it (int 0xff reaches the same gate; like a real
 * spurious interrupt it sets no in-service bit, so none must be ended), then
 * show the count, and that this CPU's APIC still has nothing in service. */
int cmd_spurious(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return kprintf("error: usage: spurious\n"), -1;
	uint64_t before = __atomic_load_n(&stub_spurious_count, __ATOMIC_RELAXED);
	__asm__ volatile("int $0xff" ::: "memory");
	uint64_t after = __atomic_load_n(&stub_spurious_count, __ATOMIC_RELAXED);
	uint32_t svr = lapic_read(LAPIC_SVR), in_service = lapic_read(LAPIC_ISR_LAST);
	kprintf("spurious: cpu %u took vector 0x%x through its gate (%lu so far); "
		"in service at 0xe0-0xff: 0x%x\n", smp_this_cpu(), svr & 0xff,
		(unsigned long)after, in_service);
	return after == before + 1 && (svr & 0xff) == STUB_SPURIOUS_VECTOR ? 0 : -1;
}
