/*
 * Lab 1 - fan-out: every CPU that is up helps start the others.
 *
 * Runs in the sidecar kernel, on the BSP (still in the shim's environment) and
 * on every AP once it is up, interrupts off.
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
 * The BSP starts the first CPU of every node together (kernel/start.c), so
 * the nodes fan out side by side. A node with fewer CPUs finishes first;
 * its CPUs then help the others, as OpenHCL's do (openhcl/sidecar/src/arch/
 * x86_64/init.rs, start_aps(): every AP walks every node's counter), and so
 * does the BSP. The counters make helping safe: a slot is still claimed once.
 *
 * Implement: fanout_start_node() and fanout_help() (declared in include/lab_sidecar.h).
 * Tests: every lab 1 boot test.
 */
#include "lab_sidecar.h"

void fanout_start_node(struct node *node)
{
	// TODO(lab 1): start the node's CPUs, each exactly once, however many CPUs help, with no lock
	lab_todo(1, __func__);
}

void fanout_help(struct node *own)
{
	// TODO(lab 1): help start what is left: this CPU's own node first, then the others
	lab_todo(1, __func__);
}
