/*
 * start.c - the sidecar kernel's BSP entry: from the shim's call to every
 * sidecar CPU idle.
 *
 * Runs once, on the BSP, inside the shim's environment (its page tables,
 * GDT, IDT and stack), and returns to the shim. In order:
 *   1. copy the parameter page into the sidecar's own memory and check the
 *      copy (never trust shared memory, not even the shim's): from here on
 *      every CPU reads only the copy, never the shim's page again,
 *   2. lay out each node's memory block: control page, command pages,
 *      per-CPU pages (include/sidecar.h),
 *   3. build the page tables the APs will use, copy the trampoline below
 *      1 MiB and fill in its data block (include/trampoline.h),
 *   4. start the first CPU of every node, all together; each AP then helps
 *      start the rest of its node, then of the others (fan-out, lab 1), and
 *      so does the BSP,
 *   5. wait until every CPU is IDLE or FAILED - with a deadline, so a CPU
 *      that hangs half-way cannot hang the boot - and report.
 */
#include "start.h"
#include "ap.h"
#include "boot_tables.h"
#include "console.h"
#include "fpu.h"
#include "halt.h"
#include "lab_sidecar.h"
#include "lapic.h"
#include "paging.h"
#include "params.h"
#include "percpu.h"
#include "protect.h"
#include "timer.h"
#include "trampoline_blob.h"
#include "x86.h"

const char image_name[] = "sidecar";

/* The sidecar's one copy of the parameter page, taken once by the BSP
 * before anything reads it; read-only afterwards. After bring-up no CPU
 * maps the shim's page at all (kernel/paging.c). */
static struct sidecar_params params_copy;
const struct sidecar_params *params = &params_copy;
uint64_t params_page;
struct sidecar_output *output;
struct node nodes[SIDECAR_MAX_NODES];
/* Every node's sidecar CPUs, node after node; node n's are nodes[n].cpus. */
static struct percpu *node_cpus[SIDECAR_MAX_CPUS];

static struct ap_slot slots[SIDECAR_MAX_CPUS];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(output->error, sizeof(output->error), fmt, ap);
	va_end(ap);
	return -1;
}

void sidecar_log(const char *fmt, ...)
{
	if (!(params->flags & SIDECAR_LOG))
		return;
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

/* 2. A node's block: control | command pages | per sidecar CPU its stack
 * pages (struct percpu at the top) and its page-table pages. */
static uint32_t layout_node(uint32_t n)
{
	const struct sidecar_param_node *pn = &params->nodes[n];
	struct node *node = &nodes[n];
	uint8_t *block = (uint8_t *)pn->memory_base;
	uint8_t *private = block + SIDECAR_PAGE * (1 + (uint64_t)pn->cpu_count);

	node->index = n;
	node->count = 0;
	node->next_slot = 0;
	node->control = (struct sidecar_control *)block;
	node->cpus = &node_cpus[pn->first_cpu]; /* at most cpu_count of them */
	memset(block, 0, SIDECAR_PAGE * (1 + (uint64_t)pn->cpu_count));
	node->control->index = n;
	node->control->base_cpu = pn->first_cpu;
	node->control->cpu_count = pn->cpu_count;
	node->control->request_vector = SIDECAR_REQUEST_VECTOR;

	output->nodes[n] = (struct sidecar_output_node){
		.control_page = (uint64_t)block,
		.command_pages = (uint64_t)block + SIDECAR_PAGE,
		.cpu_count = pn->cpu_count,
	};

	for (uint32_t slot = 0; slot < pn->cpu_count; slot++) {
		uint32_t cpu = pn->first_cpu + slot;
		output->cpus[cpu].apic_id = params->cpus[cpu].apic_id;
		output->cpus[cpu].node = (uint16_t)n;
		output->cpus[cpu].slot = (uint16_t)slot;
		output->cpus[cpu].sidecar = params->cpus[cpu].start != 0;
		if (!params->cpus[cpu].start)
			continue;
		memset(private, 0, SIDECAR_PRIVATE_PAGES * SIDECAR_PAGE);
		uint8_t *stack_end = private + SIDECAR_STACK_PAGES * SIDECAR_PAGE;
		struct percpu *pc = (struct percpu *)(stack_end - ALIGN_UP(sizeof(struct percpu), 64));
		*pc = (struct percpu){
			.self = pc,
			.cpu = cpu,
			.apic_id = params->cpus[cpu].apic_id,
			.node = n,
			.slot = slot,
			.stack_top = (uint64_t)pc,
			.node_state = node,
			.control = node->control,
			.command = (void *)(block + SIDECAR_PAGE * (1 + (uint64_t)slot)),
			.idt = sidecar_idt,
		};
		node->cpus[node->count++] = pc;
		private += SIDECAR_PRIVATE_PAGES * SIDECAR_PAGE;
	}
	return node->count;
}

/* 3. The trampoline: copy, check, relocate, and give it the lookup table. */
static int install_trampoline(uint64_t cr3, uint32_t nslots)
{
	size_t size = trampoline_blob_end - trampoline_blob;
	if (trampoline_install(params->trampoline_page, trampoline_blob, size, (uint32_t)cr3,
			       (uint64_t)slots, nslots, (uint64_t)ap_main,
			       lapic_is_x2apic() ? TRAMPOLINE_X2APIC : 0))
		return fail("trampoline (%zu bytes) is not a page with the TRMP data block of "
			    "trampoline.asm", size);
	return 0;
}

/* A CPU not started yet, or still starting, will never run: the same
 * compare-and-swap as in ap_start_and_wait() decides, so a CPU that comes up
 * late parks instead of being counted twice. One already UP is left alone:
 * it will reach IDLE. */
static void give_up_on(struct percpu *pc)
{
	uint32_t state = __atomic_load_n(&pc->boot_state, __ATOMIC_ACQUIRE);
	while (state == AP_NOT_STARTED || state == AP_STARTING) {
		if (__atomic_compare_exchange_n(&pc->boot_state, &state, AP_FAILED, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&pc->control->cpu_status[pc->slot], CPU_STATUS_FAILED,
					 __ATOMIC_RELEASE);
			__atomic_add_fetch(&output->failed, 1, __ATOMIC_ACQ_REL);
			return;
		}
	}
}

/* How long the BSP waits for the whole bring-up: four AP timeouts (a CPU
 * that times out is one, its starter's own start another, nested fan-out
 * the rest) and this much for the CPUs' set-up after they check in. */
#define BRINGUP_SLACK_NS 5000000000ull

/* 5. Every CPU IDLE or FAILED, or the deadline passed. */
static void wait_for_all(uint32_t total)
{
	uint64_t deadline_ns = 4 * params->start_timeout_us * 1000 + BRINGUP_SLACK_NS;
	uint64_t start = timer_ns();
	while (__atomic_load_n(&output->started, __ATOMIC_ACQUIRE) +
		       __atomic_load_n(&output->failed, __ATOMIC_ACQUIRE) <
	       total) {
		if (timer_ns() - start > deadline_ns) {
			kprintf("sidecar: bring-up deadline passed; marking stragglers failed\n");
			for (uint32_t n = 0; n < params->node_count; n++)
				for (uint32_t i = 0; i < nodes[n].count; i++)
					give_up_on(nodes[n].cpus[i]);
			return;
		}
		cpu_relax();
	}
}

static int start_on_boot_tables(void);

int sidecar_start(const struct sidecar_params *shim_params)
{
	uint64_t start_tsc = rdtsc();
	struct diag d = {""};
	/* 1. One copy; shim_params is not read again, here or anywhere. */
	params_page = (uint64_t)shim_params;
	memcpy(&params_copy, shim_params, sizeof(params_copy));
	if (sidecar_params_check_output(params, &d))
		return -1; /* no page to explain it in */
	output = (struct sidecar_output *)params->output_page;
	memset(output, 0, sizeof(*output));
	output->start_tsc = start_tsc;
	if (sidecar_params_check(params, &d))
		return fail("%s", d.msg);
	/* The boot tables reach node memory above 4 GiB, which the shim's do
	 * not; the shim gets its own tables back before we return. */
	uint64_t boot_cr3, shim_cr3 = read_cr3();
	protect_probe();
	if (paging_build(params, &boot_cr3))
		return fail("node memory above 4 GiB needs more page tables than the boot tables keep");
	write_cr3(boot_cr3);
	int r = start_on_boot_tables();
	write_cr3(shim_cr3);
	return r;
}

uint32_t sidecar_bsp_apic_id;

static int start_on_boot_tables(void)
{
	timer_set_tsc_khz(params->tsc_khz);
	lapic_init_access();
	sidecar_bsp_apic_id = lapic_id();
	if (params->flags & SIDECAR_MODERN_DELAYS)
		lapic_use_modern_delays();
	if (params->flags & SIDECAR_TRACE_ICR) {
		/* Every IPI of the bring-up, for lab 1's tests of the recipe: 3
		 * per AP, and the wake-ups of sleeping starters. */
		static struct lapic_trace_entry icr_trace[4096];
		lapic_trace_start(icr_trace, ARRAY_SIZE(icr_trace));
	}
	if (params->flags & SIDECAR_RACE_WINDOWS)
		safe_halt_window_tsc = params->tsc_khz; /* 1 ms */
	sleep_init();
	fpu_probe(); /* protect_probe() ran before the boot tables */

	uint32_t total = 0;
	for (uint32_t n = 0; n < params->node_count; n++) {
		uint32_t count = layout_node(n);
		for (uint32_t i = 0; i < count; i++) {
			struct percpu *pc = nodes[n].cpus[i];
			slots[total++] = (struct ap_slot){pc->apic_id, 0, pc->stack_top,
							  (uint64_t)pc};
		}
	}
	output->node_count = params->node_count;
	output->cpu_count = params->cpu_count;
	output->bytes_per_cpu = SIDECAR_BYTES_PER_CPU;
	output->page_table_bytes_per_cpu = SIDECAR_PAGE_TABLE_PAGES * SIDECAR_PAGE;
	if (install_trampoline(read_cr3(), total))
		return -1;

	/* 4. Every node's first CPU at once, with one INIT-SIPI-SIPI round, so
	 * that the nodes start together; then the BSP helps like any AP. */
	static struct percpu *firsts[SIDECAR_MAX_NODES];
	uint32_t nfirsts = 0;
	for (uint32_t n = 0; n < params->node_count; n++) {
		uint32_t slot = __atomic_fetch_add(&nodes[n].next_slot, 1, __ATOMIC_ACQ_REL);
		if (slot < nodes[n].count)
			firsts[nfirsts++] = nodes[n].cpus[slot];
	}
	if (params->flags & SIDECAR_SERIAL_START)
		for (uint32_t i = 0; i < nfirsts; i++) /* for comparison: one at a time */
			ap_start_and_wait(firsts[i]);
	else
		ap_start_all_and_wait(firsts, nfirsts);
	fanout_help(NULL);
	wait_for_all(total);
	output->done_tsc = rdtsc();
	if (params->flags & SIDECAR_TRACE_ICR)
		lapic_trace_print();
	kprintf("sidecar: guests run in ring 3; paging protections on: %s\n", protect_summary());
	if (params->flags & SIDECAR_LOG)
		fpu_print_summary();
	return 0;
}
