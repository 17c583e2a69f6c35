/*
 * test_params.c - suite "params": the sidecar's check of the parameter page
 * (lib/portable/params.c), which runs on the sidecar's own copy before anything
 * believes it.
 *
 * A good page first: two nodes of four CPUs, each starting three, memory
 * and the output page below 4 GiB. Then one change at a time, each a value
 * the shim would never write but a corrupted page could hold. Most are sums
 * that wrap when added naively (first_cpu + cpu_count in 32 bits,
 * memory_base + need and output_page + its size in 64 bits, timeouts and
 * TSC rates that overflow when multiplied): each must be refused, with a
 * message that names the field and its value.
 */
#include "fixtures.h"
#include "params.h"

static struct sidecar_params p;
static struct diag d;

static void good_page(void)
{
	memset(&p, 0, sizeof(p));
	p.abi_version = SIDECAR_ABI_VERSION;
	p.node_count = 2;
	p.cpu_count = 8;
	p.tsc_khz = 3000000;
	p.trampoline_page = 0x8000;
	p.local_apic_base = 0xfee00000;
	p.start_timeout_us = 1000000;
	p.output_page = 0x3000000;
	for (uint32_t n = 0; n < 2; n++) {
		p.nodes[n] = (struct sidecar_param_node){MiB(64) + n * MiB(1), MiB(1), 4 * n, 4};
		for (uint32_t i = 0; i < 4; i++)
			p.cpus[4 * n + i] = (struct sidecar_param_cpu){4 * n + i, (uint16_t)n, i != 0, 0};
	}
	memset(&d, 0, sizeof(d));
}

/* p is refused, with a message that contains want. */
static void refused(const char *want)
{
	int r = sidecar_params_check(&p, &d);
	ck_assert_msg(r < 0, "accepted; expected a refusal mentioning \"%s\"", want);
	ck_assert_msg(strstr(d.msg, want), "message \"%s\" does not mention \"%s\"", d.msg, want);
}

START_TEST(good_page_passes)
{
	good_page();
	ck_assert_msg(sidecar_params_check(&p, &d) == 0, "refused: %s", d.msg);
	ck_assert_int_eq(sidecar_params_check_output(&p, &d), 0);
}
END_TEST

START_TEST(node_cpus_wrap_32_bits)
{
	/* 0xffffffff + 2 is 1 in 32 bits: "1 <= cpu_count" would pass. */
	good_page();
	p.nodes[1].first_cpu = 0xffffffff;
	p.nodes[1].cpu_count = 2;
	refused("node 1: CPUs from 4294967295, 2 of them, run past cpu_count 8");
	good_page();
	p.nodes[1].first_cpu = 4;
	p.nodes[1].cpu_count = 0xfffffffd; /* 4 + that wraps to 1 */
	refused("node 1: CPUs from 4, 4294967293 of them");
	good_page();
	p.nodes[1].first_cpu = 9; /* past the end, and no wrap needed */
	p.nodes[1].cpu_count = 0;
	refused("run past cpu_count 8");
}
END_TEST

START_TEST(node_memory_wraps_64_bits)
{
	/* base + need wraps past 2^64 to a small number below 4 GiB. */
	good_page();
	p.nodes[0].memory_base = 0xfffffffffffff000ull;
	refused("node 0: memory at 0xfffffffffffff000");
	good_page();
	p.nodes[0].memory_base = (1ull << 47) - 0x1000; /* no wrap, ends past 128 TiB */
	refused("is not whole pages between 1 MiB and 128 TiB");
	good_page();
	p.nodes[0].memory_base = GiB(6); /* above 4 GiB is a node's right */
	ck_assert_int_eq(sidecar_params_check(&p, &d), 0);
	good_page();
	p.nodes[0].memory_base = 0x80000; /* the first MiB is the trampoline's */
	refused("node 0: memory at 0x80000");
	good_page();
	p.nodes[0].memory_base += 0x800; /* not a page */
	refused("node 0: memory at 0x4000800");
}
END_TEST

START_TEST(node_memory_too_small_and_too_many_cpus)
{
	good_page();
	p.nodes[1].memory_size = 0x1000;
	refused("node 1: 4096 bytes of memory for 3 CPUs, need");
	/* cpu_count bounds the product in SIDECAR_NODE_BYTES before it is formed. */
	good_page();
	p.cpu_count = 2048;
	p.nodes[1].cpu_count = 2044;
	for (uint32_t i = 8; i < 2048; i++)
		p.cpus[i].node = 1;
	refused("node 1 has 2044 CPUs; its control page holds at most 1008");
	good_page();
	p.cpus[5].node = 0;
	refused("cpu 5 is listed in node 1 but says node 0");
}
END_TEST

START_TEST(output_page_wraps)
{
	good_page();
	p.output_page = 0xfffffffffffff000ull; /* + 21 pages wraps */
	refused("output page 0xfffffffffffff000 (21 pages)");
	ck_assert_int_lt(sidecar_params_check_output(&p, &d), 0);
	good_page();
	p.output_page = GiB(4) - 0x4000; /* ends past 4 GiB */
	refused("output page 0xffffc000");
	good_page();
	p.output_page = 0;
	refused("output page 0x0");
}
END_TEST

START_TEST(products_that_overflow)
{
	/* 4 * start_timeout_us * 1000 ns wraps 64 bits above 4.6e15 us. */
	good_page();
	p.start_timeout_us = 0x4000000000000000ull;
	refused("start_timeout_us 4611686018427387904 is more than 60000000");
	/* us * tsc_khz in the delays wraps for a TSC this fast. */
	good_page();
	p.tsc_khz = 0x1000000000000ull;
	refused("tsc_khz 281474976710656 is more than 100000000");
	good_page();
	p.tsc_khz = 0;
	refused("tsc_khz 0 and start_timeout_us 1000000 must be set");
}
END_TEST

START_TEST(header_fields)
{
	good_page();
	p.abi_version = 7;
	refused("ABI version 7, expected 1");
	good_page();
	p.node_count = 129;
	refused("node_count 129 out of range 1..128");
	good_page();
	p.cpu_count = 0;
	refused("cpu_count 0 out of range 1..2048");
	good_page();
	p.trampoline_page = 0x100000;
	refused("trampoline page 0x100000 is not a page below 1 MiB");
}
END_TEST

Suite *params_suite(void)
{
	Suite *s = suite_create("params");
	TCase *t = tcase_create("check");
	tcase_add_test(t, good_page_passes);
	tcase_add_test(t, node_cpus_wrap_32_bits);
	tcase_add_test(t, node_memory_wraps_64_bits);
	tcase_add_test(t, node_memory_too_small_and_too_many_cpus);
	tcase_add_test(t, output_page_wraps);
	tcase_add_test(t, products_that_overflow);
	tcase_add_test(t, header_fields);
	suite_add_tcase(s, t);
	return s;
}
