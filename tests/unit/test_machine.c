/*
 * test_machine.c - suite "machine": CPUs and NUMA nodes from the MADT and
 * SRAT (lib/portable/machine.c).
 *
 * machine_from_acpi() lists the enabled CPUs in MADT order (through the
 * lab-0 madt_walk(), so this suite fails on an untouched skeleton) and, when
 * there is an SRAT (ACPI 6.5, 5.2.16), numbers the proximity domains densely
 * from 0 in increasing order and gives every CPU and memory range its node.
 * No SRAT means one node. The tables sit in fake physical memory
 * (fixtures.h) behind an RSDT or an XSDT.
 */
#include "fixtures.h"
#include "machine.h"

static struct fake_phys phys;
static struct acpi_table madt, srat;
static struct machine m;
static struct acpi_rsdp rsdp;

/* Build the machine from madt (and srat, when with_srat); 0 or the error. */
static int build(bool with_srat, bool xsdt, struct diag *d)
{
	phys_init(&phys, xsdt ? 0x17ff00000ull : 0x7fe0000ull);
	size_t len = acpi_place(&phys, &madt, with_srat ? &srat : NULL, xsdt, &rsdp);
	return machine_from_acpi(&m, &phys.acpi, &rsdp, len, d);
}

/* Four CPUs, APIC IDs 0, 1, 2, 3. */
static void four_cpus(void)
{
	madt_init(&madt);
	for (uint8_t i = 0; i < 4; i++)
		madt_add_lapic(&madt, i, i, MADT_ENABLED);
}

static void assert_nodes(const uint32_t *expected, uint32_t n)
{
	ck_assert_uint_eq(m.ncpus, n);
	for (uint32_t i = 0; i < n; i++)
		ck_assert_msg(m.cpus[i].node == expected[i],
			      "cpu %u (apic %u) on node %u, expected %u", i, m.cpus[i].apic_id,
			      m.cpus[i].node, expected[i]);
}

START_TEST(no_srat_means_one_node)
{
	static const uint32_t nodes[] = {0, 0, 0, 0};
	struct diag d = {""};

	four_cpus();
	ck_assert_int_eq(build(false, false, &d), 0);
	ck_assert_uint_eq(m.nnodes, 1);
	ck_assert_msg(!m.have_srat, "there is no SRAT");
	ck_assert_uint_eq(m.nmemory, 0);
	ck_assert_uint_eq(m.skipped_cpus, 0);
	ck_assert_uint_eq(m.local_apic_address, MADT_TEST_LAPIC_ADDRESS);
	assert_nodes(nodes, 4);
}
END_TEST

START_TEST(srat_nodes_sorted_by_proximity)
{
	/* CPUs 0 and 1 in proximity domain 7, CPUs 2 and 3 in domain 3: domain 3
	 * becomes node 0 and domain 7 node 1, whatever the table order. */
	static const uint32_t nodes[] = {1, 1, 0, 0};
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_cpu(&srat, 0, 7, SRAT_ENABLED);
	srat_add_cpu(&srat, 1, 7, SRAT_ENABLED);
	srat_add_cpu(&srat, 2, 3, SRAT_ENABLED);
	srat_add_cpu(&srat, 3, 3, SRAT_ENABLED);
	ck_assert_int_eq(build(true, false, &d), 0);
	ck_assert_msg(m.have_srat, "the SRAT was read");
	ck_assert_uint_eq(m.nnodes, 2);
	ck_assert_uint_eq(m.node_proximity[0], 3);
	ck_assert_uint_eq(m.node_proximity[1], 7);
	assert_nodes(nodes, 4);
}
END_TEST

START_TEST(srat_memory_ranges_get_nodes)
{
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_memory(&srat, 0, GiB(1), 7, SRAT_ENABLED);
	srat_add_memory(&srat, GiB(1), GiB(1), 3, SRAT_ENABLED);
	srat_add_memory(&srat, GiB(2), GiB(1), 5, 0); /* disabled: not listed */
	srat_add_memory(&srat, GiB(4), GiB(2), 7, SRAT_ENABLED);
	srat_add_cpu(&srat, 0, 3, SRAT_ENABLED);
	srat_add_cpu(&srat, 1, 7, SRAT_ENABLED);
	ck_assert_int_eq(build(true, false, &d), 0);
	ck_assert_uint_eq(m.nnodes, 2);
	ck_assert_uint_eq(m.nmemory, 3);
	ck_assert_uint_eq(m.memory[0].base, 0);
	ck_assert_uint_eq(m.memory[0].length, GiB(1));
	ck_assert_uint_eq(m.memory[0].node, 1);
	ck_assert_uint_eq(m.memory[1].base, GiB(1));
	ck_assert_uint_eq(m.memory[1].node, 0);
	ck_assert_uint_eq(m.memory[2].base, GiB(4));
	ck_assert_uint_eq(m.memory[2].length, GiB(2));
	ck_assert_uint_eq(m.memory[2].node, 1);
}
END_TEST

START_TEST(cpu_without_affinity_goes_to_node_0)
{
	/* CPU 3 is not in the SRAT; CPU 2's entry is disabled. */
	static const uint32_t nodes[] = {1, 2, 0, 0};
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_cpu(&srat, 0, 20, SRAT_ENABLED);
	srat_add_x2apic(&srat, 1, 30, SRAT_ENABLED);
	srat_add_cpu(&srat, 2, 30, 0);
	srat_add_memory(&srat, 0, GiB(1), 10, SRAT_ENABLED);
	ck_assert_int_eq(build(true, false, &d), 0);
	ck_assert_uint_eq(m.nnodes, 3);
	ck_assert_uint_eq(m.node_proximity[0], 10);
	ck_assert_uint_eq(m.node_proximity[1], 20);
	ck_assert_uint_eq(m.node_proximity[2], 30);
	assert_nodes(nodes, 4);
}
END_TEST

START_TEST(srat_for_absent_cpu_ignored)
{
	/* An SRAT entry for APIC ID 9, which the MADT does not enable, makes no
	 * node of its own. */
	static const uint32_t nodes[] = {0, 0, 0, 0};
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_cpu(&srat, 0, 1, SRAT_ENABLED);
	srat_add_cpu(&srat, 9, 2, SRAT_ENABLED);
	ck_assert_int_eq(build(true, false, &d), 0);
	ck_assert_uint_eq(m.nnodes, 1);
	ck_assert_uint_eq(m.node_proximity[0], 1);
	assert_nodes(nodes, 4);
}
END_TEST

START_TEST(through_xsdt)
{
	static const uint32_t nodes[] = {0, 0, 1, 1};
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_cpu(&srat, 0, 0, SRAT_ENABLED);
	srat_add_cpu(&srat, 1, 0, SRAT_ENABLED);
	srat_add_cpu(&srat, 2, 1, SRAT_ENABLED);
	srat_add_cpu(&srat, 3, 1, SRAT_ENABLED);
	ck_assert_int_eq(build(true, true, &d), 0);
	ck_assert_uint_eq(m.nnodes, 2);
	assert_nodes(nodes, 4);
}
END_TEST

START_TEST(duplicate_apic_ids_counted_once)
{
	struct diag d = {""};

	/* ACPI 5.2.12.12: the same processor may appear as Local APIC and as
	 * Local x2APIC. */
	madt_init(&madt);
	madt_add_lapic(&madt, 0, 0, MADT_ENABLED);
	madt_add_lapic(&madt, 1, 5, MADT_ENABLED);
	madt_add_x2apic(&madt, 5, 1, MADT_ENABLED);
	madt_add_x2apic(&madt, 300, 2, MADT_ENABLED);
	ck_assert_int_eq(build(false, false, &d), 0);
	ck_assert_uint_eq(m.ncpus, 3);
	ck_assert_uint_eq(m.skipped_cpus, 1);
	ck_assert_uint_eq(m.cpus[1].apic_id, 5);
	ck_assert_msg(!m.cpus[1].x2apic, "the first structure for APIC ID 5 counts");
	ck_assert_uint_eq(m.cpus[2].apic_id, 300);
}
END_TEST

START_TEST(no_enabled_cpu_is_an_error)
{
	struct diag d = {""};

	madt_init(&madt);
	madt_add_lapic(&madt, 0, 0, 0);
	madt_add_ioapic(&madt, 0, 0xfec00000, 0);
	int r = build(false, false, &d);
	ck_assert_msg(r < 0, "returned %d for a MADT without an enabled CPU", r);
	ck_assert_msg(d.msg[0], "no message");
}
END_TEST

START_TEST(missing_madt_is_an_error)
{
	struct diag d = {""};

	/* Only a "FACP" behind the RSDT. */
	table_init(&madt, "FACP", 116);
	ck_assert_diag(build(false, false, &d), E_NOTFOUND, d, "APIC");
}
END_TEST

START_TEST(bad_srat_is_an_error)
{
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_cpu(&srat, 0, 1, SRAT_ENABLED);
	phys_init(&phys, 0x7fe0000);
	size_t len = acpi_place(&phys, &madt, &srat, false, &rsdp);
	const struct acpi_sdt_header *h;
	ck_assert_int_eq(acpi_find_table(&phys.acpi, rsdp.rsdt_address, false, "SRAT", &h, &d), 0);
	((struct acpi_sdt_header *)h)->oem_revision++;
	ck_assert_diag(machine_from_acpi(&m, &phys.acpi, &rsdp, len, &d), E_CHECKSUM, d, "SRAT");
}
END_TEST

START_TEST(bad_rsdp_is_an_error)
{
	struct diag d = {""};

	four_cpus();
	phys_init(&phys, 0x7fe0000);
	size_t len = acpi_place(&phys, &madt, NULL, false, &rsdp);
	rsdp.rsdt_address += 16;
	ck_assert_diag(machine_from_acpi(&m, &phys.acpi, &rsdp, len, &d), E_CHECKSUM, d, "RSDP");
}
END_TEST

START_TEST(too_many_proximity_domains)
{
	struct diag d = {""};

	/* MAX_NODES domains fit; one more is refused, not silently merged. */
	four_cpus();
	srat_init(&srat);
	for (uint32_t i = 0; i < MAX_NODES; i++)
		srat_add_memory(&srat, GiB(i), GiB(1), 100 - i, SRAT_ENABLED);
	ck_assert_int_eq(build(true, false, &d), 0);
	ck_assert_uint_eq(m.nnodes, MAX_NODES);
	ck_assert_uint_eq(m.node_proximity[0], 100 - (MAX_NODES - 1));
	ck_assert_uint_eq(m.memory[0].node, MAX_NODES - 1);

	srat_add_memory(&srat, GiB(MAX_NODES), GiB(1), 1000, SRAT_ENABLED);
	ck_assert_diag(build(true, false, &d), E_RANGE, d, "proximity");
}
END_TEST

START_TEST(srat_memory_wrapping)
{
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_memory(&srat, UINT64_MAX - MiB(1) + 1, MiB(2), 0, SRAT_ENABLED);
	ck_assert_diag(build(true, false, &d), E_INVAL, d, "wraps");
}
END_TEST

/* --- machine_add_cpu and machine_cpu_index ------------------------------- */

START_TEST(add_cpu)
{
	struct diag d = {""};

	four_cpus();
	srat_init(&srat);
	srat_add_cpu(&srat, 0, 0, SRAT_ENABLED);
	srat_add_cpu(&srat, 1, 1, SRAT_ENABLED);
	ck_assert_int_eq(build(true, false, &d), 0);
	ck_assert_int_eq(machine_add_cpu(&m, 77, 1, &d), 0);
	ck_assert_uint_eq(m.ncpus, 5);
	ck_assert_uint_eq(m.cpus[4].apic_id, 77);
	ck_assert_uint_eq(m.cpus[4].node, 1);
	ck_assert_int_eq(machine_cpu_index(&m, 77), 4);
	ck_assert_int_eq(machine_cpu_index(&m, 3), 3);
	ck_assert_int_eq(machine_cpu_index(&m, 78), -1);
}
END_TEST

START_TEST(add_cpu_errors)
{
	struct diag d = {""};

	four_cpus();
	ck_assert_int_eq(build(false, false, &d), 0);
	ck_assert_diag(machine_add_cpu(&m, 2, 0, &d), E_INVAL, d, "2");
	d.msg[0] = '\0';
	ck_assert_diag(machine_add_cpu(&m, 50, 1, &d), E_RANGE, d, "node");
	ck_assert_uint_eq(m.ncpus, 4);

	while (m.ncpus < MAX_CPUS)
		ck_assert_int_eq(machine_add_cpu(&m, 1000 + m.ncpus, 0, &d), 0);
	d.msg[0] = '\0';
	ck_assert_diag(machine_add_cpu(&m, 5000, 0, &d), E_NOMEM, d);
	ck_assert_uint_eq(m.ncpus, MAX_CPUS);
}
END_TEST

Suite *machine_suite(void)
{
	Suite *s = suite_create("machine");

	TCase *acpi = tcase_create("from_acpi");
	tcase_add_test(acpi, no_srat_means_one_node);
	tcase_add_test(acpi, srat_nodes_sorted_by_proximity);
	tcase_add_test(acpi, srat_memory_ranges_get_nodes);
	tcase_add_test(acpi, cpu_without_affinity_goes_to_node_0);
	tcase_add_test(acpi, srat_for_absent_cpu_ignored);
	tcase_add_test(acpi, through_xsdt);
	tcase_add_test(acpi, duplicate_apic_ids_counted_once);
	tcase_add_test(acpi, no_enabled_cpu_is_an_error);
	tcase_add_test(acpi, missing_madt_is_an_error);
	tcase_add_test(acpi, bad_srat_is_an_error);
	tcase_add_test(acpi, bad_rsdp_is_an_error);
	tcase_add_test(acpi, too_many_proximity_domains);
	tcase_add_test(acpi, srat_memory_wrapping);
	suite_add_tcase(s, acpi);

	TCase *add = tcase_create("add_cpu");
	tcase_add_test(add, add_cpu);
	tcase_add_test(add, add_cpu_errors);
	suite_add_tcase(s, add);
	return s;
}
