/*
 * machine.c - turning the MADT and SRAT into a list of CPUs and nodes.
 *
 * ACPI proximity domains are arbitrary 32-bit numbers; the system numbers its
 * nodes densely from 0 in increasing proximity order, as Linux does for the
 * common case. A CPU the SRAT does not mention goes to node 0 (Linux does the
 * same for CPUs without affinity). No SRAT at all means one node.
 */
#include "machine.h"

static int add_cpu(const struct madt_cpu *c, void *ctx)
{
	struct machine *m = ctx;
	/* ACPI 5.2.12.12: IDs below 255 may appear both as Local APIC and as
	 * Local x2APIC structures; the same processor counts once. */
	/* 5.2.12.2: a Local APIC ID of 0xff is the xAPIC broadcast address, no
	 * processor's: an IPI sent to it would reach every CPU. */
	bool broadcast = !c->x2apic && c->apic_id == 0xff;
	if (broadcast || machine_cpu_index(m, c->apic_id) >= 0 || m->ncpus == MAX_CPUS) {
		m->skipped_cpus++;
		return 0;
	}
	m->cpus[m->ncpus++] = (struct machine_cpu){
		.apic_id = c->apic_id, .processor_uid = c->processor_uid, .x2apic = c->x2apic};
	return 0;
}

struct srat_ctx {
	struct machine *m;
	struct diag *d;
	uint32_t cpu_pxm[MAX_CPUS];
	bool cpu_has_pxm[MAX_CPUS];
	uint32_t mem_pxm[MAX_NODE_MEMORY];
	uint32_t npxm;
	uint32_t pxm[MAX_NODES];
};

static int note_pxm(struct srat_ctx *s, uint32_t pxm)
{
	for (uint32_t i = 0; i < s->npxm; i++)
		if (s->pxm[i] == pxm)
			return 0;
	if (s->npxm == MAX_NODES)
		return diag_fail(s->d, E_RANGE, "acpi: SRAT has more than %d proximity domains",
				 MAX_NODES);
	s->pxm[s->npxm++] = pxm;
	return 0;
}

static int srat_cpu(void *ctx, uint32_t apic_id, uint32_t pxm)
{
	struct srat_ctx *s = ctx;
	int i = machine_cpu_index(s->m, apic_id);
	if (i < 0) {
		/* A CPU the MADT does not enable: nothing to place (counted, so the
		 * shim can say so; its domain makes no node). */
		if (s->m->srat_unknown_cpus++ == 0)
			s->m->srat_unknown_apic_id = apic_id;
		return 0;
	}
	s->cpu_pxm[i] = pxm;
	s->cpu_has_pxm[i] = true;
	return note_pxm(s, pxm);
}

static int srat_memory(void *ctx, uint64_t base, uint64_t length, uint32_t pxm)
{
	struct srat_ctx *s = ctx;
	struct machine *m = s->m;
	if (base + length < base)
		return diag_fail(s->d, E_INVAL, "acpi: SRAT memory range at 0x%lx wraps around",
				 (unsigned long)base);
	if (m->nmemory == MAX_NODE_MEMORY)
		return diag_fail(s->d, E_RANGE, "acpi: SRAT has more than %d memory ranges",
				 MAX_NODE_MEMORY);
	s->mem_pxm[m->nmemory] = pxm;
	m->memory[m->nmemory++] = (struct machine_memory){base, length, 0};
	return note_pxm(s, pxm);
}

static uint32_t node_of(const struct srat_ctx *s, uint32_t pxm)
{
	uint32_t node = 0;
	for (uint32_t i = 0; i < s->npxm; i++)
		if (s->pxm[i] < pxm)
			node++;
	return node;
}

static int place_nodes(struct machine *m, const struct acpi_srat *srat, struct diag *d)
{
	static struct srat_ctx s; /* large: keep it off the small boot stacks */
	memset(&s, 0, sizeof(s));
	s.m = m;
	s.d = d;
	struct srat_visitor v = {srat_cpu, srat_memory, &s};
	int r = srat_walk(srat, &v, d);
	if (r)
		return r;
	if (s.npxm == 0) {
		m->nnodes = 1;
		return 0;
	}
	/* 5.2.16.2: each range belongs to one proximity domain. Two domains
	 * claiming the same memory cannot both be right (Linux turns NUMA off
	 * when this happens); say which ranges clash. */
	for (uint32_t i = 0; i < m->nmemory; i++)
		for (uint32_t j = i + 1; j < m->nmemory; j++) {
			const struct machine_memory *a = &m->memory[i], *b = &m->memory[j];
			if (a->base < b->base + b->length && b->base < a->base + a->length)
				return diag_fail(d, E_INVAL,
						 "acpi: SRAT memory 0x%lx-0x%lx (domain %u) overlaps 0x%lx-0x%lx (domain %u)",
						 (unsigned long)a->base,
						 (unsigned long)(a->base + a->length - 1), s.mem_pxm[i],
						 (unsigned long)b->base,
						 (unsigned long)(b->base + b->length - 1), s.mem_pxm[j]);
		}
	m->have_srat = true;
	m->nnodes = s.npxm;
	for (uint32_t i = 0; i < s.npxm; i++)
		m->node_proximity[node_of(&s, s.pxm[i])] = s.pxm[i];
	for (uint32_t i = 0; i < m->ncpus; i++)
		m->cpus[i].node = s.cpu_has_pxm[i] ? node_of(&s, s.cpu_pxm[i]) : 0;
	for (uint32_t i = 0; i < m->nmemory; i++)
		m->memory[i].node = node_of(&s, s.mem_pxm[i]);
	return 0;
}

int machine_from_acpi(struct machine *m, const struct acpi_mem *mem, const void *rsdp,
		      size_t rsdp_len, struct diag *d)
{
	memset(m, 0, sizeof(*m));
	m->nnodes = 1;

	uint64_t root;
	bool is_xsdt;
	int r = acpi_check_rsdp(rsdp, rsdp_len, &root, &is_xsdt, d);
	if (r)
		return r;

	const struct acpi_sdt_header *madt;
	r = acpi_find_table(mem, root, is_xsdt, "APIC", &madt, d);
	if (r)
		return r;
	if (madt->length < sizeof(struct acpi_madt))
		return diag_fail(d, E_INVAL, "acpi: MADT length %u < 44", madt->length);
	m->local_apic_address = ((const struct acpi_madt *)madt)->local_apic_address;
	r = madt_walk((const struct acpi_madt *)madt, add_cpu, m, d);
	if (r)
		return r;
	if (m->ncpus == 0)
		return diag_fail(d, E_NOTFOUND, "acpi: MADT lists no enabled processor");

	const struct acpi_sdt_header *srat;
	r = acpi_find_table(mem, root, is_xsdt, "SRAT", &srat, d);
	if (r == E_NOTFOUND)
		return 0; /* no SRAT: one node holding everything */
	if (r)
		return r;
	return place_nodes(m, (const struct acpi_srat *)srat, d);
}

int machine_add_cpu(struct machine *m, uint32_t apic_id, uint32_t node, struct diag *d)
{
	if (machine_cpu_index(m, apic_id) >= 0)
		return diag_fail(d, E_INVAL, "machine: APIC ID %u already exists", apic_id);
	if (m->ncpus == MAX_CPUS)
		return diag_fail(d, E_NOMEM, "machine: more than %d CPUs", MAX_CPUS);
	if (node >= m->nnodes)
		return diag_fail(d, E_RANGE, "machine: node %u does not exist", node);
	m->cpus[m->ncpus++] = (struct machine_cpu){.apic_id = apic_id, .node = node};
	return 0;
}

int machine_cpu_index(const struct machine *m, uint32_t apic_id)
{
	for (uint32_t i = 0; i < m->ncpus; i++)
		if (m->cpus[i].apic_id == apic_id)
			return (int)i;
	return -1;
}
