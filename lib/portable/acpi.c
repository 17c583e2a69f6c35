/*
 * acpi.c - finding and checking ACPI tables.
 *
 * The firmware describes the machine in tables reached from the RSDP (ACPI
 * 6.5, 5.2.5): the RSDP points at the RSDT (32-bit pointers, 5.2.7) and, from
 * ACPI 2.0 on, at the XSDT (64-bit pointers, 5.2.8), which lists every other
 * table. Every table starts with the same 36-byte header and must sum to zero.
 * Nothing here trusts a length or a pointer before checking it.
 */
#include "acpi.h"

uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	while (len--)
		sum += *b++;
	return sum;
}

int acpi_check_rsdp(const void *rsdp, size_t len, uint64_t *root_pa, bool *is_xsdt,
		    struct diag *d)
{
	const struct acpi_rsdp *r = rsdp;

	if (len < ACPI_RSDP_V1_LENGTH)
		return diag_fail(d, E_INVAL, "acpi: RSDP is %zu bytes, expected >= %d", len,
				 ACPI_RSDP_V1_LENGTH);
	if (memcmp(r->signature, "RSD PTR ", 8) != 0)
		return diag_fail(d, E_INVAL, "acpi: RSDP signature is not \"RSD PTR \"");
	uint8_t sum = acpi_sum(r, ACPI_RSDP_V1_LENGTH);
	if (sum)
		return diag_fail(d, E_CHECKSUM, "acpi: RSDP checksum 0x%02x, expected 0", sum);

	/* 5.2.5.3: revision 2 and later add the XSDT and an extended checksum. */
	if (r->revision >= 2 && len >= sizeof(*r)) {
		if (r->length < sizeof(*r) || r->length > len)
			return diag_fail(d, E_INVAL, "acpi: RSDP length %u, expected %zu", r->length,
					 sizeof(*r));
		sum = acpi_sum(r, r->length);
		if (sum)
			return diag_fail(d, E_CHECKSUM,
					 "acpi: RSDP extended checksum 0x%02x, expected 0", sum);
		if (r->xsdt_address) {
			*root_pa = r->xsdt_address;
			*is_xsdt = true;
			return 0;
		}
	}
	if (!r->rsdt_address)
		return diag_fail(d, E_INVAL, "acpi: RSDP has neither an XSDT nor an RSDT address");
	*root_pa = r->rsdt_address;
	*is_xsdt = false;
	return 0;
}

/* Map a table: first its header, to learn its length, then all of it. */
static int map_table(const struct acpi_mem *mem, uint64_t pa, const char *what,
		     const struct acpi_sdt_header **out, struct diag *d)
{
	const struct acpi_sdt_header *h = mem->map(mem->ctx, pa, sizeof(*h));
	if (!h)
		return diag_fail(d, E_RANGE, "acpi: %s at 0x%lx is outside memory", what,
				 (unsigned long)pa);
	uint32_t len = h->length;
	if (len < sizeof(*h))
		return diag_fail(d, E_INVAL, "acpi: %.4s length %u is shorter than its header",
				 h->signature, len);
	if (len > MiB(1))
		return diag_fail(d, E_INVAL, "acpi: %.4s length %u is implausibly large",
				 h->signature, len);
	h = mem->map(mem->ctx, pa, len);
	if (!h)
		return diag_fail(d, E_RANGE, "acpi: %.4s at 0x%lx (length %u) runs outside memory",
				 what, (unsigned long)pa, len);
	uint8_t sum = acpi_sum(h, len);
	if (sum)
		return diag_fail(d, E_CHECKSUM, "acpi: %.4s checksum 0x%02x, expected 0",
				 h->signature, sum);
	*out = h;
	return 0;
}

size_t acpi_root_count(const struct acpi_sdt_header *root, bool is_xsdt)
{
	return (root->length - sizeof(*root)) / (is_xsdt ? 8 : 4);
}

uint64_t acpi_root_entry(const struct acpi_sdt_header *root, bool is_xsdt, size_t i)
{
	size_t entry_size = is_xsdt ? 8 : 4;
	uint64_t pa = 0;
	memcpy(&pa, (const uint8_t *)(root + 1) + i * entry_size, entry_size); /* may be unaligned */
	return pa;
}

int acpi_find_table(const struct acpi_mem *mem, uint64_t root_pa, bool is_xsdt,
		    const char sig[4], const struct acpi_sdt_header **out, struct diag *d)
{
	const struct acpi_sdt_header *root;
	const char *root_name = is_xsdt ? "XSDT" : "RSDT";
	int r = map_table(mem, root_pa, root_name, &root, d);
	if (r)
		return r;
	if (memcmp(root->signature, root_name, 4) != 0)
		return diag_fail(d, E_INVAL, "acpi: root table signature is \"%.4s\", expected %s",
				 root->signature, root_name);

	size_t n = acpi_root_count(root, is_xsdt);
	for (size_t i = 0; i < n; i++) {
		uint64_t pa = acpi_root_entry(root, is_xsdt, i);
		const struct acpi_sdt_header *h = mem->map(mem->ctx, pa, sizeof(*h));
		if (!h)
			return diag_fail(d, E_RANGE, "acpi: %s entry %zu points outside memory (0x%lx)",
					 root_name, i, (unsigned long)pa);
		if (memcmp(h->signature, sig, 4) != 0)
			continue;
		return map_table(mem, pa, sig, out, d);
	}
	return diag_fail(d, E_NOTFOUND, "acpi: no %.4s table", sig);
}

int srat_walk(const struct acpi_srat *srat, const struct srat_visitor *v, struct diag *d)
{
	uint32_t len = srat->header.length;
	if (len < sizeof(*srat))
		return diag_fail(d, E_INVAL, "acpi: SRAT length %u < %zu", len, sizeof(*srat));

	const uint8_t *p = (const uint8_t *)(srat + 1);
	const uint8_t *end = (const uint8_t *)srat + len;
	while (p < end) {
		if (end - p < 2 || p[1] < 2 || p[1] > end - p)
			return diag_fail(d, E_INVAL, "acpi: SRAT entry at offset %ld has length %u",
					 (long)(p - (const uint8_t *)srat), end - p < 2 ? 0 : p[1]);
		int r = 0;
		if (p[0] == SRAT_CPU_AFFINITY) {
			const struct srat_cpu_affinity *a = (const void *)p;
			if (a->length < sizeof(*a))
				return diag_fail(d, E_INVAL, "acpi: SRAT CPU affinity length %u < 16",
						 a->length);
			/* 5.2.16.1: proximity domain bits 7:0 here, 31:8 in proximity_hi. */
			uint32_t pxm = a->proximity_lo | a->proximity_hi[0] << 8 |
				       a->proximity_hi[1] << 16 | (uint32_t)a->proximity_hi[2] << 24;
			if ((a->flags & SRAT_ENABLED) && v->cpu)
				r = v->cpu(v->ctx, a->apic_id, pxm);
		} else if (p[0] == SRAT_MEMORY_AFFINITY) {
			const struct srat_memory_affinity *a = (const void *)p;
			if (a->length < sizeof(*a))
				return diag_fail(d, E_INVAL, "acpi: SRAT memory affinity length %u < 40",
						 a->length);
			if ((a->flags & SRAT_ENABLED) && a->length_bytes && v->memory)
				r = v->memory(v->ctx, a->base, a->length_bytes, a->proximity);
		} else if (p[0] == SRAT_X2APIC_AFFINITY) {
			const struct srat_x2apic_affinity *a = (const void *)p;
			if (a->length < sizeof(*a))
				return diag_fail(d, E_INVAL, "acpi: SRAT x2APIC affinity length %u < 24",
						 a->length);
			if ((a->flags & SRAT_ENABLED) && v->cpu)
				r = v->cpu(v->ctx, a->x2apic_id, a->proximity);
		}
		if (r)
			return r;
		p += p[1];
	}
	return 0;
}
