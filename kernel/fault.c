/*
 * fault.c - what a sidecar CPU does when it touches memory it does not own,
 * and the test command that makes it do so on purpose.
 *
 * Runs on one sidecar CPU, in ring 0, after it moved to its own page tables
 * (kernel/paging.c): they map only what the CPU uses, so a write through a
 * corrupted pointer - into another CPU's stack, the main kernel, the shim's
 * parameter page - is a page fault (SDM vol. 3A 4.7, "Page-Fault
 * Exceptions": CR2 holds the linear address, error code bit 1 says write)
 * instead of silent damage. The fault costs that CPU only: it says what it
 * hit, in the console and in its command page, stores FAILED in its node's
 * control page, tells the client as a finished command would (lab 3's
 * attention flag and response IPI), and parks with interrupts off. Every
 * other CPU keeps serving.
 *
 * SIDECAR_CMD_TEST_TRESPASS exists to prove it (tests/hardening_tests.py).
 * Only a shim given `test_commands` sets SIDECAR_TEST_COMMANDS; without it
 * the command is refused with an error, as any unknown command is.
 */
#include "fault.h"
#include "console.h"
#include "lapic.h"
#include "paging.h"
#include "percpu.h"
#include "start.h"
#include "x86.h"

#define TRESPASS_VALUE 0x5452455350415353ull /* "SSAPSERT" */

static bool within(uint64_t a, uint64_t base, uint64_t size)
{
	return a >= base && a - base < size;
}

/* Name what owns address a, from the sidecar's own records (its copy of
 * the parameter page and the node layout of include/sidecar.h). */
static void describe(uint64_t a, char *out, size_t len)
{
	if (within(a, params_page, SIDECAR_PARAM_PAGES * PAGE_SIZE)) {
		fmt_snprintf(out, len, "the shim's parameter page");
		return;
	}
	if (within(a, params->output_page, SIDECAR_OUTPUT_PAGES * PAGE_SIZE)) {
		fmt_snprintf(out, len, "the sidecar's output page");
		return;
	}
	if (within(a, params->trampoline_page, PAGE_SIZE)) {
		fmt_snprintf(out, len, "the AP trampoline");
		return;
	}
	if (within(a, SIDECAR_IMAGE_BASE, SIDECAR_IMAGE_MAX)) {
		fmt_snprintf(out, len, "the sidecar image (not writable there)");
		return;
	}
	for (uint32_t n = 0; n < params->node_count; n++) {
		const struct sidecar_param_node *pn = &params->nodes[n];
		if (!pn->memory_size || !within(a, pn->memory_base, pn->memory_size))
			continue;
		uint64_t off = a - pn->memory_base;
		uint64_t commands = PAGE_SIZE * (1 + (uint64_t)pn->cpu_count);
		if (off < PAGE_SIZE) {
			fmt_snprintf(out, len, "node %u's control page", n);
		} else if (off < commands) {
			fmt_snprintf(out, len, "cpu %lu's command page",
				     (unsigned long)(pn->first_cpu + off / PAGE_SIZE - 1));
		} else {
			uint64_t k = (off - commands) / (SIDECAR_PRIVATE_PAGES * PAGE_SIZE);
			uint64_t in = (off - commands) % (SIDECAR_PRIVATE_PAGES * PAGE_SIZE);
			/* the k-th CPU of the node that the sidecar started */
			uint32_t cpu = pn->first_cpu, seen = 0;
			for (uint32_t i = 0; i < pn->cpu_count; i++)
				if (params->cpus[pn->first_cpu + i].start && seen++ == k)
					cpu = pn->first_cpu + i;
			fmt_snprintf(out, len, "cpu %u's %s", cpu,
				     in < SIDECAR_STACK_PAGES * PAGE_SIZE ? "stack" : "page tables");
		}
		return;
	}
	fmt_snprintf(out, len, "memory the sidecar does not own: the main kernel's");
}

/* Tell the client, as ipi_acknowledge() does for a finished command. */
static void report_failed(struct percpu *pc)
{
	struct sidecar_control *c = pc->control;
	__atomic_store_n(&c->cpu_status[pc->slot], CPU_STATUS_FAILED, __ATOMIC_RELEASE);
	__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);
	uint32_t vector = __atomic_load_n(&c->response_vector, __ATOMIC_ACQUIRE);
	if (vector >= 32 && vector <= 0xff)
		lapic_send_icr(__atomic_load_n(&c->response_cpu, __ATOMIC_ACQUIRE),
			       ICR_FIXED | vector, ICR_DELIVERY_TIMEOUT_US);
}

void fault_contain(struct percpu *pc, uint64_t address, uint64_t rip, bool write)
{
	char what[80];
	__asm__ volatile("cli" ::: "memory");
	describe(address, what, sizeof(what));
	kprintf("sidecar: cpu %u page fault %s 0x%lx (%s) at rip 0x%lx: not mapped for it; "
		"cpu %u marked failed\n", pc->cpu, write ? "writing" : "reading",
		(unsigned long)address, what, (unsigned long)rip, pc->cpu);
	struct sidecar_command_page *page = pc->command;
	page->error = 1;
	fmt_snprintf(page->error_text, sizeof(page->error_text),
		     "page fault %s 0x%lx (%s): cpu failed", write ? "writing" : "reading",
		     (unsigned long)address, what);
	__atomic_add_fetch(&page->completed, 1, __ATOMIC_RELAXED);
	report_failed(pc);
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* Another started sidecar CPU's stack: the word just below its top, as the
 * boot tables saw it (its physical address). 0 if there is no other CPU. */
static uint64_t other_stack(const struct percpu *pc)
{
	for (uint32_t n = 0; n < params->node_count; n++)
		for (uint32_t i = 0; i < nodes[n].count; i++) {
			uint64_t other = (uint64_t)nodes[n].cpus[i]; /* a physical address */
			if (other != pc->boot_self)
				return other - 64; /* the struct sits at its stack's top */
		}
	return 0;
}

int fault_trespass_command(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	struct sidecar_trespass t = page->request.trespass; /* one copy */
	uint64_t a;
	if (!(params->flags & SIDECAR_TEST_COMMANDS))
		return diag_fail(d, E_UNSUPPORTED, "test commands are off (shim option test_commands)");
	switch (t.target) {
	case TRESPASS_OTHER_STACK:
		a = other_stack(pc);
		break;
	case TRESPASS_MAIN_KERNEL:
		a = t.address;
		break;
	case TRESPASS_PARAMS:
		a = params_page;
		break;
	default:
		return diag_fail(d, E_INVAL, "trespass target %u unknown", t.target);
	}
	if (a == 0 || a % 8)
		return diag_fail(d, E_INVAL, "trespass address 0x%lx is not an aligned address",
				 (unsigned long)a);
	/* Never where this CPU does map something (it would not fault, and it
	 * would damage what is there), never non-canonical (a #GP, not a #PF). */
	if (within(a, SIDECAR_IMAGE_BASE, SIDECAR_IMAGE_MAX) || paging_window_holds(a) ||
	    (a >> 47) != 0)
		return diag_fail(d, E_RANGE, "trespass address 0x%lx is mapped here or not canonical",
				 (unsigned long)a);
	if (!pc->own_tables)
		return diag_fail(d, E_UNSUPPORTED, "this CPU is not on its own page tables");
	*(volatile uint64_t *)a = TRESPASS_VALUE; /* faults: fault_contain() never returns */
	return diag_fail(d, E_RANGE, "wrote 0x%lx without a page fault: this CPU maps it",
			 (unsigned long)a);
}
