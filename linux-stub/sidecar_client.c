/*
 * sidecar_client.c - linux-stub as the sidecar's client.
 *
 * The shim appended "sidecar=<address>" to our command line: the physical
 * address of the sidecar's output page. From it we learn each node's control
 * page and command pages, and which CPU (by APIC ID) sits in which node and
 * slot. Like the sidecar, we check what we read before we use it: a bad
 * output page means "no sidecar", with a message, not a crash.
 */
#include "sidecar_client.h"
#include "cmdline.h"
#include "console.h"
#include "lab_stub.h"
#include "paging.h"
#include "sidecar_protocol.h"
#include "smp.h"
#include "stub.h"
#include "timer.h"
#include "x86.h"

static const struct sidecar_output *output;
static bool main_kernel_cpu[MAX_CPUS]; /* the policy's: ours, not the sidecar's */
/* Each machine CPU's sidecar node, ours or the sidecar's: the NUMA node, or
 * with the shim's split=<n> a piece of it. 0: not in the output page. */
static uint16_t cpu_snode_plus1[MAX_CPUS];

/* For each machine CPU: where it is in the sidecar, if it is a sidecar CPU. */
static struct {
	bool present;
	struct sidecar_control *control;
	struct sidecar_command_page *command;
	uint32_t slot;
} where[MAX_CPUS];

static int check_output(const struct sidecar_output *o)
{
	if (o->error[0])
		return kprintf("linux-stub: the sidecar reported: %.128s\n", o->error), -1;
	if (o->node_count == 0 || o->node_count > SIDECAR_MAX_NODES || o->cpu_count == 0 ||
	    o->cpu_count > SIDECAR_MAX_CPUS)
		return kprintf("linux-stub: sidecar output page: %u nodes, %u CPUs?\n",
			       o->node_count, o->cpu_count), -1;
	for (uint32_t n = 0; n < o->node_count; n++) {
		const struct sidecar_output_node *node = &o->nodes[n];
		if (node->control_page == 0)
			continue; /* a node with no sidecar CPU */
		const struct sidecar_control *c = (const void *)node->control_page;
		if (node->control_page >= GiB(STUB_IDENTITY_GIB) || c->index != n ||
		    c->cpu_count != node->cpu_count)
			return kprintf("linux-stub: node %u's control page at 0x%lx is not valid\n", n,
				       (unsigned long)node->control_page), -1;
	}
	return 0;
}

void sidecar_attach(void)
{
	struct cmdline_param p;
	uint64_t pa;
	if (!cmdline_find(stub.cmdline, "sidecar", &p))
		return;
	if (!p.value || !parse_u64(p.value, p.value_len, &pa) || pa == 0 || pa >= GiB(4)) {
		kprintf("linux-stub: ignoring sidecar=%.*s: not a physical address below 4 GiB\n",
			(int)p.value_len, p.value ? p.value : "");
		return;
	}
	const struct sidecar_output *o = (const void *)pa;
	if (check_output(o))
		return;
	for (uint32_t i = 0; i < o->cpu_count; i++) {
		const struct sidecar_output_node *node = &o->nodes[o->cpus[i].node % SIDECAR_MAX_NODES];
		if (!o->cpus[i].sidecar) {
			int cpu = machine_cpu_index(&stub.machine, o->cpus[i].apic_id);
			if (cpu >= 0 && o->cpus[i].node < o->node_count) {
				main_kernel_cpu[cpu] = true;
				cpu_snode_plus1[cpu] = (uint16_t)(o->cpus[i].node + 1);
			}
			continue;
		}
		if (!node->control_page || o->cpus[i].slot >= node->cpu_count)
			continue;
		struct sidecar_control *c = (void *)node->control_page;
		int cpu = machine_cpu_index(&stub.machine, o->cpus[i].apic_id);
		if (cpu < 0) {
			/* A CPU the firmware does not list (the phantom of a fault
			 * injection test): show it, so its FAILED state is visible. */
			struct diag d;
			if (machine_add_cpu(&stub.machine, o->cpus[i].apic_id, o->cpus[i].node, &d))
				continue;
			cpu = (int)stub.machine.ncpus - 1;
		}
		cpu_snode_plus1[cpu] = (uint16_t)(o->cpus[i].node % SIDECAR_MAX_NODES + 1);
		where[cpu].present = true;
		where[cpu].control = c;
		where[cpu].slot = o->cpus[i].slot;
		where[cpu].command = (void *)(node->command_pages +
					      (uint64_t)o->cpus[i].slot * SIDECAR_PAGE);
	}
	output = o;
	uint64_t us = timer_tsc_to_ns(o->done_tsc - o->start_tsc) / 1000;
	kprintf("linux-stub: sidecar: %u CPUs idle, %u failed; APs up in %lu.%03lu ms; "
		"%u KiB per sidecar CPU\n",
		o->started, o->failed, (unsigned long)(us / 1000), (unsigned long)(us % 1000),
		o->bytes_per_cpu / 1024);
}

const struct sidecar_output *sidecar_output_page(void)
{
	return output;
}

bool sidecar_cpu(uint32_t cpu, struct sidecar_control **control, uint32_t *slot,
		 struct sidecar_command_page **command)
{
	if (cpu >= MAX_CPUS || !where[cpu].present)
		return false;
	*control = where[cpu].control;
	*slot = where[cpu].slot;
	if (command)
		*command = where[cpu].command;
	return true;
}

const char *sidecar_state_name(uint32_t cpu)
{
	struct sidecar_control *c;
	uint32_t slot;
	if (!sidecar_cpu(cpu, &c, &slot, NULL))
		return NULL;
	return sidecar_status_word(sidecar_proto_status(&c->cpu_status[slot]));
}

bool sidecar_main_kernel_cpu(uint32_t cpu)
{
	return cpu < MAX_CPUS && main_kernel_cpu[cpu];
}

bool sidecar_claim_node(uint32_t cpu)
{
	int node = sidecar_node_of(cpu);
	if (node < 0)
		return false;
	/* The BSP polls; any other CPU of ours takes the node's response IPIs. */
	return numa_claim_node((struct sidecar_control *)sidecar_control_page((uint32_t)node),
			       (uint32_t)node, cpu, stub.machine.cpus[cpu].apic_id,
			       cpu == stub.bsp ? 0 : STUB_RESPONSE_VECTOR); /* lab 5 */
}

uint32_t sidecar_node_server(uint32_t node)
{
	int server = numa_node_server(node); /* lab 5 */
	return server >= 0 ? (uint32_t)server : stub.bsp; /* a node without a CPU of ours */
}

bool client_wait_idle(struct sidecar_control *control, uint32_t slot, uint64_t deadline_ns)
{
	return client_wait_status(control, slot, CPU_STATUS_IDLE, deadline_ns);
}

int sidecar_node_of(uint32_t cpu)
{
	return cpu < MAX_CPUS && output ? (int)cpu_snode_plus1[cpu] - 1 : -1;
}

uint32_t sidecar_node_count(void)
{
	return output ? output->node_count : 0;
}

uint64_t sidecar_control_page(uint32_t node)
{
	if (!output || node >= output->node_count)
		return 0;
	return output->nodes[node].control_page;
}

void sidecar_forget(uint32_t cpu)
{
	if (cpu >= MAX_CPUS || !where[cpu].present)
		return;
	/* Lab 6's contract, checked where the framework can see it: only a
	 * CPU that said REMOVED has parked. */
	uint32_t s = sidecar_proto_status(&where[cpu].control->cpu_status[where[cpu].slot]);
	if (s != CPU_STATUS_REMOVED)
		kprintf("linux-stub: cpu %u forgotten while it is %s, not removed: it may still run "
			"sidecar code, and an INIT would take it from under that code\n", cpu,
			sidecar_status_word(s));
	where[cpu].present = false;
}
