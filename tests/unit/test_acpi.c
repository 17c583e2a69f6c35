/*
 * test_acpi.c - suite "acpi": finding and checking ACPI tables (lib/portable/acpi.c).
 *
 * ACPI 6.5, 5.2.5 to 5.2.8: the RSDP (a copy of which GRUB hands over)
 * points at the RSDT (32-bit table addresses) and, from ACPI 2.0 on, the
 * XSDT (64-bit); every table has the 36-byte header and sums to zero. The
 * tables live in a fake physical memory (fixtures.h) whose map() refuses
 * addresses outside it, so the tests can point the parser at memory that is
 * not there. srat_walk (5.2.16) is tested here too; what machine.c makes of
 * its results is in test_machine.c.
 */
#include "fixtures.h"

static struct fake_phys phys;
static struct acpi_table t;

#define LOW_BASE 0x7fe0000ull     /* below 4 GiB: reachable through an RSDT */
#define HIGH_BASE 0x1fffe0000ull  /* above 4 GiB: only through an XSDT */

/* --- acpi_sum ------------------------------------------------------------- */

START_TEST(sum_wraps_modulo_256)
{
	static const uint8_t bytes[] = {0x80, 0x80, 0x01, 0xff};
	ck_assert_uint_eq(acpi_sum(bytes, 0), 0);
	ck_assert_uint_eq(acpi_sum(bytes, 2), 0);
	ck_assert_uint_eq(acpi_sum(bytes, 3), 1);
	ck_assert_uint_eq(acpi_sum(bytes, 4), 0);

	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	const struct acpi_sdt_header *h = table_finish(&t);
	ck_assert_uint_eq(acpi_sum(h, h->length), 0);
}
END_TEST

/* --- acpi_check_rsdp ------------------------------------------------------ */

START_TEST(rsdp_v1_gives_rsdt)
{
	struct acpi_rsdp r;
	uint64_t root = 0;
	bool is_xsdt = true;
	struct diag d = {""};

	rsdp_v1(&r, 0xe1000);
	ck_assert_int_eq(acpi_check_rsdp(&r, 20, &root, &is_xsdt, &d), 0);
	ck_assert_uint_eq(root, 0xe1000);
	ck_assert_msg(!is_xsdt, "an ACPI 1.0 RSDP has only an RSDT");
}
END_TEST

START_TEST(rsdp_v2_gives_xsdt)
{
	struct acpi_rsdp r;
	uint64_t root = 0;
	bool is_xsdt = false;
	struct diag d = {""};

	rsdp_v2(&r, 0xe1000, 0x123456000);
	ck_assert_int_eq(acpi_check_rsdp(&r, sizeof(r), &root, &is_xsdt, &d), 0);
	ck_assert_uint_eq(root, 0x123456000);
	ck_assert_msg(is_xsdt, "the XSDT is preferred when there is one");
}
END_TEST

START_TEST(rsdp_v2_without_xsdt_gives_rsdt)
{
	struct acpi_rsdp r;
	uint64_t root = 0;
	bool is_xsdt = true;
	struct diag d = {""};

	rsdp_v2(&r, 0xe1000, 0);
	ck_assert_int_eq(acpi_check_rsdp(&r, sizeof(r), &root, &is_xsdt, &d), 0);
	ck_assert_uint_eq(root, 0xe1000);
	ck_assert_msg(!is_xsdt, "XSDT address 0: use the RSDT");

	/* A 20-byte copy of a 2.0 RSDP (GRUB's "old" tag) has only the RSDT. */
	rsdp_v2(&r, 0xe1000, 0x123456000);
	ck_assert_int_eq(acpi_check_rsdp(&r, 20, &root, &is_xsdt, &d), 0);
	ck_assert_uint_eq(root, 0xe1000);
	ck_assert_msg(!is_xsdt, "the XSDT address is beyond the 20 bytes given");
}
END_TEST

START_TEST(rsdp_bad_signature)
{
	struct acpi_rsdp r;
	uint64_t root;
	bool is_xsdt;
	struct diag d = {""};

	rsdp_v1(&r, 0xe1000);
	memcpy(r.signature, "RSD PTR_", 8);
	rsdp_fix(&r);
	ck_assert_diag(acpi_check_rsdp(&r, 20, &root, &is_xsdt, &d), E_INVAL, d, "signature");
}
END_TEST

START_TEST(rsdp_bad_checksum)
{
	struct acpi_rsdp r;
	uint64_t root;
	bool is_xsdt;
	struct diag d = {""};

	rsdp_v1(&r, 0xe1000);
	r.rsdt_address++;
	ck_assert_diag(acpi_check_rsdp(&r, 20, &root, &is_xsdt, &d), E_CHECKSUM, d, "checksum");
}
END_TEST

START_TEST(rsdp_bad_extended_checksum)
{
	struct acpi_rsdp r;
	uint64_t root;
	bool is_xsdt;
	struct diag d = {""};

	/* The first 20 bytes are fine; the XSDT address (covered only by the
	 * extended checksum, 5.2.5.3) was changed. */
	rsdp_v2(&r, 0xe1000, 0x123456000);
	r.xsdt_address++;
	ck_assert_uint_eq(acpi_sum(&r, 20), 0);
	ck_assert_diag(acpi_check_rsdp(&r, sizeof(r), &root, &is_xsdt, &d), E_CHECKSUM, d,
		       "extended checksum");
}
END_TEST

START_TEST(rsdp_too_short)
{
	struct acpi_rsdp r;
	uint64_t root;
	bool is_xsdt;
	struct diag d = {""};

	rsdp_v1(&r, 0xe1000);
	ck_assert_diag(acpi_check_rsdp(&r, 19, &root, &is_xsdt, &d), E_INVAL, d, "19");
}
END_TEST

START_TEST(rsdp_length_beyond_copy)
{
	struct acpi_rsdp r;
	uint64_t root;
	bool is_xsdt;
	struct diag d = {""};

	/* The RSDP says it is 40 bytes; the copy has 36. */
	rsdp_v2(&r, 0xe1000, 0x123456000);
	r.length = 40;
	rsdp_fix(&r);
	ck_assert_diag(acpi_check_rsdp(&r, sizeof(r), &root, &is_xsdt, &d), E_INVAL, d, "length");
}
END_TEST

START_TEST(rsdp_without_any_root)
{
	struct acpi_rsdp r;
	uint64_t root;
	bool is_xsdt;
	struct diag d = {""};

	rsdp_v1(&r, 0);
	ck_assert_diag(acpi_check_rsdp(&r, 20, &root, &is_xsdt, &d), E_INVAL, d, "RSDT");
}
END_TEST

/* --- acpi_find_table ------------------------------------------------------ */

/* Three tables: "FACP", "APIC" (an MADT), "SSDT", behind a root table. */
static uint64_t three_tables(bool xsdt, uint64_t *madt_pa)
{
	uint64_t pa[3];
	table_init(&t, "FACP", 116);
	pa[0] = phys_put_table(&phys, &t);
	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	pa[1] = *madt_pa = phys_put_table(&phys, &t);
	table_init(&t, "SSDT", 64);
	pa[2] = phys_put_table(&phys, &t);
	return xsdt ? phys_put_xsdt(&phys, pa, 3) : phys_put_rsdt(&phys, pa, 3);
}

START_TEST(find_through_rsdt)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	phys_init(&phys, LOW_BASE);
	uint64_t root = three_tables(false, &madt_pa);
	ck_assert_int_eq(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), 0);
	ck_assert_ptr_eq(h, phys_at(&phys, madt_pa));
	ck_assert_int_eq(acpi_find_table(&phys.acpi, root, false, "SSDT", &h, &d), 0);
	ck_assert_mem_eq(h->signature, "SSDT", 4);
}
END_TEST

START_TEST(find_through_xsdt_above_4g)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	phys_init(&phys, HIGH_BASE);
	uint64_t root = three_tables(true, &madt_pa);
	ck_assert_uint_gt(madt_pa, UINT32_MAX);
	ck_assert_int_eq(acpi_find_table(&phys.acpi, root, true, "APIC", &h, &d), 0);
	ck_assert_ptr_eq(h, phys_at(&phys, madt_pa));
	ck_assert_uint_eq(((const struct acpi_madt *)h)->local_apic_address,
			  MADT_TEST_LAPIC_ADDRESS);
}
END_TEST

START_TEST(find_first_of_two)
{
	const struct acpi_sdt_header *h = NULL;
	struct diag d = {""};
	uint64_t pa[2];

	/* Two SSDTs: the first one listed is returned. */
	phys_init(&phys, LOW_BASE);
	table_init(&t, "SSDT", 40);
	pa[0] = phys_put_table(&phys, &t);
	table_init(&t, "SSDT", 48);
	pa[1] = phys_put_table(&phys, &t);
	uint64_t root = phys_put_rsdt(&phys, pa, 2);
	ck_assert_int_eq(acpi_find_table(&phys.acpi, root, false, "SSDT", &h, &d), 0);
	ck_assert_ptr_eq(h, phys_at(&phys, pa[0]));
}
END_TEST

START_TEST(find_missing_table)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	phys_init(&phys, LOW_BASE);
	uint64_t root = three_tables(false, &madt_pa);
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "SRAT", &h, &d), E_NOTFOUND, d,
		       "SRAT");
}
END_TEST

START_TEST(find_table_with_bad_checksum)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	phys_init(&phys, LOW_BASE);
	uint64_t root = three_tables(false, &madt_pa);
	struct acpi_madt *m = phys_at(&phys, madt_pa);
	m->local_apic_address ^= 0x100;
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), E_CHECKSUM, d,
		       "checksum");
	ck_assert_msg(strstr(d.msg, "APIC"), "diag \"%s\" does not name the table", d.msg);
}
END_TEST

START_TEST(find_root_with_bad_checksum)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	phys_init(&phys, LOW_BASE);
	uint64_t root = three_tables(false, &madt_pa);
	((struct acpi_sdt_header *)phys_at(&phys, root))->oem_revision++;
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), E_CHECKSUM, d,
		       "checksum");
}
END_TEST

START_TEST(find_entry_outside_memory)
{
	const struct acpi_sdt_header *h = NULL;
	struct diag d = {""};
	uint64_t pa[2];

	/* The first entry points below the fake memory, the second past it;
	 * neither may be read. */
	phys_init(&phys, LOW_BASE);
	madt_init(&t);
	pa[0] = LOW_BASE - 0x1000;
	pa[1] = phys_put_table(&phys, &t);
	uint64_t root = phys_put_rsdt(&phys, pa, 2);
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), E_RANGE, d);

	pa[0] = pa[1];
	pa[1] = LOW_BASE + FAKE_PHYS_SIZE;
	root = phys_put_rsdt(&phys, pa, 2);
	ck_assert_int_eq(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), 0);
	d.msg[0] = '\0';
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "SRAT", &h, &d), E_RANGE, d);
}
END_TEST

START_TEST(find_table_running_outside_memory)
{
	const struct acpi_sdt_header *h = NULL;
	struct diag d = {""};

	/* The table's header is in memory, its length takes it past the end. */
	phys_init(&phys, LOW_BASE);
	uint64_t madt = LOW_BASE + FAKE_PHYS_SIZE - 64;
	madt_init(&t);
	table_finish(&t);
	memcpy(phys_at(&phys, madt), t.data, t.len);
	struct acpi_sdt_header *mh = phys_at(&phys, madt);
	mh->length = 4096;
	uint64_t root = phys_put_rsdt(&phys, &madt, 1);
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), E_RANGE, d);
}
END_TEST

START_TEST(find_table_shorter_than_header)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	phys_init(&phys, LOW_BASE);
	uint64_t root = three_tables(false, &madt_pa);
	struct acpi_sdt_header *mh = phys_at(&phys, madt_pa);
	mh->length = 20;
	ck_assert_diag(acpi_find_table(&phys.acpi, root, false, "APIC", &h, &d), E_INVAL, d,
		       "length");
}
END_TEST

START_TEST(find_root_with_wrong_signature)
{
	const struct acpi_sdt_header *h = NULL;
	uint64_t madt_pa;
	struct diag d = {""};

	/* An RSDT where an XSDT was promised (and the other way round). */
	phys_init(&phys, LOW_BASE);
	uint64_t rsdt = three_tables(false, &madt_pa);
	ck_assert_diag(acpi_find_table(&phys.acpi, rsdt, true, "APIC", &h, &d), E_INVAL, d, "XSDT");
	uint64_t xsdt = phys_put_xsdt(&phys, &madt_pa, 1);
	d.msg[0] = '\0';
	ck_assert_diag(acpi_find_table(&phys.acpi, xsdt, false, "APIC", &h, &d), E_INVAL, d,
		       "RSDT");
}
END_TEST

START_TEST(find_root_outside_memory)
{
	const struct acpi_sdt_header *h = NULL;
	struct diag d = {""};

	phys_init(&phys, LOW_BASE);
	ck_assert_diag(acpi_find_table(&phys.acpi, 0xe0000, false, "APIC", &h, &d), E_RANGE, d,
		       "RSDT");
}
END_TEST

/* --- srat_walk ------------------------------------------------------------ */

struct srat_seen {
	int ncpu, nmem;
	uint32_t cpu_id[8], cpu_pxm[8];
	uint64_t mem_base[8], mem_len[8];
	uint32_t mem_pxm[8];
	int stop_after; /* return 5 from the stop_after-th visit; 0: never */
};

static int seen_cpu(void *ctx, uint32_t apic_id, uint32_t pxm)
{
	struct srat_seen *s = ctx;
	ck_assert_int_lt(s->ncpu, 8);
	s->cpu_id[s->ncpu] = apic_id;
	s->cpu_pxm[s->ncpu++] = pxm;
	return s->ncpu + s->nmem == s->stop_after ? 5 : 0;
}

static int seen_memory(void *ctx, uint64_t base, uint64_t length, uint32_t pxm)
{
	struct srat_seen *s = ctx;
	ck_assert_int_lt(s->nmem, 8);
	s->mem_base[s->nmem] = base;
	s->mem_len[s->nmem] = length;
	s->mem_pxm[s->nmem++] = pxm;
	return s->ncpu + s->nmem == s->stop_after ? 5 : 0;
}

START_TEST(srat_reports_enabled_affinities)
{
	struct srat_seen s = {0};
	struct srat_visitor v = {seen_cpu, seen_memory, &s};
	struct diag d = {""};

	srat_init(&t);
	srat_add_cpu(&t, 0, 0x01020304, SRAT_ENABLED); /* all four proximity bytes */
	srat_add_cpu(&t, 1, 9, 0);                     /* disabled */
	srat_add_memory(&t, 0, GiB(1), 3, SRAT_ENABLED);
	srat_add_memory(&t, GiB(1), GiB(1), 4, 0);     /* disabled */
	srat_add_memory(&t, GiB(2), 0, 4, SRAT_ENABLED); /* empty */
	srat_add_x2apic(&t, 0x10000, 0xabcdef01, SRAT_ENABLED);
	srat_add_x2apic(&t, 0x10001, 1, 0);
	const struct acpi_srat *srat = (const void *)table_finish(&t);

	ck_assert_int_eq(srat_walk(srat, &v, &d), 0);
	ck_assert_int_eq(s.ncpu, 2);
	ck_assert_uint_eq(s.cpu_id[0], 0);
	ck_assert_uint_eq(s.cpu_pxm[0], 0x01020304);
	ck_assert_uint_eq(s.cpu_id[1], 0x10000);
	ck_assert_uint_eq(s.cpu_pxm[1], 0xabcdef01);
	ck_assert_int_eq(s.nmem, 1);
	ck_assert_uint_eq(s.mem_base[0], 0);
	ck_assert_uint_eq(s.mem_len[0], GiB(1));
	ck_assert_uint_eq(s.mem_pxm[0], 3);
}
END_TEST

START_TEST(srat_visitor_result_propagates)
{
	struct srat_seen s = {.stop_after = 2};
	struct srat_visitor v = {seen_cpu, seen_memory, &s};
	struct diag d = {""};

	srat_init(&t);
	srat_add_cpu(&t, 0, 0, SRAT_ENABLED);
	srat_add_memory(&t, 0, GiB(1), 0, SRAT_ENABLED);
	srat_add_cpu(&t, 1, 0, SRAT_ENABLED);
	ck_assert_int_eq(srat_walk((const void *)table_finish(&t), &v, &d), 5);
	ck_assert_int_eq(s.ncpu + s.nmem, 2);
}
END_TEST

START_TEST(srat_visitor_may_omit_callbacks)
{
	struct srat_visitor v = {NULL, NULL, NULL};
	struct diag d = {""};

	srat_init(&t);
	srat_add_cpu(&t, 0, 0, SRAT_ENABLED);
	srat_add_memory(&t, 0, GiB(1), 0, SRAT_ENABLED);
	srat_add_x2apic(&t, 300, 0, SRAT_ENABLED);
	ck_assert_int_eq(srat_walk((const void *)table_finish(&t), &v, &d), 0);
}
END_TEST

START_TEST(srat_rejects_short_table)
{
	struct srat_visitor v = {seen_cpu, seen_memory, NULL};
	struct diag d = {""};

	srat_init(&t);
	t.len = 44;
	ck_assert_diag(srat_walk((const void *)table_finish(&t), &v, &d), E_INVAL, d, "SRAT");
}
END_TEST

/* One SRAT with a bad entry at the end; the walk must refuse it (without
 * reading past the table, which ends at the end of readable memory). */
static void srat_rejects(const void *entry, size_t len, const char *word)
{
	struct srat_seen s = {0};
	struct srat_visitor v = {seen_cpu, seen_memory, &s};
	struct diag d = {""};

	srat_init(&t);
	srat_add_cpu(&t, 0, 0, SRAT_ENABLED);
	table_add(&t, entry, len);
	table_finish(&t);
	void *p = guard_tail(t.len);
	memcpy(p, t.data, t.len);
	ck_assert_diag(srat_walk(p, &v, &d), E_INVAL, d, word);
	guard_free(p, t.len);
}

START_TEST(srat_rejects_bad_entry_lengths)
{
	static const uint8_t zero[4] = {SRAT_CPU_AFFINITY, 0};
	static const uint8_t one[4] = {SRAT_MEMORY_AFFINITY, 1};
	static const uint8_t past[8] = {SRAT_MEMORY_AFFINITY, 40};
	static const uint8_t alone[1] = {SRAT_CPU_AFFINITY};
	srat_rejects(zero, sizeof(zero), "length");
	srat_rejects(one, sizeof(one), "length");
	srat_rejects(past, sizeof(past), "length");
	srat_rejects(alone, sizeof(alone), "length");
}
END_TEST

START_TEST(srat_rejects_short_affinities)
{
	/* 5.2.16.1-3: 16, 40 and 24 bytes. */
	static const uint8_t cpu[12] = {SRAT_CPU_AFFINITY, 12, 0, 1, SRAT_ENABLED};
	static const uint8_t mem[32] = {SRAT_MEMORY_AFFINITY, 32};
	static const uint8_t x2apic[20] = {SRAT_X2APIC_AFFINITY, 20};
	srat_rejects(cpu, sizeof(cpu), "CPU");
	srat_rejects(mem, sizeof(mem), "memory");
	srat_rejects(x2apic, sizeof(x2apic), "x2APIC");
}
END_TEST

START_TEST(srat_skips_unknown_entries)
{
	struct srat_seen s = {0};
	struct srat_visitor v = {seen_cpu, seen_memory, &s};
	struct diag d = {""};

	/* 5.2.16.4 GICC affinity (type 3, 18 bytes) means nothing on x86. */
	static const uint8_t gicc[18] = {3, 18};
	srat_init(&t);
	table_add(&t, gicc, sizeof(gicc));
	srat_add_cpu(&t, 4, 1, SRAT_ENABLED);
	ck_assert_int_eq(srat_walk((const void *)table_finish(&t), &v, &d), 0);
	ck_assert_int_eq(s.ncpu, 1);
	ck_assert_uint_eq(s.cpu_id[0], 4);
}
END_TEST

Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");

	TCase *rsdp = tcase_create("rsdp");
	tcase_add_test(rsdp, sum_wraps_modulo_256);
	tcase_add_test(rsdp, rsdp_v1_gives_rsdt);
	tcase_add_test(rsdp, rsdp_v2_gives_xsdt);
	tcase_add_test(rsdp, rsdp_v2_without_xsdt_gives_rsdt);
	tcase_add_test(rsdp, rsdp_bad_signature);
	tcase_add_test(rsdp, rsdp_bad_checksum);
	tcase_add_test(rsdp, rsdp_bad_extended_checksum);
	tcase_add_test(rsdp, rsdp_too_short);
	tcase_add_test(rsdp, rsdp_length_beyond_copy);
	tcase_add_test(rsdp, rsdp_without_any_root);
	suite_add_tcase(s, rsdp);

	TCase *find = tcase_create("find");
	tcase_add_test(find, find_through_rsdt);
	tcase_add_test(find, find_through_xsdt_above_4g);
	tcase_add_test(find, find_first_of_two);
	tcase_add_test(find, find_missing_table);
	tcase_add_test(find, find_table_with_bad_checksum);
	tcase_add_test(find, find_root_with_bad_checksum);
	tcase_add_test(find, find_entry_outside_memory);
	tcase_add_test(find, find_table_running_outside_memory);
	tcase_add_test(find, find_table_shorter_than_header);
	tcase_add_test(find, find_root_with_wrong_signature);
	tcase_add_test(find, find_root_outside_memory);
	suite_add_tcase(s, find);

	TCase *srat = tcase_create("srat");
	tcase_add_test(srat, srat_reports_enabled_affinities);
	tcase_add_test(srat, srat_visitor_result_propagates);
	tcase_add_test(srat, srat_visitor_may_omit_callbacks);
	tcase_add_test(srat, srat_rejects_short_table);
	tcase_add_test(srat, srat_rejects_bad_entry_lengths);
	tcase_add_test(srat, srat_rejects_short_affinities);
	tcase_add_test(srat, srat_skips_unknown_entries);
	suite_add_tcase(s, srat);
	return s;
}
