/*
 * params.c - the parameter page's checks (include/params.h).
 *
 * Runs once, on the BSP, in sidecar_start() (kernel/start.c), on the
 * sidecar's own copy of the page; and on the host in the unit tests.
 *
 * A check written as "a + b > limit" is no check when a + b can wrap: with
 * first_cpu = 0xffffffff and cpu_count = 2 the 32-bit sum is 1, which passes,
 * and every later cpus[first_cpu + i] is out of bounds. So each sum below is
 * written as a subtraction from the limit, after the operand subtracted is
 * known to be no larger (C11 6.2.5p9: unsigned arithmetic wraps modulo 2^n).
 */
#include "params.h"
#include "x86.h"


/* Is [base, base + size) a page-aligned range that ends at or below limit,
 * without base + size wrapping? */
static bool range_fits(uint64_t base, uint64_t size, uint64_t limit)
{
	return (base & (PAGE_SIZE - 1)) == 0 && base <= limit && size <= limit - base;
}

static int check_node(const struct sidecar_params *p, uint32_t n, struct diag *d)
{
	const struct sidecar_param_node *node = &p->nodes[n];
	uint32_t started = 0;

	/* first_cpu + cpu_count <= p->cpu_count, without the 32-bit sum. */
	if (node->first_cpu > p->cpu_count || node->cpu_count > p->cpu_count - node->first_cpu)
		return diag_fail(d, E_RANGE,
				 "params: node %u: CPUs from %u, %u of them, run past cpu_count %u",
				 n, node->first_cpu, node->cpu_count, p->cpu_count);
	/* Bounds the products in SIDECAR_NODE_BYTES() below: at most 1008 CPUs. */
	if (node->cpu_count > SIDECAR_CONTROL_MAX_CPUS)
		return diag_fail(d, E_RANGE, "params: node %u has %u CPUs; its control page holds at most %u",
				 n, node->cpu_count, (unsigned)SIDECAR_CONTROL_MAX_CPUS);
	for (uint32_t i = 0; i < node->cpu_count; i++) {
		const struct sidecar_param_cpu *cpu = &p->cpus[node->first_cpu + i];
		if (cpu->node != n)
			return diag_fail(d, E_INVAL, "params: cpu %u is listed in node %u but says node %u",
					 node->first_cpu + i, n, cpu->node);
		started += cpu->start != 0;
	}
	if (!started)
		return 0; /* the sidecar lays out no memory for this node */
	uint64_t need = SIDECAR_NODE_BYTES(node->cpu_count, started);
	if (node->memory_size < need)
		return diag_fail(d, E_RANGE, "params: node %u: %lu bytes of memory for %u CPUs, need %lu",
				 n, (unsigned long)node->memory_size, started, (unsigned long)need);
	/* 1 MiB <= memory_base, memory_base + need <= 128 TiB, without the sum. */
	if (node->memory_base < SIDECAR_NODE_MEMORY_FLOOR ||
	    !range_fits(node->memory_base, need, SIDECAR_NODE_MEMORY_LIMIT))
		return diag_fail(d, E_RANGE,
				 "params: node %u: memory at 0x%lx (0x%lx bytes) is not whole pages "
				 "between 1 MiB and 128 TiB", n, (unsigned long)node->memory_base,
				 (unsigned long)need);
	return 0;
}

int sidecar_params_check_output(const struct sidecar_params *p, struct diag *d)
{
	/* output_page + 21 pages <= 4 GiB, without the 64-bit sum. */
	if (p->output_page == 0 ||
	    !range_fits(p->output_page, SIDECAR_OUTPUT_PAGES * PAGE_SIZE, SIDECAR_OUTPUT_LIMIT))
		return diag_fail(d, E_RANGE, "params: output page 0x%lx (%u pages) is not whole pages "
				 "below 4 GiB", (unsigned long)p->output_page, SIDECAR_OUTPUT_PAGES);
	return 0;
}

int sidecar_params_check(const struct sidecar_params *p, struct diag *d)
{
	int r = sidecar_params_check_output(p, d);
	if (r)
		return r;
	if (p->abi_version != SIDECAR_ABI_VERSION)
		return diag_fail(d, E_UNSUPPORTED, "params: ABI version %u, expected %u",
				 p->abi_version, SIDECAR_ABI_VERSION);
	if (p->node_count == 0 || p->node_count > SIDECAR_MAX_NODES)
		return diag_fail(d, E_RANGE, "params: node_count %u out of range 1..%d", p->node_count,
				 SIDECAR_MAX_NODES);
	if (p->cpu_count == 0 || p->cpu_count > SIDECAR_MAX_CPUS)
		return diag_fail(d, E_RANGE, "params: cpu_count %u out of range 1..%d", p->cpu_count,
				 SIDECAR_MAX_CPUS);
	if (p->trampoline_page & (PAGE_SIZE - 1) || p->trampoline_page == 0 ||
	    p->trampoline_page >= 0x100000)
		return diag_fail(d, E_RANGE, "params: trampoline page 0x%lx is not a page below 1 MiB",
				 (unsigned long)p->trampoline_page);
	if (p->tsc_khz == 0 || p->start_timeout_us == 0)
		return diag_fail(d, E_INVAL, "params: tsc_khz %lu and start_timeout_us %lu must be set",
				 (unsigned long)p->tsc_khz, (unsigned long)p->start_timeout_us);
	if (p->tsc_khz > SIDECAR_MAX_TSC_KHZ)
		return diag_fail(d, E_RANGE, "params: tsc_khz %lu is more than %llu (100 GHz)",
				 (unsigned long)p->tsc_khz, SIDECAR_MAX_TSC_KHZ);
	/* start_timeout_us * 1000 (ns) and 4 times that must not wrap. */
	if (p->start_timeout_us > SIDECAR_MAX_START_TIMEOUT_US)
		return diag_fail(d, E_RANGE, "params: start_timeout_us %lu is more than %llu",
				 (unsigned long)p->start_timeout_us, SIDECAR_MAX_START_TIMEOUT_US);
	for (uint32_t n = 0; n < p->node_count; n++) {
		r = check_node(p, n, d);
		if (r)
			return r;
	}
	return 0;
}
