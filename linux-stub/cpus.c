/*
 * cpus.c - which CPU is doing what, as linux-stub sees it.
 *
 * linux-stub runs on the CPU the shim booted it on (the BSP). Every other CPU
 * either belongs to the sidecar, which reports its state in its node's
 * control page (idle, run, failed, ...), or is offline.
 */
#include "cpus.h"
#include "console.h"
#include "sidecar_client.h"
#include "stub.h"
#include "x86.h"

void cpus_init(void)
{
	int me = machine_cpu_index(&stub.machine, cpu_apic_id());
	if (me < 0)
		panic("this CPU (APIC ID %u) is not in the MADT", cpu_apic_id());
	stub.bsp = (uint32_t)me;
	for (uint32_t i = 0; i < stub.machine.ncpus; i++)
		stub.state[i] = i == stub.bsp ? CPU_LINUX : CPU_OFFLINE;
	kprintf("linux-stub: %u CPUs in %u node%s, running on cpu %u\n", stub.machine.ncpus,
		stub.machine.nnodes, stub.machine.nnodes == 1 ? "" : "s", stub.bsp);
}

const char *cpu_state_name_of(uint32_t cpu)
{
	const char *sidecar = sidecar_state_name(cpu);
	if (stub.state[cpu] != CPU_LINUX && sidecar)
		return sidecar;
	return cpu_state_name(stub.state[cpu]);
}

const char *cpu_state_name(enum cpu_state s)
{
	switch (s) {
	case CPU_LINUX:
		return "linux";
	case CPU_OFFLINE:
		return "offline";
	}
	return "unknown";
}
