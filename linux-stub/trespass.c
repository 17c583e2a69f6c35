/*
 * trespass.c - a sidecar CPU that writes where it may not, on purpose.
 *
 *   trespass <cpu> <other-stack|main-kernel|params>
 *
 * Asks sidecar CPU <cpu>, through the test command TEST_TRESPASS (include/
 * sidecar.h), to write in ring 0 into another sidecar CPU's stack, into
 * linux-stub's own image (a word of ours, watched below), or into the shim's
 * parameter page. Each CPU's page tables map none of these (kernel/
 * paging.c), so the write is a page fault that the sidecar catches (kernel/
 * fault.c): the CPU ends FAILED with the fault in its command page's
 * error_text. The command succeeds when exactly that happened - and, for
 * main-kernel, when our word is unchanged. A sidecar booted without the
 * shim option test_commands refuses the command: then it fails, and the
 * CPU stays idle.
 *
 * Runs on the main kernel's CPU that serves the CPU's node, like every
 * command for a sidecar CPU.
 */
#include "trespass.h"
#include "console.h"
#include "lab_stub.h"
#include "sidecar_client.h"
#include "stub.h"
#include "timer.h"
#include "x86.h"

#define TRESPASS_TIMEOUT_NS 2000000000ull
#define WATCHED 0x6c696e75782d7374ull /* "ts-xunil" */

/* The word of linux-stub's image the main-kernel trespass aims at. */
static volatile uint64_t watched = WATCHED;

static const struct {
	const char *name;
	uint32_t target;
} targets[] = {
	{"other-stack", TRESPASS_OTHER_STACK},
	{"main-kernel", TRESPASS_MAIN_KERNEL},
	{"params", TRESPASS_PARAMS},
};

static bool ended(struct sidecar_control *control, uint32_t slot, uint64_t deadline)
{
	for (;;) {
		uint32_t s = __atomic_load_n(&control->cpu_status[slot], __ATOMIC_ACQUIRE);
		if (s == CPU_STATUS_IDLE || s == CPU_STATUS_FAILED)
			return true;
		if (timer_ns() >= deadline)
			return false;
		cpu_relax();
	}
}

int cmd_trespass(int argc, char **argv)
{
	uint64_t cpu;
	struct sidecar_control *control;
	struct sidecar_command_page *page;
	uint32_t slot, target = 0;
	if (argc != 3 || !parse_u64(argv[1], strlen(argv[1]), &cpu))
		return kprintf("error: usage: trespass <cpu> <other-stack|main-kernel|params>\n"), -1;
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		if (strcmp(argv[2], targets[i].name) == 0)
			target = targets[i].target;
	if (!target)
		return kprintf("error: trespass target '%s': other-stack, main-kernel or params\n",
			       argv[2]), -1;
	if (cpu >= stub.machine.ncpus || !sidecar_cpu((uint32_t)cpu, &control, &slot, &page))
		return kprintf("error: cpu %lu is not a sidecar CPU\n", (unsigned long)cpu), -1;

	page->command = SIDECAR_CMD_TEST_TRESPASS;
	page->request.trespass = (struct sidecar_trespass){target, 0, (uint64_t)&watched};
	if (sidecar_wake(control, slot, stub.machine.cpus[cpu].apic_id))
		return kprintf("error: cpu %lu is not idle\n", (unsigned long)cpu), -1;
	if (!ended(control, slot, timer_ns() + TRESPASS_TIMEOUT_NS))
		return kprintf("error: cpu %lu did not answer within 2 s\n", (unsigned long)cpu), -1;
	uint32_t status = __atomic_load_n(&control->cpu_status[slot], __ATOMIC_ACQUIRE);
	if (status != CPU_STATUS_FAILED)
		return kprintf("error: trespass: cpu %lu refused: %s\n", (unsigned long)cpu,
			       page->error ? page->error_text : "(no error, no fault)"), -1;
	if (target == TRESPASS_MAIN_KERNEL && watched != WATCHED)
		return kprintf("error: trespass: linux-stub's word at 0x%lx was overwritten\n",
			       (unsigned long)&watched), -1;
	kprintf("trespass: cpu %lu %s caught: %s%s\n", (unsigned long)cpu, argv[2], page->error_text,
		target == TRESPASS_MAIN_KERNEL ? " (linux-stub's image, unchanged)" : "");
	return 0;
}
