/*
 * inject.c - fault injection: bad firmware and boot-loader input on demand.
 *
 * QEMU and GRUB hand the shim well-formed information; a real machine may
 * not. To test what the shim does with input QEMU cannot produce, the shim
 * option inject=<name> (shim/options.c) corrupts a COPY of one input before
 * the real parser sees it. This file is the only place that corrupts
 * anything, and the real path calls it at exactly five points:
 *
 *   inject_mb2()           the multiboot2 information, before mb2_parse()
 *   inject_acpi()          the ACPI RSDP and the tables behind it, before
 *                          machine_from_acpi()
 *   inject_sidecar_pool()  the free memory the sidecar's pages come from
 *   inject_e820_room()     the room in the main kernel's memory map
 *   inject_params_after()  the shim's own parameter page, once the sidecar
 *                          has started: the one injection that writes the
 *                          real thing, since the sidecar must have kept its
 *                          own copy and never look at this page again
 *
 * Without inject= each returns its input unchanged. The firmware's own
 * tables are never written: the main kernel (linux-stub, or Linux) reads
 * the real ones and boots as usual, which shows that what the shim did with
 * the bad copy left every other CPU working. Each injection below says what
 * it does; book/09-hardening.md lists what the system does with each.
 */
#include "inject.h"
#include "acpi.h"
#include "machine.h"
#include "mb2.h"
#include "sidecar.h"
#include "console.h"

enum stage { STAGE_MB2, STAGE_ACPI, STAGE_MEMORY, STAGE_E820, STAGE_PARAMS };

/* The copies, in the shim's own .bss: identity mapped below 4 GiB, so the
 * ACPI parser reads them through the same map as the firmware's tables. */
#define MB2_COPY_MAX KiB(16)
#define ACPI_COPY_MAX KiB(160)
#define TABLE_ROOM KiB(40) /* room after a copied MADT or SRAT for added entries */
static uint8_t mb2_copy[MB2_COPY_MAX] __attribute__((aligned(8)));
static uint8_t acpi_copy[ACPI_COPY_MAX] __attribute__((aligned(16)));

/* ---- the multiboot2 information ------------------------------------------ */

static struct mb2_tag *next_tag(struct mb2_tag *t)
{
	return (struct mb2_tag *)((uint8_t *)t + ALIGN_UP(t->size, MB2_TAG_ALIGN));
}

static struct mb2_tag *find_tag(uint8_t *info, uint32_t type)
{
	uint32_t total = ((struct mb2_info_header *)info)->total_size;
	for (struct mb2_tag *t = (void *)(info + sizeof(struct mb2_info_header));
	     (uint8_t *)t < info + total && t->size >= sizeof(*t); t = next_tag(t))
		if (t->type == type)
			return t;
	return NULL;
}

/* Take a tag out: move the ones after it down and shrink total_size. */
static void remove_tag(uint8_t *info, struct mb2_tag *t)
{
	struct mb2_info_header *h = (void *)info;
	uint32_t size = ALIGN_UP(t->size, MB2_TAG_ALIGN);
	uint8_t *after = (uint8_t *)t + size;
	memmove(t, after, (size_t)(info + h->total_size - after));
	h->total_size -= size;
}

/* mb2-no-mmap: GRUB's memory map tag (type 6) is missing. */
static void mb2_no_mmap(uint8_t *info)
{
	struct mb2_tag *t = find_tag(info, MB2_TAG_MMAP);
	if (t)
		remove_tag(info, t);
}

/* mb2-no-rsdp: neither ACPI RSDP tag (14, 15): a machine without ACPI. */
static void mb2_no_rsdp(uint8_t *info)
{
	struct mb2_tag *t;
	while ((t = find_tag(info, MB2_TAG_ACPI_OLD)) || (t = find_tag(info, MB2_TAG_ACPI_NEW)))
		remove_tag(info, t);
}

/* mb2-truncated: the memory map tag claims 4 KiB more than total_size holds. */
static void mb2_truncated(uint8_t *info)
{
	struct mb2_tag *t = find_tag(info, MB2_TAG_MMAP);
	if (t)
		t->size += 4096;
}

/* mb2-no-end: the end tag (type 0) is gone; total_size still covers it. */
static void mb2_no_end(uint8_t *info)
{
	struct mb2_tag *t = find_tag(info, MB2_TAG_END);
	if (t)
		t->type = 0xbad; /* an unknown tag, skipped; then nothing ends the list */
}

/* mb2-module-backwards: the first module ends before it starts. */
static void mb2_module_backwards(uint8_t *info)
{
	struct mb2_tag_module *m = (void *)find_tag(info, MB2_TAG_MODULE);
	if (m)
		m->mod_end = m->mod_start - 1;
}

/* mb2-module-string: the first module's string has no NUL before the tag ends. */
static void mb2_module_string(uint8_t *info)
{
	struct mb2_tag_module *m = (void *)find_tag(info, MB2_TAG_MODULE);
	if (!m)
		return;
	for (uint32_t i = sizeof(*m); i < m->size; i++)
		m->string[i - sizeof(*m)] = 'x';
}

/* ---- ACPI ------------------------------------------------------------------ */

/* The copied tables: the RSDP, the root (RSDT or XSDT), the MADT, the SRAT. */
struct acpi_copy {
	struct acpi_rsdp *rsdp;
	size_t rsdp_len;
	struct acpi_sdt_header *root;
	bool is_xsdt;
	struct acpi_sdt_header *madt, *srat;
	uint32_t madt_entry, srat_entry; /* their index in the root's entries */
};

static void fix_checksum(struct acpi_sdt_header *h)
{
	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_sum(h, h->length);
}

static void fix_rsdp(struct acpi_copy *c)
{
	c->rsdp->checksum = 0;
	c->rsdp->checksum = (uint8_t)-acpi_sum(c->rsdp, 20);
	if (c->rsdp_len >= sizeof(struct acpi_rsdp) && c->rsdp->revision >= 2) {
		c->rsdp->extended_checksum = 0;
		c->rsdp->extended_checksum = (uint8_t)-acpi_sum(c->rsdp, sizeof(struct acpi_rsdp));
	}
}

static void fix_checksums(struct acpi_copy *c)
{
	if (c->madt)
		fix_checksum(c->madt);
	if (c->srat)
		fix_checksum(c->srat);
	fix_checksum(c->root);
	fix_rsdp(c);
}

static void set_root_entry(struct acpi_copy *c, uint32_t i, uint64_t pa)
{
	memcpy((uint8_t *)(c->root + 1) + i * (c->is_xsdt ? 8 : 4), &pa, c->is_xsdt ? 8 : 4);
}

/* Add bytes at the end of a copied table (it has TABLE_ROOM spare). */
static void append(struct acpi_sdt_header *h, const void *bytes, uint32_t n)
{
	memcpy((uint8_t *)h + h->length, bytes, n);
	h->length += n;
}

/* Copy the RSDP, its root table and the MADT and SRAT into acpi_copy and
 * point the copies at each other. false if the firmware's tables are too
 * odd to copy (the real parser will then say why). */
static bool copy_acpi(const void *rsdp, size_t len, struct acpi_copy *c)
{
	const struct acpi_rsdp *r = rsdp;
	size_t used = 64;
	memset(acpi_copy, 0, sizeof(acpi_copy));
	memset(c, 0, sizeof(*c));
	c->rsdp = (void *)acpi_copy;
	c->rsdp_len = len < sizeof(struct acpi_rsdp) ? len : sizeof(struct acpi_rsdp);
	memcpy(c->rsdp, rsdp, c->rsdp_len);
	c->is_xsdt = r->revision >= 2 && len >= sizeof(*r) && r->xsdt_address;
	const struct acpi_sdt_header *root =
		(const void *)(uintptr_t)(c->is_xsdt ? r->xsdt_address : r->rsdt_address);
	if (!root || (uint64_t)(uintptr_t)root >= GiB(4) || root->length < sizeof(*root) ||
	    root->length > KiB(4))
		return false;
	c->root = (void *)(acpi_copy + used);
	memcpy(c->root, root, root->length);
	used += ALIGN_UP(root->length, 64);

	uint32_t n = (uint32_t)acpi_root_count(c->root, c->is_xsdt);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t pa = acpi_root_entry(c->root, c->is_xsdt, i);
		const struct acpi_sdt_header *t = (const void *)(uintptr_t)pa;
		if ((uint64_t)(uintptr_t)t >= GiB(4) || !t)
			continue;
		bool madt = memcmp(t->signature, "APIC", 4) == 0;
		bool srat = memcmp(t->signature, "SRAT", 4) == 0;
		if (!madt && !srat)
			continue;
		if (used + t->length + TABLE_ROOM > sizeof(acpi_copy))
			return false;
		struct acpi_sdt_header *copy = (void *)(acpi_copy + used);
		memcpy(copy, t, t->length);
		used += ALIGN_UP(t->length + TABLE_ROOM, 64);
		set_root_entry(c, i, (uint64_t)(uintptr_t)copy);
		if (madt)
			c->madt = copy, c->madt_entry = i;
		else
			c->srat = copy, c->srat_entry = i;
	}
	if (c->is_xsdt)
		c->rsdp->xsdt_address = (uint64_t)(uintptr_t)c->root;
	else
		c->rsdp->rsdt_address = (uint32_t)(uintptr_t)c->root;
	return true;
}

/* rsdp-checksum: the RSDP's bytes no longer sum to zero. */
static void rsdp_checksum(struct acpi_copy *c)
{
	c->rsdp->checksum ^= 0x55;
}

/* rsdp-signature: the RSDP does not start with "RSD PTR ". */
static void rsdp_signature(struct acpi_copy *c)
{
	memcpy(c->rsdp->signature, "RSD PTX ", 8);
}

/* rsdp-no-root: the RSDP points at neither an RSDT nor an XSDT. */
static void rsdp_no_root(struct acpi_copy *c)
{
	c->rsdp->rsdt_address = 0;
	if (c->rsdp_len >= sizeof(struct acpi_rsdp))
		c->rsdp->xsdt_address = 0;
}

/* root-checksum: the RSDT (or XSDT) does not sum to zero. */
static void root_checksum(struct acpi_copy *c)
{
	c->root->checksum ^= 0x55;
}

/* root-short: the root table's length is shorter than its own header. */
static void root_short(struct acpi_copy *c)
{
	c->root->length = 20;
}

/* root-bad-pointer: the root's first entry points past the end of memory. */
static void root_bad_pointer(struct acpi_copy *c)
{
	set_root_entry(c, 0, c->is_xsdt ? 0xfffffffffff00000ull : 0xfffffff0ull);
}

/* no-madt: the MADT's entry is taken out of the root table. */
static void no_madt(struct acpi_copy *c)
{
	if (!c->madt)
		return;
	uint32_t n = (uint32_t)acpi_root_count(c->root, c->is_xsdt), size = c->is_xsdt ? 8 : 4;
	for (uint32_t i = c->madt_entry; i + 1 < n; i++)
		set_root_entry(c, i, acpi_root_entry(c->root, c->is_xsdt, i + 1));
	c->root->length -= size;
}

/* madt-checksum: the MADT does not sum to zero. */
static void madt_checksum(struct acpi_copy *c)
{
	if (c->madt)
		c->madt->checksum ^= 0x55;
}

/* Visit every Local APIC (type 0) structure of the copied MADT. */
static void each_local_apic(struct acpi_copy *c, void (*fn)(struct madt_local_apic *a, void *ctx),
			    void *ctx)
{
	uint8_t *p = (uint8_t *)c->madt + sizeof(struct acpi_madt);
	uint8_t *end = (uint8_t *)c->madt + c->madt->length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		if (p[0] == MADT_LOCAL_APIC && p[1] >= sizeof(struct madt_local_apic))
			fn((void *)p, ctx);
		p += p[1];
	}
}

static void disable(struct madt_local_apic *a, void *ctx)
{
	(void)ctx;
	a->flags &= ~MADT_ENABLED;
}

/* madt-no-cpus: every processor's Enabled flag is clear. */
static void madt_no_cpus(struct acpi_copy *c)
{
	if (c->madt)
		each_local_apic(c, disable, NULL);
}

struct entries {
	uint8_t bytes[MAX_CPUS * 8];
	uint32_t n;
};

static void collect(struct madt_local_apic *a, void *ctx)
{
	struct entries *e = ctx;
	if (e->n + sizeof(*a) <= sizeof(e->bytes)) {
		memcpy(e->bytes + e->n, a, sizeof(*a));
		e->n += sizeof(*a);
	}
}

/* madt-dup-apic: every Local APIC structure appears twice. */
static void madt_dup_apic(struct acpi_copy *c)
{
	static struct entries e;
	if (!c->madt)
		return;
	e.n = 0;
	each_local_apic(c, collect, &e);
	append(c->madt, e.bytes, e.n);
}

/* madt-apic-oob: two processors no xAPIC machine can address: Local APIC
 * ID 0xff (the broadcast ID) and Local x2APIC ID 300. */
static void madt_apic_oob(struct acpi_copy *c)
{
	if (!c->madt)
		return;
	struct madt_local_apic a = {MADT_LOCAL_APIC, 8, 200, 0xff, MADT_ENABLED};
	struct madt_local_x2apic x = {MADT_LOCAL_X2APIC, 16, 0, 300, MADT_ENABLED, 201};
	append(c->madt, &a, sizeof(a));
	append(c->madt, &x, sizeof(x));
}

/* madt-many-cpus: MAX_CPUS + 44 more enabled Local x2APIC structures (IDs
 * from 1000): on a 4-CPU machine, 48 processors more than MAX_CPUS (2048). */
static void madt_many_cpus(struct acpi_copy *c)
{
	if (!c->madt)
		return;
	for (uint32_t i = 0; i < MAX_CPUS + 44; i++) {
		struct madt_local_x2apic x = {MADT_LOCAL_X2APIC, 16, 0, 1000 + i, MADT_ENABLED,
					      1000 + i};
		append(c->madt, &x, sizeof(x));
	}
}

/* madt-bad-entry: a structure of length 0 at the end of the MADT. */
static void madt_bad_entry(struct acpi_copy *c)
{
	static const uint8_t bad[2] = {MADT_LOCAL_APIC, 0};
	if (c->madt)
		append(c->madt, bad, sizeof(bad));
}

/* srat-checksum: the SRAT does not sum to zero. */
static void srat_checksum(struct acpi_copy *c)
{
	if (c->srat)
		c->srat->checksum ^= 0x55;
}

/* srat-ghost-cpu: a CPU affinity for APIC ID 200, which no MADT entry has,
 * in a proximity domain of its own (7). */
static void srat_ghost_cpu(struct acpi_copy *c)
{
	if (!c->srat)
		return;
	struct srat_cpu_affinity a = {SRAT_CPU_AFFINITY, 16, 7, 200, SRAT_ENABLED, 0, {0}, 0};
	append(c->srat, &a, sizeof(a));
}

/* srat-overlap: a memory affinity that gives 0-16 MiB, which the firmware's
 * SRAT puts in domain 0, to domain 1 as well. */
static void srat_overlap(struct acpi_copy *c)
{
	if (!c->srat)
		return;
	struct srat_memory_affinity m = {.type = SRAT_MEMORY_AFFINITY, .length = 40,
					 .proximity = 1, .base = 0, .length_bytes = MiB(16),
					 .flags = SRAT_ENABLED};
	append(c->srat, &m, sizeof(m));
}

/* srat-bad-entry: an affinity structure of length 1 at the end of the SRAT. */
static void srat_bad_entry(struct acpi_copy *c)
{
	static const uint8_t bad[2] = {SRAT_CPU_AFFINITY, 1};
	if (c->srat)
		append(c->srat, bad, sizeof(bad));
}

/* ---- the list ---------------------------------------------------------------- */

enum needs { ANY_TABLES, NEEDS_MADT, NEEDS_SRAT };

static const struct injection {
	const char *name;
	enum stage stage;
	void (*mb2)(uint8_t *info);
	void (*acpi)(struct acpi_copy *c);
	bool breaks_checksum; /* leave the checksums as the injection made them */
	enum needs needs;     /* the table it damages must exist */
} injections[] = {
	{"mb2-no-mmap", STAGE_MB2, mb2_no_mmap, NULL, false, ANY_TABLES},
	{"mb2-no-rsdp", STAGE_MB2, mb2_no_rsdp, NULL, false, ANY_TABLES},
	{"mb2-truncated", STAGE_MB2, mb2_truncated, NULL, false, ANY_TABLES},
	{"mb2-no-end", STAGE_MB2, mb2_no_end, NULL, false, ANY_TABLES},
	{"mb2-module-backwards", STAGE_MB2, mb2_module_backwards, NULL, false, ANY_TABLES},
	{"mb2-module-string", STAGE_MB2, mb2_module_string, NULL, false, ANY_TABLES},
	{"rsdp-checksum", STAGE_ACPI, NULL, rsdp_checksum, true, ANY_TABLES},
	{"rsdp-signature", STAGE_ACPI, NULL, rsdp_signature, false, ANY_TABLES},
	{"rsdp-no-root", STAGE_ACPI, NULL, rsdp_no_root, false, ANY_TABLES},
	{"root-checksum", STAGE_ACPI, NULL, root_checksum, true, ANY_TABLES},
	{"root-short", STAGE_ACPI, NULL, root_short, true, ANY_TABLES},
	{"root-bad-pointer", STAGE_ACPI, NULL, root_bad_pointer, false, ANY_TABLES},
	{"no-madt", STAGE_ACPI, NULL, no_madt, false, NEEDS_MADT},
	{"madt-checksum", STAGE_ACPI, NULL, madt_checksum, true, NEEDS_MADT},
	{"madt-no-cpus", STAGE_ACPI, NULL, madt_no_cpus, false, NEEDS_MADT},
	{"madt-dup-apic", STAGE_ACPI, NULL, madt_dup_apic, false, NEEDS_MADT},
	{"madt-apic-oob", STAGE_ACPI, NULL, madt_apic_oob, false, NEEDS_MADT},
	{"madt-many-cpus", STAGE_ACPI, NULL, madt_many_cpus, false, NEEDS_MADT},
	{"madt-bad-entry", STAGE_ACPI, NULL, madt_bad_entry, false, NEEDS_MADT},
	{"srat-checksum", STAGE_ACPI, NULL, srat_checksum, true, NEEDS_SRAT},
	{"srat-ghost-cpu", STAGE_ACPI, NULL, srat_ghost_cpu, false, NEEDS_SRAT},
	{"srat-overlap", STAGE_ACPI, NULL, srat_overlap, false, NEEDS_SRAT},
	{"srat-bad-entry", STAGE_ACPI, NULL, srat_bad_entry, false, NEEDS_SRAT},
	{"sidecar-nomem", STAGE_MEMORY, NULL, NULL, false, ANY_TABLES},
	{"e820-full", STAGE_E820, NULL, NULL, false, ANY_TABLES},
	{"params-zeroed", STAGE_PARAMS, NULL, NULL, false, ANY_TABLES},
};

int inject_lookup(const char *name, size_t len)
{
	for (uint32_t i = 0; i < ARRAY_SIZE(injections); i++)
		if (strlen(injections[i].name) == len && strncmp(injections[i].name, name, len) == 0)
			return (int)i + 1;
	return 0;
}

const char *inject_name(int injection)
{
	return injection > 0 && injection <= (int)ARRAY_SIZE(injections)
		       ? injections[injection - 1].name
		       : "none";
}

static const struct injection *active(int injection, enum stage stage)
{
	if (injection <= 0 || injection > (int)ARRAY_SIZE(injections) ||
	    injections[injection - 1].stage != stage)
		return NULL;
	return &injections[injection - 1];
}

const void *inject_mb2(int injection, const void *info)
{
	const struct injection *in = active(injection, STAGE_MB2);
	uint32_t total = ((const struct mb2_info_header *)info)->total_size;
	if (!in)
		return info;
	if (total > sizeof(mb2_copy)) {
		kprintf("shim: inject=%s: the information (%u bytes) is too big to copy; not "
			"injected\n", in->name, total);
		return info;
	}
	memcpy(mb2_copy, info, total);
	in->mb2(mb2_copy);
	kprintf("shim: fault injection: %s (a corrupted copy of the multiboot2 information)\n",
		in->name);
	return mb2_copy;
}

const void *inject_acpi(int injection, const void *rsdp, size_t *len)
{
	const struct injection *in = active(injection, STAGE_ACPI);
	struct acpi_copy c;
	if (!in || !rsdp)
		return rsdp;
	if (!copy_acpi(rsdp, *len, &c)) {
		kprintf("shim: inject=%s: cannot copy the ACPI tables; not injected\n", in->name);
		return rsdp;
	}
	if ((in->needs == NEEDS_MADT && !c.madt) || (in->needs == NEEDS_SRAT && !c.srat)) {
		kprintf("shim: inject=%s: the firmware has no %s to corrupt (an SRAT needs "
			"NODES=2); not injected\n", in->name, in->needs == NEEDS_MADT ? "MADT" : "SRAT");
		return rsdp;
	}
	fix_checksums(&c); /* the copies point at each other now */
	in->acpi(&c);
	if (!in->breaks_checksum)
		fix_checksums(&c);
	kprintf("shim: fault injection: %s (a corrupted copy of the ACPI tables)\n", in->name);
	*len = c.rsdp_len;
	return c.rsdp;
}

struct physmem *inject_sidecar_pool(int injection, struct physmem *pool)
{
	static struct physmem empty;
	if (!active(injection, STAGE_MEMORY))
		return pool;
	kprintf("shim: fault injection: sidecar-nomem (the sidecar's pages come from an empty "
		"pool)\n");
	physmem_init(&empty);
	return &empty;
}

/* e820-full: the main kernel's map has room for the firmware's own entries
 * and no more, as on a machine whose firmware map is nearly 128 entries
 * long: the sidecar's reservations do not fit. */
size_t inject_e820_room(int injection, size_t room, size_t firmware_entries)
{
	if (!active(injection, STAGE_E820))
		return room;
	kprintf("shim: fault injection: e820-full (the main kernel's map has room for the "
		"firmware's %zu entries only)\n", firmware_entries);
	return firmware_entries;
}

/* params-zeroed: once the sidecar started, its parameter page is all zeros:
 * no nodes, no CPUs, no trampoline, no flags. A sidecar that read it again
 * would find no node memory to keep guest memory away from. */
void inject_params_after(int injection, void *params, size_t size)
{
	if (!active(injection, STAGE_PARAMS))
		return;
	memset(params, 0, size);
	kprintf("shim: fault injection: params-zeroed (the sidecar's parameter page is zeroed "
		"after it started)\n");
}
