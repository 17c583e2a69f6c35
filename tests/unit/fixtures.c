/*
 * fixtures.c - the test data builders declared in fixtures.h.
 *
 * Everything here builds valid data the way the specifications lay it out,
 * so that a test can break exactly one thing and name it. Sizes, padding and
 * checksums are computed, never typed in, so a fixture cannot be subtly
 * wrong in a way the parser under test happens to forgive.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fixtures.h"

bool diag_mentions(const struct diag *d, ...)
{
	va_list ap;
	va_start(ap, d);
	const char *word = va_arg(ap, const char *);
	bool found = word == NULL; /* no words: any message names the problem */
	for (; word; word = va_arg(ap, const char *))
		if (strstr(d->msg, word))
			found = true;
	va_end(ap);
	return found;
}

/* --- memory that ends at an unreadable page ------------------------------ */

void *guard_tail(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	ck_assert_msg(n <= 2 * page, "guard_tail: %zu bytes is more than two pages", n);
	uint8_t *map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	ck_assert_msg(map != MAP_FAILED, "guard_tail: mmap failed");
	ck_assert_int_eq(mprotect(map + 2 * page, page, PROT_NONE), 0);
	return map + 2 * page - n;
}

void guard_free(void *p, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	munmap((uint8_t *)p + n - 2 * page, 3 * page);
}

/* --- multiboot2 information ---------------------------------------------- */

static void *mb2b_room(struct mb2_builder *b, size_t n)
{
	size_t padded = ALIGN_UP(n, MB2_TAG_ALIGN);
	ck_assert_msg(b->len + padded <= sizeof(b->buf), "mb2 builder full");
	void *p = b->buf + b->len;
	memset(p, 0, padded);
	b->len += padded;
	return p;
}

void mb2b_init(struct mb2_builder *b)
{
	memset(b->buf, 0xcc, sizeof(b->buf)); /* garbage after the end, on purpose */
	b->len = 0;
	mb2b_room(b, sizeof(struct mb2_info_header));
}

struct mb2_tag *mb2b_tag(struct mb2_builder *b, uint32_t type, const void *payload, size_t n)
{
	struct mb2_tag *tag = mb2b_room(b, sizeof(*tag) + n);
	tag->type = type;
	tag->size = (uint32_t)(sizeof(*tag) + n);
	if (n)
		memcpy(tag + 1, payload, n);
	return tag;
}

struct mb2_tag *mb2b_string(struct mb2_builder *b, uint32_t type, const char *s)
{
	return mb2b_tag(b, type, s, strlen(s) + 1);
}

struct mb2_tag_module *mb2b_module(struct mb2_builder *b, uint32_t start, uint32_t end,
				   const char *string)
{
	size_t n = strlen(string) + 1;
	struct mb2_tag_module *m = mb2b_room(b, sizeof(*m) + n);
	m->type = MB2_TAG_MODULE;
	m->size = (uint32_t)(sizeof(*m) + n);
	m->mod_start = start;
	m->mod_end = end;
	memcpy(m->string, string, n);
	return m;
}

struct mb2_tag_mmap *mb2b_mmap(struct mb2_builder *b, const struct mb2_mmap_entry *e, size_t n)
{
	struct mb2_tag_mmap *mm = mb2b_room(b, sizeof(*mm) + n * sizeof(*e));
	mm->type = MB2_TAG_MMAP;
	mm->size = (uint32_t)(sizeof(*mm) + n * sizeof(*e));
	mm->entry_size = sizeof(*e);
	mm->entry_version = 0;
	memcpy(mm->entries, e, n * sizeof(*e));
	return mm;
}

void *mb2b_seal(struct mb2_builder *b)
{
	struct mb2_info_header *h = (void *)b->buf;
	h->total_size = (uint32_t)b->len;
	h->reserved = 0;
	return b->buf;
}

void *mb2b_finish(struct mb2_builder *b)
{
	mb2b_tag(b, MB2_TAG_END, NULL, 0);
	return mb2b_seal(b);
}

void *mb2b_typical(struct mb2_builder *b)
{
	static const struct mb2_mmap_entry ram[] = {
		{.base_addr = 0, .length = 0x9fc00, .type = 1},
		{.base_addr = 0x100000, .length = 0x7ee0000, .type = 1},
	};
	mb2b_init(b);
	mb2b_string(b, MB2_TAG_CMDLINE, "sidecar.cpus=2");
	mb2b_module(b, 0x200000, 0x400000, "kernel console=ttyS0");
	mb2b_mmap(b, ram, ARRAY_SIZE(ram));
	return mb2b_finish(b);
}

/* --- fake physical memory ------------------------------------------------ */

static const void *fake_map(void *ctx, uint64_t pa, size_t len)
{
	struct fake_phys *p = ctx;
	if (pa < p->base || pa - p->base > FAKE_PHYS_SIZE || len > FAKE_PHYS_SIZE - (pa - p->base))
		return NULL;
	return p->mem + (pa - p->base);
}

void phys_init(struct fake_phys *p, uint64_t base)
{
	p->base = base;
	p->used = 0;
	p->acpi = (struct acpi_mem){fake_map, p};
	memset(p->mem, 0, sizeof(p->mem));
}

uint64_t phys_put(struct fake_phys *p, const void *data, size_t n)
{
	size_t at = ALIGN_UP(p->used, 16);
	ck_assert_msg(at + n <= FAKE_PHYS_SIZE, "fake physical memory full");
	memcpy(p->mem + at, data, n);
	p->used = at + n;
	return p->base + at;
}

void *phys_at(struct fake_phys *p, uint64_t pa)
{
	ck_assert_msg(pa >= p->base && pa - p->base < FAKE_PHYS_SIZE,
		      "0x%lx is outside the fake memory", (unsigned long)pa);
	return p->mem + (pa - p->base);
}

/* --- ACPI tables ---------------------------------------------------------- */

void table_init(struct acpi_table *t, const char sig[4], size_t fixed)
{
	struct acpi_sdt_header *h = (void *)t->data;
	memset(t->data, 0, sizeof(t->data));
	memcpy(h->signature, sig, 4);
	h->revision = 1;
	memcpy(h->oem_id, "SIDECR", 6);
	memcpy(h->oem_table_id, "UNITTEST", 8);
	h->oem_revision = 1;
	t->len = fixed;
}

void *table_add(struct acpi_table *t, const void *p, size_t n)
{
	ck_assert_msg(t->len + n <= sizeof(t->data), "ACPI table builder full");
	void *at = t->data + t->len;
	memcpy(at, p, n);
	t->len += n;
	return at;
}

void table_fix_checksum(struct acpi_sdt_header *h)
{
	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_sum(h, h->length);
}

struct acpi_sdt_header *table_finish(struct acpi_table *t)
{
	struct acpi_sdt_header *h = (void *)t->data;
	h->length = (uint32_t)t->len;
	table_fix_checksum(h);
	return h;
}

uint64_t phys_put_table(struct fake_phys *p, struct acpi_table *t)
{
	table_finish(t);
	return phys_put(p, t->data, t->len);
}

void madt_init(struct acpi_table *t)
{
	table_init(t, "APIC", sizeof(struct acpi_madt));
	struct acpi_madt *m = (void *)t->data;
	m->local_apic_address = MADT_TEST_LAPIC_ADDRESS;
	m->flags = 1; /* Table 5.20: PCAT_COMPAT, dual 8259s present */
}

void madt_add_lapic(struct acpi_table *t, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	struct madt_local_apic e = {
		.type = MADT_LOCAL_APIC,
		.length = sizeof(e),
		.processor_uid = uid,
		.apic_id = apic_id,
		.flags = flags,
	};
	table_add(t, &e, sizeof(e));
}

void madt_add_x2apic(struct acpi_table *t, uint32_t x2apic_id, uint32_t uid, uint32_t flags)
{
	struct madt_local_x2apic e = {
		.type = MADT_LOCAL_X2APIC,
		.length = sizeof(e),
		.x2apic_id = x2apic_id,
		.flags = flags,
		.processor_uid = uid,
	};
	table_add(t, &e, sizeof(e));
}

void madt_add_ioapic(struct acpi_table *t, uint8_t id, uint32_t address, uint32_t gsi_base)
{
	/* 5.2.12.3: type 1, length 12, I/O APIC ID, reserved, address, GSI base. */
	uint8_t e[12] = {1, 12, id, 0};
	memcpy(e + 4, &address, 4);
	memcpy(e + 8, &gsi_base, 4);
	table_add(t, e, sizeof(e));
}

void srat_init(struct acpi_table *t)
{
	table_init(t, "SRAT", sizeof(struct acpi_srat));
	((struct acpi_srat *)t->data)->reserved1 = 1; /* 5.2.16: "reserved, must be 1" */
}

void srat_add_cpu(struct acpi_table *t, uint8_t apic_id, uint32_t proximity, uint32_t flags)
{
	/* 5.2.16.1: proximity domain bits 7:0 first, bits 31:8 in three bytes later. */
	struct srat_cpu_affinity e = {
		.type = SRAT_CPU_AFFINITY,
		.length = sizeof(e),
		.proximity_lo = proximity & 0xff,
		.apic_id = apic_id,
		.flags = flags,
		.proximity_hi = {proximity >> 8 & 0xff, proximity >> 16 & 0xff,
				 proximity >> 24 & 0xff},
	};
	table_add(t, &e, sizeof(e));
}

void srat_add_memory(struct acpi_table *t, uint64_t base, uint64_t length, uint32_t proximity,
		     uint32_t flags)
{
	struct srat_memory_affinity e = {
		.type = SRAT_MEMORY_AFFINITY,
		.length = sizeof(e),
		.proximity = proximity,
		.base = base,
		.length_bytes = length,
		.flags = flags,
	};
	table_add(t, &e, sizeof(e));
}

void srat_add_x2apic(struct acpi_table *t, uint32_t x2apic_id, uint32_t proximity,
		     uint32_t flags)
{
	struct srat_x2apic_affinity e = {
		.type = SRAT_X2APIC_AFFINITY,
		.length = sizeof(e),
		.proximity = proximity,
		.x2apic_id = x2apic_id,
		.flags = flags,
	};
	table_add(t, &e, sizeof(e));
}

static uint64_t put_root(struct fake_phys *p, const char *sig, size_t entry_size,
			 const uint64_t *tables, size_t n)
{
	static struct acpi_table t;
	table_init(&t, sig, sizeof(struct acpi_sdt_header));
	for (size_t i = 0; i < n; i++)
		table_add(&t, &tables[i], entry_size); /* little-endian: the low bytes */
	return phys_put_table(p, &t);
}

uint64_t phys_put_rsdt(struct fake_phys *p, const uint64_t *tables, size_t n)
{
	return put_root(p, "RSDT", 4, tables, n);
}

uint64_t phys_put_xsdt(struct fake_phys *p, const uint64_t *tables, size_t n)
{
	return put_root(p, "XSDT", 8, tables, n);
}

void rsdp_fix(struct acpi_rsdp *r)
{
	r->checksum = 0;
	r->checksum = (uint8_t)-acpi_sum(r, 20);
	if (r->revision >= 2) {
		r->extended_checksum = 0;
		r->extended_checksum = (uint8_t)-acpi_sum(r, sizeof(*r));
	}
}

void rsdp_v1(struct acpi_rsdp *r, uint32_t rsdt)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "SIDECR", 6);
	r->revision = 0;
	r->rsdt_address = rsdt;
	rsdp_fix(r);
}

void rsdp_v2(struct acpi_rsdp *r, uint32_t rsdt, uint64_t xsdt)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "SIDECR", 6);
	r->revision = 2;
	r->rsdt_address = rsdt;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt;
	rsdp_fix(r);
}

size_t acpi_place(struct fake_phys *p, struct acpi_table *madt, struct acpi_table *srat,
		  bool xsdt, struct acpi_rsdp *rsdp)
{
	uint64_t tables[2];
	size_t n = 0;
	tables[n++] = phys_put_table(p, madt);
	if (srat)
		tables[n++] = phys_put_table(p, srat);
	if (xsdt) {
		rsdp_v2(rsdp, 0, phys_put_xsdt(p, tables, n));
		return sizeof(*rsdp);
	}
	ck_assert_msg(p->base + FAKE_PHYS_SIZE <= UINT32_MAX, "an RSDT needs memory below 4 GiB");
	rsdp_v1(rsdp, (uint32_t)phys_put_rsdt(p, tables, n));
	return 20;
}

/* --- bzImage --------------------------------------------------------------- */

struct setup_header *bz_hdr(uint8_t *img)
{
	return (struct setup_header *)(img + SETUP_HEADER_OFFSET);
}

void bzimage_make(uint8_t *img)
{
	memset(img, 0, BZ_SIZE);
	memset(img + BZ_SETUP_SIZE, 0x90, BZ_CODE_SIZE); /* "code" */

	/* boot.rst, "The Real-Mode Kernel Header": the fields a loader reads. */
	struct setup_header *h = bz_hdr(img);
	h->setup_sects = BZ_SETUP_SECTS;
	h->syssize = BZ_CODE_SIZE / 16;
	h->boot_flag = BOOT_FLAG_MAGIC;
	h->jump = 0x66eb; /* jmp short to the setup code, as real images have */
	h->header = SETUP_HDRS_MAGIC;
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->kernel_alignment = (uint32_t)MiB(2);
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = BZ_CMDLINE_SIZE;
	h->pref_address = BZ_PREF_ADDRESS;
	h->init_size = BZ_INIT_SIZE;
}
