/*
 * test_madt.c - suite "madt": finding the CPUs in the ACPI MADT (lab 0).
 *
 * ACPI 6.5, 5.2.12: after the MADT's 44-byte fixed part come interrupt
 * controller structures, each u8 type and u8 length first. madt_walk()
 * (labs/00-boot/madt_walk.c) reports the enabled Processor Local APIC
 * (type 0, 8 bytes, 5.2.12.2) and Processor Local x2APIC (type 9, 16 bytes,
 * 5.2.12.12) structures in table order, skips every other type by its
 * length, and refuses a length that would make it loop or read outside the
 * table. The last test reads the same table through machine_from_acpi(),
 * which is how the shim and linux-stub number their CPUs.
 */
#include "fixtures.h"
#include "machine.h"

struct seen {
	int n;
	struct madt_cpu cpus[16];
	int stop_at; /* return ret at the stop_at-th CPU (1-based); 0: never */
	int ret;
};

static int record(const struct madt_cpu *cpu, void *ctx)
{
	struct seen *s = ctx;
	ck_assert_msg(s->n < (int)ARRAY_SIZE(s->cpus), "callback called too often");
	s->cpus[s->n++] = *cpu;
	return s->n == s->stop_at ? s->ret : 0;
}

static struct acpi_table t;

static const struct acpi_madt *madt(void)
{
	return (const struct acpi_madt *)table_finish(&t);
}

/* The table ends where readable memory ends (fixtures.h, guard_tail). */
static const struct acpi_madt *madt_at_end_of_memory(void)
{
	table_finish(&t);
	void *p = guard_tail(t.len);
	memcpy(p, t.data, t.len);
	return p;
}

static void assert_cpu(const struct seen *s, int i, uint32_t apic_id, uint32_t uid, bool x2apic)
{
	const struct madt_cpu *c = &s->cpus[i];
	ck_assert_msg(c->apic_id == apic_id && c->processor_uid == uid && c->x2apic == x2apic,
		      "cpu %d: apic_id %u uid %u x2apic %d, expected %u %u %d", i, c->apic_id,
		      c->processor_uid, c->x2apic, apic_id, uid, x2apic);
}

/* --- valid tables ---------------------------------------------------------- */

START_TEST(reports_enabled_cpus_in_order)
{
	struct seen s = {0};
	struct diag d = {""};

	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	madt_add_x2apic(&t, 300, 7, MADT_ENABLED);
	madt_add_lapic(&t, 2, 4, MADT_ENABLED | MADT_ONLINE_CAPABLE);
	madt_add_x2apic(&t, 0x12345678, 0xdeadbeef, MADT_ENABLED);
	ck_assert_int_eq(madt_walk(madt(), record, &s, &d), 0);
	ck_assert_int_eq(s.n, 4);
	assert_cpu(&s, 0, 0, 0, false);
	assert_cpu(&s, 1, 300, 7, true);
	assert_cpu(&s, 2, 4, 2, false);
	assert_cpu(&s, 3, 0x12345678, 0xdeadbeef, true);
}
END_TEST

START_TEST(skips_disabled_cpus)
{
	struct seen s = {0};
	struct diag d = {""};

	/* Table 5.23: Enabled clear means not usable now, even when Online
	 * Capable says it could be hot-added later. */
	madt_init(&t);
	madt_add_lapic(&t, 0, 0, 0);
	madt_add_lapic(&t, 1, 1, MADT_ENABLED);
	madt_add_lapic(&t, 2, 2, MADT_ONLINE_CAPABLE);
	madt_add_x2apic(&t, 256, 3, 0);
	madt_add_x2apic(&t, 257, 4, MADT_ENABLED);
	madt_add_x2apic(&t, 258, 5, MADT_ONLINE_CAPABLE);
	ck_assert_int_eq(madt_walk(madt(), record, &s, &d), 0);
	ck_assert_int_eq(s.n, 2);
	assert_cpu(&s, 0, 1, 1, false);
	assert_cpu(&s, 1, 257, 4, true);
}
END_TEST

START_TEST(skips_other_structures)
{
	struct seen s = {0};
	struct diag d = {""};

	/* An I/O APIC (type 1, 12 bytes), an interrupt source override (type 2,
	 * 10 bytes) and a local APIC NMI (type 4, 6 bytes) between CPUs. */
	static const uint8_t override[10] = {2, 10, 0, 0, 2, 0, 0, 0, 0, 0};
	static const uint8_t nmi[6] = {4, 6, 0xff, 0, 0, 1};
	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	madt_add_ioapic(&t, 0, 0xfec00000, 0);
	table_add(&t, override, sizeof(override));
	madt_add_lapic(&t, 1, 2, MADT_ENABLED);
	table_add(&t, nmi, sizeof(nmi));
	madt_add_x2apic(&t, 1000, 9, MADT_ENABLED);
	ck_assert_int_eq(madt_walk(madt_at_end_of_memory(), record, &s, &d), 0);
	ck_assert_int_eq(s.n, 3);
	assert_cpu(&s, 0, 0, 0, false);
	assert_cpu(&s, 1, 2, 1, false);
	assert_cpu(&s, 2, 1000, 9, true);
}
END_TEST

START_TEST(empty_table)
{
	struct seen s = {0};
	struct diag d = {""};

	madt_init(&t);
	ck_assert_int_eq(madt_walk(madt_at_end_of_memory(), record, &s, &d), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(stops_at_table_length)
{
	struct seen s = {0};
	struct diag d = {""};

	/* A CPU structure after header.length is not part of the table. */
	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	table_finish(&t);
	madt_add_lapic(&t, 1, 1, MADT_ENABLED);
	ck_assert_int_eq(madt_walk((const void *)t.data, record, &s, &d), 0);
	ck_assert_int_eq(s.n, 1);
}
END_TEST

START_TEST(callback_result_propagates)
{
	static const int results[] = {7, 1, -42};
	struct diag d = {""};

	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	madt_add_x2apic(&t, 400, 1, MADT_ENABLED);
	madt_add_lapic(&t, 2, 2, MADT_ENABLED);
	for (size_t i = 0; i < ARRAY_SIZE(results); i++) {
		struct seen s = {.stop_at = 2, .ret = results[i]};
		int r = madt_walk(madt(), record, &s, &d);
		ck_assert_msg(r == results[i], "callback returned %d, walk returned %d", results[i],
			      r);
		ck_assert_msg(s.n == 2, "the walk went on after the callback returned %d",
			      results[i]);
	}
}
END_TEST

/* --- malformed tables ------------------------------------------------------ */

START_TEST(rejects_entry_length_zero_or_one)
{
	/* A length below 2 would make the walk stand still (or loop forever):
	 * refused for the structures it reports and those it skips alike. */
	static const uint8_t types[] = {MADT_LOCAL_APIC, 1, 2, MADT_LOCAL_X2APIC};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		for (uint8_t len = 0; len < 2; len++) {
			struct seen s = {0};
			struct diag d = {""};
			uint8_t bad[16] = {types[i], len, 0, 1, MADT_ENABLED};
			madt_init(&t);
			madt_add_lapic(&t, 0, 0, MADT_ENABLED);
			table_add(&t, bad, sizeof(bad));
			ck_assert_diag(madt_walk(madt(), record, &s, &d), E_INVAL, d);
			ck_assert_msg(s.n <= 1, "type %u length %u: the walk reported %d CPUs",
				      types[i], len, s.n);
		}
	}
}
END_TEST

START_TEST(rejects_entry_past_table)
{
	struct seen s = {0};
	struct diag d = {""};

	/* The last structure says 16 bytes; only 8 are left in the table. */
	uint8_t bad[8] = {MADT_LOCAL_X2APIC, 16};
	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	table_add(&t, bad, sizeof(bad));
	ck_assert_diag(madt_walk(madt_at_end_of_memory(), record, &s, &d), E_INVAL, d);
}
END_TEST

START_TEST(rejects_entry_one_byte_past_table)
{
	/* The classic off-by-one: a last structure whose length is one more
	 * than the bytes left, for a type the walk reports and one it skips
	 * (found by the mutant "madt-length-off-by-one", tests/lab_mutants.py). */
	static const uint8_t types[] = {MADT_LOCAL_APIC, 1};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct seen s = {0};
		struct diag d = {""};
		uint8_t bad[8] = {types[i], sizeof(bad) + 1, 0, 1, MADT_ENABLED};
		madt_init(&t);
		madt_add_lapic(&t, 0, 0, MADT_ENABLED);
		table_add(&t, bad, sizeof(bad));
		ck_assert_diag(madt_walk(madt_at_end_of_memory(), record, &s, &d), E_INVAL, d);
	}
}
END_TEST

START_TEST(rejects_trailing_byte)
{
	struct seen s = {0};
	struct diag d = {""};

	/* One byte left: not even a type and a length. */
	madt_init(&t);
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	table_add(&t, "\0", 1);
	ck_assert_diag(madt_walk(madt_at_end_of_memory(), record, &s, &d), E_INVAL, d);
}
END_TEST

START_TEST(rejects_short_local_apic)
{
	struct seen s = {0};
	struct diag d = {""};

	/* 5.2.12.2: a Processor Local APIC structure is 8 bytes. */
	uint8_t bad[6] = {MADT_LOCAL_APIC, 6, 1, 1, MADT_ENABLED, 0};
	madt_init(&t);
	table_add(&t, bad, sizeof(bad));
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	ck_assert_diag(madt_walk(madt(), record, &s, &d), E_INVAL, d);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(rejects_short_local_x2apic)
{
	struct seen s = {0};
	struct diag d = {""};

	/* 5.2.12.12: a Processor Local x2APIC structure is 16 bytes. */
	uint8_t bad[12] = {MADT_LOCAL_X2APIC, 12, 0, 0, 0, 1, 0, 0, MADT_ENABLED};
	madt_init(&t);
	table_add(&t, bad, sizeof(bad));
	madt_add_lapic(&t, 0, 0, MADT_ENABLED);
	ck_assert_diag(madt_walk(madt(), record, &s, &d), E_INVAL, d);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(rejects_short_table)
{
	struct seen s = {0};
	struct diag d = {""};

	/* The fixed part alone is 44 bytes; a 40-byte "MADT" is broken. */
	madt_init(&t);
	t.len = 40;
	ck_assert_diag(madt_walk(madt(), record, &s, &d), E_INVAL, d);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

/* --- through machine_from_acpi ------------------------------------------ */

START_TEST(machine_numbers_cpus_in_madt_order)
{
	static struct fake_phys phys;
	static struct machine m;
	struct acpi_rsdp rsdp;
	struct diag d = {""};

	phys_init(&phys, 0x7fe0000);
	madt_init(&t);
	madt_add_lapic(&t, 0, 2, MADT_ENABLED);
	madt_add_lapic(&t, 1, 0, 0);
	madt_add_ioapic(&t, 0, 0xfec00000, 0);
	madt_add_lapic(&t, 2, 0, MADT_ENABLED);
	madt_add_x2apic(&t, 300, 3, MADT_ENABLED);
	size_t len = acpi_place(&phys, &t, NULL, false, &rsdp);

	ck_assert_int_eq(machine_from_acpi(&m, &phys.acpi, &rsdp, len, &d), 0);
	ck_assert_uint_eq(m.ncpus, 3);
	ck_assert_uint_eq(m.cpus[0].apic_id, 2);
	ck_assert_uint_eq(m.cpus[1].apic_id, 0);
	ck_assert_uint_eq(m.cpus[1].processor_uid, 2);
	ck_assert_uint_eq(m.cpus[2].apic_id, 300);
	ck_assert_msg(m.cpus[2].x2apic && !m.cpus[0].x2apic, "x2apic flags copied");
	ck_assert_uint_eq(m.local_apic_address, MADT_TEST_LAPIC_ADDRESS);
	ck_assert_int_eq(machine_cpu_index(&m, 300), 2);
	ck_assert_int_eq(machine_cpu_index(&m, 1), -1);
}
END_TEST

Suite *madt_suite(void)
{
	Suite *s = suite_create("madt");

	TCase *valid = tcase_create("valid");
	tcase_add_test(valid, reports_enabled_cpus_in_order);
	tcase_add_test(valid, skips_disabled_cpus);
	tcase_add_test(valid, skips_other_structures);
	tcase_add_test(valid, empty_table);
	tcase_add_test(valid, stops_at_table_length);
	tcase_add_test(valid, callback_result_propagates);
	suite_add_tcase(s, valid);

	TCase *bad = tcase_create("malformed");
	tcase_add_test(bad, rejects_entry_length_zero_or_one);
	tcase_add_test(bad, rejects_entry_past_table);
	tcase_add_test(bad, rejects_entry_one_byte_past_table);
	tcase_add_test(bad, rejects_trailing_byte);
	tcase_add_test(bad, rejects_short_local_apic);
	tcase_add_test(bad, rejects_short_local_x2apic);
	tcase_add_test(bad, rejects_short_table);
	suite_add_tcase(s, bad);

	TCase *machine = tcase_create("machine");
	tcase_add_test(machine, machine_numbers_cpus_in_madt_order);
	suite_add_tcase(s, machine);
	return s;
}
