/*
 * test_numa.c - suite "numa": who keeps which CPU, where each node's sidecar
 * pages go, and how the main kernel hears that commands finished (lab 5,
 * labs/05-numa/), with the CPU lists people write (lib/portable/parse.c).
 *
 * Lab 5's functions sit on every boot's path, so their skeletons do not stop
 * (include/lab.h, lab_fallback): numa_assign_cpus() keeps only the BSP,
 * numa_alloc_node_block() takes any memory and says it is not local,
 * numa_serve_node() turns on nothing and client_collect() scans without
 * clearing needs_attention. Each test here asserts what the fallback does
 * not do - a node's first CPU kept, memory that is the node's own, the
 * response CPU set, needs_attention cleared - so the suite fails on an
 * untouched skeleton. numa_split_nodes() falls back to one sidecar node per
 * NUMA node, so its tests of split= fail on the skeleton too; the
 * parse_cpu_list() tests belong to the framework and pass either way.
 *
 * The machine is built by hand (struct machine, include/machine.h): the
 * "machine" suite already checks how the MADT and SRAT become one.
 */
#include "fixtures.h"
#include "numa.h"
#include "lab_shim.h"
#include "lab_stub.h"

static struct machine m;

/* n CPUs with APIC IDs 0 .. n-1, CPU i on nodes[i]; an SRAT (with no memory
 * ranges yet) when there is more than one node, as lib/portable/machine.c would say. */
static void cpus_on_nodes(const uint32_t *nodes, uint32_t n)
{
	memset(&m, 0, sizeof(m));
	m.ncpus = n;
	for (uint32_t i = 0; i < n; i++) {
		m.cpus[i].apic_id = i;
		m.cpus[i].processor_uid = i;
		m.cpus[i].node = nodes[i];
		if (nodes[i] + 1 > m.nnodes)
			m.nnodes = nodes[i] + 1;
	}
	m.have_srat = m.nnodes > 1;
	m.local_apic_address = MADT_TEST_LAPIC_ADDRESS;
}

/* --- numa_assign_cpus ---------------------------------------------------- */

static struct cpu_policy policy;
static bool main_cpu[MAX_CPUS];

/* Run the policy for the BSP at index bsp. main_cpu[] starts out all true,
 * so a CPU the function forgets to give the sidecar shows. */
static void assign(uint32_t bsp)
{
	memset(main_cpu, true, sizeof(main_cpu));
	numa_assign_cpus(&m, bsp, &policy, main_cpu);
}

/* The main kernel keeps exactly the n CPUs in want[]; the sidecar the rest. */
static void assert_main(const char *what, const uint32_t *want, uint32_t n)
{
	for (uint32_t i = 0; i < m.ncpus; i++) {
		bool kept = false;
		for (uint32_t k = 0; k < n; k++)
			if (want[k] == i)
				kept = true;
		ck_assert_msg(main_cpu[i] == kept,
			      "%s: cpu %u (node %u) goes to the %s, expected the %s", what, i,
			      m.cpus[i].node, main_cpu[i] ? "main kernel" : "sidecar",
			      kept ? "main kernel" : "sidecar");
	}
}

/* Two nodes of four CPUs: 0-3 on node 0, 4-7 on node 1. */
static const uint32_t two_by_four[] = {0, 0, 0, 0, 1, 1, 1, 1};

START_TEST(default_keeps_each_nodes_first_cpu)
{
	static const uint32_t want[] = {0, 4};

	cpus_on_nodes(two_by_four, ARRAY_SIZE(two_by_four));
	memset(&policy, 0, sizeof(policy));
	assign(0);
	assert_main("default, bsp 0", want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(default_keeps_the_bsp_too)
{
	/* The BSP is the main kernel's wherever it is: here it is not its
	 * node's first CPU, and the first stays the main kernel's as well. */
	static const uint32_t nodes[] = {0, 0, 1, 1, 2, 2};
	static const uint32_t want_2[] = {0, 2, 4};
	static const uint32_t want_5[] = {0, 2, 4, 5};
	static const uint32_t want_7[] = {0, 4, 7};

	cpus_on_nodes(nodes, ARRAY_SIZE(nodes));
	memset(&policy, 0, sizeof(policy));
	assign(2); /* node 1's first CPU anyway */
	assert_main("default, bsp 2", want_2, ARRAY_SIZE(want_2));
	assign(5); /* node 2's second CPU */
	assert_main("default, bsp 5", want_5, ARRAY_SIZE(want_5));

	cpus_on_nodes(two_by_four, ARRAY_SIZE(two_by_four));
	assign(7); /* the last CPU */
	assert_main("default, bsp 7", want_7, ARRAY_SIZE(want_7));
}
END_TEST

START_TEST(default_first_by_index_when_nodes_interleave)
{
	/* The MADT need not list CPUs by node: a node's first CPU is the one
	 * with the lowest index, whichever node comes first. */
	static const uint32_t nodes[] = {1, 0, 1, 0, 2, 2, 0, 1};
	static const uint32_t want_0[] = {0, 1, 4};
	static const uint32_t want_3[] = {0, 1, 3, 4};

	cpus_on_nodes(nodes, ARRAY_SIZE(nodes));
	memset(&policy, 0, sizeof(policy));
	assign(0);
	assert_main("interleaved, bsp 0", want_0, ARRAY_SIZE(want_0));
	assign(3);
	assert_main("interleaved, bsp 3", want_3, ARRAY_SIZE(want_3));
}
END_TEST

/* --- split=<n>: sidecar nodes of at most n CPUs ----------------------------- */

static uint16_t cpu_node[MAX_CPUS], numa_of[SIDECAR_MAX_NODES];

/* 16 CPUs on two NUMA nodes, 8 each (QEMU's -smp 16 with 2 nodes). */
static const uint32_t two_by_eight[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};

START_TEST(split_nodes_identity_without_split)
{
	/* No split: sidecar node k is NUMA node k, even a node without CPUs. */
	static const uint32_t nodes[] = {0, 0, 2, 2};
	struct diag d = {""};
	cpus_on_nodes(nodes, ARRAY_SIZE(nodes));
	ck_assert_int_eq(numa_split_nodes(&m, 0, SIDECAR_MAX_NODES, cpu_node, numa_of, &d), 3);
	for (uint32_t i = 0; i < m.ncpus; i++)
		ck_assert_uint_eq(cpu_node[i], nodes[i]);
	for (uint32_t k = 0; k < 3; k++)
		ck_assert_uint_eq(numa_of[k], k);
}
END_TEST

START_TEST(split_nodes_cuts_each_numa_node)
{
	/* split=4 on 2 x 8: four sidecar nodes of 4, two in each NUMA node. */
	static const uint16_t want[] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};
	static const uint16_t want_numa[] = {0, 0, 1, 1};
	struct diag d = {""};
	cpus_on_nodes(two_by_eight, ARRAY_SIZE(two_by_eight));
	ck_assert_int_eq(numa_split_nodes(&m, 4, SIDECAR_MAX_NODES, cpu_node, numa_of, &d), 4);
	for (uint32_t i = 0; i < m.ncpus; i++)
		ck_assert_msg(cpu_node[i] == want[i], "cpu %u in sidecar node %u, expected %u", i,
			      cpu_node[i], want[i]);
	for (uint32_t k = 0; k < ARRAY_SIZE(want_numa); k++)
		ck_assert_uint_eq(numa_of[k], want_numa[k]);
}
END_TEST

START_TEST(split_nodes_evenly_and_never_across_numa)
{
	/* OpenHCL's rule: ceil(8 / 3) = 3 chunks of ceil(8 / 3) = 3 CPUs: 3, 3
	 * and 2, not 3, 3, 2 straddling the next NUMA node; with the NUMA nodes
	 * interleaved in the MADT, a chunk is still one NUMA node's. */
	static const uint32_t nodes[] = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
	struct diag d = {""};
	cpus_on_nodes(nodes, ARRAY_SIZE(nodes));
	ck_assert_int_eq(numa_split_nodes(&m, 3, SIDECAR_MAX_NODES, cpu_node, numa_of, &d), 6);
	uint32_t count[6] = {0};
	for (uint32_t i = 0; i < m.ncpus; i++) {
		ck_assert_msg(numa_of[cpu_node[i]] == nodes[i],
			      "cpu %u (NUMA node %u) in sidecar node %u of NUMA node %u", i, nodes[i],
			      cpu_node[i], numa_of[cpu_node[i]]);
		count[cpu_node[i]]++;
	}
	static const uint32_t want[] = {3, 3, 2, 3, 3, 2};
	for (uint32_t k = 0; k < 6; k++)
		ck_assert_msg(count[k] == want[k], "sidecar node %u has %u CPUs, expected %u", k,
			      count[k], want[k]);
	/* 40 CPUs at OpenHCL's 32: two halves of 20, not 32 and 8. */
	static uint32_t forty[40];
	cpus_on_nodes(forty, ARRAY_SIZE(forty));
	ck_assert_int_eq(numa_split_nodes(&m, 32, SIDECAR_MAX_NODES, cpu_node, numa_of, &d), 2);
	ck_assert_uint_eq(cpu_node[19], 0);
	ck_assert_uint_eq(cpu_node[20], 1);
}
END_TEST

START_TEST(split_nodes_refuses_too_many)
{
	/* split=1 on 16 CPUs wants 16 sidecar nodes; with room for 15 that is
	 * an error naming the limit, not 15 nodes and a CPU left out. */
	struct diag d = {""};
	cpus_on_nodes(two_by_eight, ARRAY_SIZE(two_by_eight));
	ck_assert_int_eq(numa_split_nodes(&m, 1, 16, cpu_node, numa_of, &d), 16);
	ck_assert_diag(numa_split_nodes(&m, 1, 15, cpu_node, numa_of, &d), E_RANGE, d,
		       "more than 15 sidecar nodes");
}
END_TEST

START_TEST(split_keeps_each_chunks_first_cpu)
{
	/* split=4 on 2 x 8: CPUs 0, 4, 8 and 12 are the main kernel's, as
	 * OpenHCL's boot_cpus= lists each sidecar node's base VP. */
	static const uint32_t want[] = {0, 4, 8, 12};
	static const uint32_t want_bsp_5[] = {0, 4, 5, 8, 12};
	cpus_on_nodes(two_by_eight, ARRAY_SIZE(two_by_eight));
	memset(&policy, 0, sizeof(policy));
	policy.split = 4;
	assign(0);
	assert_main("split=4, bsp 0", want, ARRAY_SIZE(want));
	assign(5);
	assert_main("split=4, bsp 5", want_bsp_5, ARRAY_SIZE(want_bsp_5));
}
END_TEST

START_TEST(sidecar_off_keeps_every_cpu)
{
	static const uint32_t want[] = {0, 1, 2, 3, 4, 5, 6, 7};

	cpus_on_nodes(two_by_four, ARRAY_SIZE(two_by_four));
	memset(&policy, 0, sizeof(policy));
	policy.sidecar_off = true;
	assign(1);
	assert_main("sidecar=off", want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(list_keeps_exactly_the_listed_and_the_bsp)
{
	/* Node 1's first CPU (4) is not listed: the list replaces the default. */
	static const uint32_t want[] = {0, 2, 3, 6};
	static const uint32_t want_listed_bsp[] = {2, 3, 6};

	cpus_on_nodes(two_by_four, ARRAY_SIZE(two_by_four));
	memset(&policy, 0, sizeof(policy));
	policy.have_list = true;
	policy.main_list[2] = policy.main_list[3] = policy.main_list[6] = true;
	assign(0);
	assert_main("main_cpus=2,3,6, bsp 0", want, ARRAY_SIZE(want));
	assign(6);
	assert_main("main_cpus=2,3,6, bsp 6", want_listed_bsp, ARRAY_SIZE(want_listed_bsp));
}
END_TEST

START_TEST(list_from_the_command_line)
{
	/* What the shim does with main_cpus=1,5-6 (shim/options.c). */
	static const char list[] = "1,5-6";
	static const uint32_t want[] = {0, 1, 5, 6};

	cpus_on_nodes(two_by_four, ARRAY_SIZE(two_by_four));
	memset(&policy, 0, sizeof(policy));
	ck_assert(parse_cpu_list(list, strlen(list), policy.main_list));
	policy.have_list = true;
	assign(0);
	assert_main("main_cpus=1,5-6", want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(empty_list_keeps_only_the_bsp)
{
	static const uint32_t want_default[] = {0, 2, 4};
	static const uint32_t want_empty[] = {2};

	cpus_on_nodes(two_by_four, ARRAY_SIZE(two_by_four));
	memset(&policy, 0, sizeof(policy));
	assign(2);
	assert_main("default, bsp 2", want_default, ARRAY_SIZE(want_default));
	policy.have_list = true; /* and nothing in it */
	assign(2);
	assert_main("empty list, bsp 2", want_empty, ARRAY_SIZE(want_empty));
}
END_TEST

/* --- numa_alloc_node_block ----------------------------------------------- */

static struct physmem pm;

/* A node's block for two CPUs, one of them started: seven pages, so a
 * page-aligned start is not also a block-aligned one. */
#define BLOCK SIDECAR_NODE_BYTES(2, 1)

/* The SRAT's memory for two nodes of 256 MiB, as QEMU makes them (-numa):
 * node 0 is [0, 256 MiB), node 1 [256 MiB, 512 MiB). Nothing is free yet. */
static void node_memory(void)
{
	m.have_srat = true;
	m.nmemory = 2;
	m.memory[0] = (struct machine_memory){.base = 0, .length = MiB(256), .node = 0};
	m.memory[1] = (struct machine_memory){.base = MiB(256), .length = MiB(256), .node = 1};
	physmem_init(&pm);
}

/* Four CPUs, two on each node. */
static void two_nodes(void)
{
	static const uint32_t nodes[] = {0, 0, 1, 1};

	cpus_on_nodes(nodes, ARRAY_SIZE(nodes));
	node_memory();
}

/* Allocate BLOCK for node: it must succeed, page aligned, taken from the
 * free list, and say local as expected. *local starts out the other way, so
 * a function that forgets to set it shows. Returns the address. */
static uint64_t alloc_ok(const char *what, uint32_t node, bool expect_local)
{
	uint64_t a = 0x5a5a5a5a;
	bool local = !expect_local;

	int r = numa_alloc_node_block(&pm, &m, node, BLOCK, &a, &local);
	ck_assert_msg(r == 0, "%s: returned %d (%s), expected 0", what, r, diag_errname(r));
	ck_assert_msg(local == expect_local, "%s: *local is %s, expected %s", what,
		      local ? "true" : "false", expect_local ? "true" : "false");
	ck_assert_msg(a % 4096 == 0, "%s: block at 0x%lx is not page aligned", what,
		      (unsigned long)a);
	ck_assert_msg(!physmem_is_free(&pm, a, BLOCK),
		      "%s: block [0x%lx, 0x%lx) is still free after the allocation", what,
		      (unsigned long)a, (unsigned long)(a + BLOCK));
	return a;
}

/* The block at a lies inside [lo, hi). */
static void assert_inside(const char *what, uint64_t a, uint64_t lo, uint64_t hi)
{
	ck_assert_msg(a >= lo && a + BLOCK <= hi,
		      "%s: block [0x%lx, 0x%lx) is not inside [0x%lx, 0x%lx)", what,
		      (unsigned long)a, (unsigned long)(a + BLOCK), (unsigned long)lo,
		      (unsigned long)hi);
}

START_TEST(alloc_from_the_nodes_own_memory)
{
	two_nodes();
	physmem_add(&pm, MiB(1), MiB(511));
	assert_inside("node 1", alloc_ok("node 1", 1, true), MiB(256), MiB(512));
	assert_inside("node 0", alloc_ok("node 0", 0, true), MiB(1), MiB(256));
}
END_TEST

START_TEST(alloc_aligned_and_taken)
{
	/* Node 1's free memory starts off a page boundary. */
	two_nodes();
	physmem_add(&pm, MiB(1), MiB(255));
	physmem_add(&pm, MiB(256) + 0x123, MiB(256) - 0x123);
	uint64_t a = alloc_ok("node 1, first", 1, true);
	assert_inside("node 1, first", a, MiB(256) + 0x123, MiB(512));
	uint64_t b = alloc_ok("node 1, second", 1, true);
	assert_inside("node 1, second", b, MiB(256) + 0x123, MiB(512));
	ck_assert_msg(a + BLOCK <= b || b + BLOCK <= a,
		      "blocks at 0x%lx and 0x%lx overlap (0x%lx bytes each)", (unsigned long)a,
		      (unsigned long)b, (unsigned long)BLOCK);
	/* The two blocks and nothing else left the free list. */
	ck_assert_uint_eq(physmem_total_free(&pm), MiB(511) - 0x123 - 2 * BLOCK);
}
END_TEST

START_TEST(alloc_node_without_memory_falls_back)
{
	/* A third node with CPUs and no memory (QEMU's -numa node without a
	 * memdev). Memory below 1 MiB is free too: the fallback skips it. */
	static const uint32_t nodes[] = {0, 0, 1, 1, 2, 2};

	cpus_on_nodes(nodes, ARRAY_SIZE(nodes));
	node_memory();
	physmem_add(&pm, 0x1000, 0x9e000);
	physmem_add(&pm, MiB(1), MiB(511));
	assert_inside("node 1", alloc_ok("node 1", 1, true), MiB(256), MiB(512));
	assert_inside("node 2 (no memory)", alloc_ok("node 2 (no memory)", 2, false), MiB(1),
		      GiB(4));
}
END_TEST

START_TEST(alloc_above_4g_is_local)
{
	/* Node 1's memory lies above 4 GiB, as on a real two-socket machine:
	 * its block comes from there, and is local. */
	two_nodes();
	m.memory[1] = (struct machine_memory){.base = GiB(4), .length = GiB(2), .node = 1};
	physmem_add(&pm, MiB(1), MiB(255));
	physmem_add(&pm, GiB(4), GiB(2));
	assert_inside("node 1 above 4 GiB", alloc_ok("node 1 above 4 GiB", 1, true), GiB(4),
		      GiB(6));
}
END_TEST

START_TEST(alloc_full_node_falls_back)
{
	/* Node 1 has room for one block, at the top of its range. */
	two_nodes();
	physmem_add(&pm, MiB(1), MiB(255));
	physmem_add(&pm, MiB(512) - BLOCK, BLOCK);
	uint64_t a = alloc_ok("node 1, first", 1, true);
	ck_assert_msg(a == MiB(512) - BLOCK, "node 1, first: block at 0x%lx, expected 0x%lx",
		      (unsigned long)a, (unsigned long)(MiB(512) - BLOCK));
	assert_inside("node 1, full", alloc_ok("node 1, full", 1, false), MiB(1), MiB(256));
}
END_TEST

START_TEST(alloc_without_srat_is_not_local)
{
	static const uint32_t one_node[] = {0, 0, 0, 0};

	two_nodes();
	physmem_add(&pm, MiB(1), MiB(511));
	assert_inside("node 0, SRAT", alloc_ok("node 0, SRAT", 0, true), MiB(1), MiB(256));

	/* The same memory, the machine as lib/portable/machine.c leaves it without an
	 * SRAT: one node, no memory ranges. Nothing is known to be local. */
	cpus_on_nodes(one_node, ARRAY_SIZE(one_node));
	ck_assert(!m.have_srat && m.nmemory == 0);
	assert_inside("node 0, no SRAT", alloc_ok("node 0, no SRAT", 0, false), MiB(1), GiB(4));
}
END_TEST

START_TEST(alloc_nothing_free)
{
	uint64_t a = 0x5a5a5a5a;
	bool local = false;

	/* One block's worth of memory in all: node 1 gets it, then no one
	 * gets anything. Memory below 1 MiB does not count. */
	two_nodes();
	physmem_add(&pm, 0x1000, 0x9e000);
	physmem_add(&pm, MiB(512) - BLOCK, BLOCK);
	alloc_ok("node 1, the last block", 1, true);
	ck_assert_int_eq(numa_alloc_node_block(&pm, &m, 1, BLOCK, &a, &local), E_NOMEM);
	ck_assert_int_eq(numa_alloc_node_block(&pm, &m, 0, BLOCK, &a, &local), E_NOMEM);
	ck_assert_uint_eq(physmem_total_free(&pm), 0x9e000);
}
END_TEST

/* --- numa_serve_node and client_collect ---------------------------------- */

static struct sidecar_control control;
static struct sidecar_control before;

/* A node's control page as the sidecar leaves it: slots 0 .. 7 IDLE. */
static void control_init(void)
{
	memset(&control, 0, sizeof(control));
	control.index = 1;
	control.base_cpu = 8;
	control.cpu_count = 8;
	control.request_vector = SIDECAR_REQUEST_VECTOR;
	for (uint32_t i = 0; i < control.cpu_count; i++)
		control.cpu_status[i] = CPU_STATUS_IDLE;
}

START_TEST(serve_sets_response_cpu_and_vector)
{
	control_init();
	before = control;
	numa_serve_node(&control, 4, 0xe0);
	ck_assert_uint_eq(control.response_cpu, 4);
	ck_assert_uint_eq(control.response_vector, 0xe0);

	/* Nothing else on the page changed. */
	control.response_cpu = before.response_cpu;
	control.response_vector = before.response_vector;
	ck_assert_msg(memcmp(&control, &before, sizeof(control)) == 0,
		      "numa_serve_node() changed more than response_cpu and response_vector");
}
END_TEST

START_TEST(serve_moves_to_another_cpu)
{
	control_init();
	numa_serve_node(&control, 4, 0xe0);
	numa_serve_node(&control, 9, 0xe1);
	ck_assert_uint_eq(control.response_cpu, 9);
	ck_assert_uint_eq(control.response_vector, 0xe1);
}
END_TEST

/* done[] is as expected[], both n long. */
static void assert_done(const bool *done, const bool *expected, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		ck_assert_msg(done[i] == expected[i], "done[%u] is %s, expected %s", i,
			      done[i] ? "true" : "false", expected[i] ? "true" : "false");
}

static void assert_attention_cleared(void)
{
	ck_assert_msg(control.needs_attention == 0,
		      "needs_attention is %u: client_collect() must clear it",
		      control.needs_attention);
}

START_TEST(collect_marks_the_idle)
{
	static const uint32_t slots[] = {1, 3, 5};
	static const bool want[] = {true, false, true};
	bool done[] = {false, false, false};

	control_init();
	control.cpu_status[3] = CPU_STATUS_RUN;
	control.needs_attention = 1;
	before = control;
	ck_assert_uint_eq(client_collect(&control, slots, 3, done), 2);
	assert_done(done, want, 3);
	assert_attention_cleared();
	control.needs_attention = before.needs_attention;
	ck_assert_msg(memcmp(&control, &before, sizeof(control)) == 0,
		      "client_collect() changed the control page beyond needs_attention");
}
END_TEST

START_TEST(collect_counts_each_cpu_once)
{
	static const uint32_t slots[] = {1, 3, 5};
	static const bool all[] = {true, true, true};
	bool done[] = {true, false, true}; /* 1 and 5 answered before */

	control_init();
	control.cpu_status[3] = CPU_STATUS_RUN;
	control.needs_attention = 1;
	ck_assert_uint_eq(client_collect(&control, slots, 3, done), 0);
	assert_attention_cleared();

	/* CPU 3 finishes: IDLE, needs_attention, the response IPI. */
	control.cpu_status[3] = CPU_STATUS_IDLE;
	control.needs_attention = 1;
	ck_assert_uint_eq(client_collect(&control, slots, 3, done), 1);
	assert_done(done, all, 3);
	assert_attention_cleared();

	/* A spurious wake-up finds nothing new. */
	control.needs_attention = 1;
	ck_assert_uint_eq(client_collect(&control, slots, 3, done), 0);
	assert_done(done, all, 3);
	assert_attention_cleared();
}
END_TEST

START_TEST(collect_only_idle_counts)
{
	/* Still running, asked to stop, failed, removed: none has answered. */
	static const uint32_t slots[] = {0, 2, 4, 6, 7};
	static const bool want[] = {false, false, false, false, true};
	bool done[] = {false, false, false, false, false};

	control_init();
	control.cpu_status[0] = CPU_STATUS_RUN;
	control.cpu_status[2] = CPU_STATUS_STOP;
	control.cpu_status[4] = CPU_STATUS_FAILED;
	control.cpu_status[6] = CPU_STATUS_REMOVED;
	control.needs_attention = 1;
	ck_assert_uint_eq(client_collect(&control, slots, 5, done), 1);
	assert_done(done, want, 5);
	assert_attention_cleared();
}
END_TEST

/* --- parse_cpu_list ------------------------------------------------------ */

/* s parses, and sets exactly the CPUs in want[] (n of them). */
static void assert_cpu_list(const char *s, size_t len, const uint32_t *want, uint32_t n)
{
	bool set[MAX_CPUS] = {false};

	ck_assert_msg(parse_cpu_list(s, len, set), "\"%.*s\" was refused", (int)len, s);
	for (uint32_t c = 0; c < MAX_CPUS; c++) {
		bool listed = false;
		for (uint32_t k = 0; k < n; k++)
			if (want[k] == c)
				listed = true;
		ck_assert_msg(set[c] == listed, "\"%.*s\": cpu %u is %s", (int)len, s, c,
			      set[c] ? "set" : "not set");
	}
}

START_TEST(cpu_list_indexes_and_ranges)
{
	static const uint32_t want[] = {0, 4, 8, 9, 10, 11};
	static const uint32_t five[] = {5};
	static const uint32_t unsorted[] = {1, 2, 3};

	assert_cpu_list("0,4,8-11", 8, want, ARRAY_SIZE(want));
	assert_cpu_list("5", 1, five, ARRAY_SIZE(five));
	assert_cpu_list("3,1,1-2", 7, unsorted, ARRAY_SIZE(unsorted)); /* any order, repeats */
	assert_cpu_list("5-5", 3, five, ARRAY_SIZE(five));
}
END_TEST

START_TEST(cpu_list_every_cpu)
{
	uint32_t all[MAX_CPUS];

	for (uint32_t c = 0; c < MAX_CPUS; c++)
		all[c] = c;
	assert_cpu_list("0-2047", 6, all, MAX_CPUS);
	assert_cpu_list("2047", 4, all + 2047, 1);
}
END_TEST

START_TEST(cpu_list_reads_only_len)
{
	/* A command-line value is not NUL-terminated: "main_cpus=1 verbose". */
	static const uint32_t one[] = {1};
	static const uint32_t two[] = {1, 2};

	assert_cpu_list("12,13", 1, one, ARRAY_SIZE(one));
	assert_cpu_list("1,2 verbose", 3, two, ARRAY_SIZE(two));
	assert_cpu_list("1-20", 3, two, ARRAY_SIZE(two));
}
END_TEST

START_TEST(cpu_list_refused)
{
	static const char *const bad[] = {
		"",      /* nothing */
		"2048",  /* past MAX_CPUS */
		"0-2048", /* a range past MAX_CPUS */
		"3-1",   /* a range backwards */
		"a",     /* not a number */
		"1a",    /* trailing junk */
		" 1",    /* leading space */
		"1,",    /* an empty last element */
		",1",    /* an empty first element */
		"1,,2",  /* an empty element between */
		",",     /* only a comma */
		"-1",    /* a range without a start */
		"1-",    /* a range without an end */
		"1--2",  /* a range with two dashes */
		"1-2-3", /* a range of three */
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		bool set[MAX_CPUS] = {false};
		ck_assert_msg(!parse_cpu_list(bad[i], strlen(bad[i]), set), "\"%s\" was accepted",
			      bad[i]);
	}
}
END_TEST

Suite *numa_suite(void)
{
	Suite *s = suite_create("numa");

	TCase *assign = tcase_create("assign_cpus");
	tcase_add_test(assign, default_keeps_each_nodes_first_cpu);
	tcase_add_test(assign, default_keeps_the_bsp_too);
	tcase_add_test(assign, default_first_by_index_when_nodes_interleave);
	tcase_add_test(assign, sidecar_off_keeps_every_cpu);
	tcase_add_test(assign, list_keeps_exactly_the_listed_and_the_bsp);
	tcase_add_test(assign, list_from_the_command_line);
	tcase_add_test(assign, empty_list_keeps_only_the_bsp);
	tcase_add_test(assign, split_keeps_each_chunks_first_cpu);
	tcase_add_test(assign, split_nodes_identity_without_split);
	tcase_add_test(assign, split_nodes_cuts_each_numa_node);
	tcase_add_test(assign, split_nodes_evenly_and_never_across_numa);
	tcase_add_test(assign, split_nodes_refuses_too_many);
	suite_add_tcase(s, assign);

	TCase *alloc = tcase_create("alloc_node_block");
	tcase_add_test(alloc, alloc_from_the_nodes_own_memory);
	tcase_add_test(alloc, alloc_aligned_and_taken);
	tcase_add_test(alloc, alloc_node_without_memory_falls_back);
	tcase_add_test(alloc, alloc_above_4g_is_local);
	tcase_add_test(alloc, alloc_full_node_falls_back);
	tcase_add_test(alloc, alloc_without_srat_is_not_local);
	tcase_add_test(alloc, alloc_nothing_free);
	suite_add_tcase(s, alloc);

	TCase *attention = tcase_create("attention");
	tcase_add_test(attention, serve_sets_response_cpu_and_vector);
	tcase_add_test(attention, serve_moves_to_another_cpu);
	tcase_add_test(attention, collect_marks_the_idle);
	tcase_add_test(attention, collect_counts_each_cpu_once);
	tcase_add_test(attention, collect_only_idle_counts);
	suite_add_tcase(s, attention);

	TCase *list = tcase_create("cpu_list");
	tcase_add_test(list, cpu_list_indexes_and_ranges);
	tcase_add_test(list, cpu_list_every_cpu);
	tcase_add_test(list, cpu_list_reads_only_len);
	tcase_add_test(list, cpu_list_refused);
	suite_add_tcase(s, list);
	return s;
}
