/*
 * Lab 1 - fan-out: every CPU that is up helps start the others.
 *
 * Linux starts its APs one at a time from the BSP (or, since 6.5, kicks them
 * all and lets them race through a serialised part). We fan out instead:
 * the BSP starts one CPU per node, and every CPU that comes up claims the
 * next not-yet-started CPU of its node from a shared counter and starts it,
 * until none is left. (OpenHCL's sidecar fans out too, with one counter per
 * node, but its BSP and every AP walk all the nodes in turn, helping every
 * node: start_aps() in sidecar/src/arch/x86_64/init.rs.) The number of
 * CPUs starting others doubles every round, so n CPUs are up after about
 * log2(n) INIT-SIPI-SIPI rounds instead of n.
 *
 * node->next_slot is the counter: an atomic fetch-and-add hands every slot to
 * exactly one claimer. ap_start_and_wait() (kernel/ap.c) starts a CPU and
 * waits until it checks in or is marked FAILED.
 *
 * Implement: fanout_start_node() (declared in kernel/kernel.h).
 * Tests: every lab 1 boot test.
 */
#include "kernel.h"
#include "lab.h"

void fanout_start_node(struct node *node)
{
	// BEGIN LAB 1: claim slots with an atomic fetch-and-add until none is left
	for (;;) {
		uint32_t slot = __atomic_fetch_add(&node->next_slot, 1, __ATOMIC_ACQ_REL);
		if (slot >= node->count)
			return;
		ap_start_and_wait(node->cpus[slot]);
	}
	// END LAB 1
}
