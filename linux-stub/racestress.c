/*
 * racestress.c - commands, STOP and REMOVE racing on every sidecar CPU.
 *
 *   racestress <rounds> [remove]
 *
 * Every round sends each idle sidecar CPU a command at once: half of them
 * SET_VP_REGISTERS (then a GET that must read the value back), the other
 * half RUN_VP of the spin guest, which never exits by itself, followed -
 * after a delay that differs from CPU to CPU and round to round, from
 * nothing to a few hundred microseconds - by a STOP (RUN -> STOP and the
 * request IPI, as the VMM does at a timeout). So the STOP lands before the
 * CPU has seen its RUN, while it enters the guest, or while the guest runs.
 * With "remove", a last round REMOVEs every CPU while its spin guest runs,
 * and linux-stub then takes the CPUs (as `convert` does).
 *
 * Each command must be answered exactly once: the client sees the status
 * go back to IDLE (or REMOVED) within 2 s, and the page's `completed`
 * counter - which the sidecar bumps once per command it runs - moves by
 * exactly 1 for a SET or GET and by at most 1 for a RUN_VP that a STOP or
 * REMOVE may cancel before it starts (the halt loop then just acknowledges
 * it); a RUN_VP that ran must come back with a STOPPED exit. Lost (no
 * answer), doubled (counter moved by 2) and wrong answers are counted and
 * fail the command.
 */
#include "racestress.h"
#include "console.h"
#include "lab_stub.h"
#include "lapic.h"
#include "sidecar_client.h"
#include "sidecar_protocol.h"
#include "smp.h"
#include "stub.h"
#include "timer.h"
#include "vmm.h"

#define COMMAND_TIMEOUT_NS 2000000000ull
#define MAX_ROUNDS 1000000


struct racer {
	uint32_t cpu, slot, apic_id;
	struct sidecar_control *control;
	struct sidecar_command_page *page;
	uint64_t before; /* page->completed when the command was sent */
	uint32_t command;
	bool sent;
};

static struct racer racers[MAX_CPUS];

struct tally {
	uint64_t sent, answered, lost, doubled, wrong, stopped_running, cancelled;
};

static uint32_t status_of(const struct racer *r)
{
	return sidecar_proto_status(&r->control->cpu_status[r->slot]);
}

static uint64_t completed(const struct racer *r)
{
	return __atomic_load_n(&r->page->completed, __ATOMIC_ACQUIRE);
}

static void send(struct racer *r, uint32_t command, struct tally *t)
{
	r->command = command;
	r->before = completed(r);
	r->page->command = command;
	r->sent = sidecar_wake(r->control, r->slot, r->apic_id) == 0;
	t->sent++;
	if (!r->sent) {
		kprintf("error: racestress: cpu %u refused %u (status %u)\n", r->cpu, command,
			status_of(r));
		t->lost++;
	}
}

/* RUN -> STOP, then the request IPI; nothing if the CPU already answered. */
static void stop(struct racer *r)
{
	client_stop(r->control, r->slot, r->apic_id);
}

/* Wait for the answer (status `want`) and check it was given exactly once. */
static void collect(struct racer *r, uint32_t want, uint64_t value, struct tally *t)
{
	if (!r->sent)
		return;
	if (!client_wait_status(r->control, r->slot, want, timer_ns() + COMMAND_TIMEOUT_NS)) {
		kprintf("error: racestress: cpu %u did not answer command %u (status %u)\n", r->cpu,
			r->command, status_of(r));
		t->lost++;
		return;
	}
	t->answered++;
	uint64_t delta = completed(r) - r->before;
	if (delta > 1) {
		kprintf("error: racestress: cpu %u answered command %u %lu times\n", r->cpu,
			r->command, (unsigned long)delta);
		t->doubled++;
	} else if (r->command != SIDECAR_CMD_RUN_VP) {
		bool ok = delta == 1 && !r->page->error &&
			  (r->command != SIDECAR_CMD_GET_VP_REGISTERS ||
			   r->page->request.registers.values[0] == value);
		t->wrong += !ok;
	} else if (delta == 0) {
		t->cancelled++; /* stopped before the CPU saw RUN: acknowledged, not run */
	} else if (r->page->error || r->page->request.exit.reason != VP_EXIT_STOPPED) {
		kprintf("error: racestress: cpu %u RUN_VP came back with exit %u%s\n", r->cpu,
			r->page->request.exit.reason, r->page->error ? " and an error" : "");
		t->wrong++;
	} else {
		t->stopped_running++;
	}
}

static void spin_for_ns(uint64_t ns)
{
	uint64_t end = timer_ns() + ns;
	while (timer_ns() < end)
		__asm__ volatile("pause");
}

static void set_register(struct racer *r, uint32_t command, uint64_t value)
{
	struct sidecar_registers *req = &r->page->request.registers;
	req->count = 1;
	req->names[0] = VP_RBX;
	req->values[0] = command == SIDECAR_CMD_SET_VP_REGISTERS ? value : 0;
}

static void round_of(uint32_t n, uint64_t round, struct tally *t)
{
	/* Send: SET on half the CPUs, RUN_VP on the other half (alternating). */
	for (uint32_t i = 0; i < n; i++) {
		struct racer *r = &racers[i];
		if ((round + i) & 1) {
			set_register(r, SIDECAR_CMD_SET_VP_REGISTERS, round << 16 | r->cpu);
			send(r, SIDECAR_CMD_SET_VP_REGISTERS, t);
		} else {
			memset(&r->page->request.exit, 0, sizeof(r->page->request.exit));
			send(r, SIDECAR_CMD_RUN_VP, t);
		}
	}
	/* STOP the runs, each after its own delay: 0, 50, ... 350 us. */
	for (uint32_t i = 0; i < n; i++)
		if (racers[i].command == SIDECAR_CMD_RUN_VP) {
			spin_for_ns(((round * 7 + i * 3) % 8) * 50000 / (n > 4 ? n / 4 : 1));
			stop(&racers[i]);
		}
	for (uint32_t i = 0; i < n; i++)
		collect(&racers[i], CPU_STATUS_IDLE, 0, t);
	/* Read back what was SET. */
	for (uint32_t i = 0; i < n; i++)
		if (racers[i].command == SIDECAR_CMD_SET_VP_REGISTERS) {
			set_register(&racers[i], SIDECAR_CMD_GET_VP_REGISTERS, 0);
			send(&racers[i], SIDECAR_CMD_GET_VP_REGISTERS, t);
		}
	for (uint32_t i = 0; i < n; i++)
		if (racers[i].command == SIDECAR_CMD_GET_VP_REGISTERS)
			collect(&racers[i], CPU_STATUS_IDLE, round << 16 | racers[i].cpu, t);
}

/* The last round: RUN_VP everywhere, then REMOVE while it runs. */
static uint32_t remove_all(uint32_t n, struct tally *t)
{
	uint32_t removed = 0;
	for (uint32_t i = 0; i < n; i++) {
		memset(&racers[i].page->request.exit, 0, sizeof(racers[i].page->request.exit));
		send(&racers[i], SIDECAR_CMD_RUN_VP, t);
	}
	for (uint32_t i = 0; i < n; i++) {
		spin_for_ns((i % 4) * 100000);
		if (sidecar_remove(racers[i].control, racers[i].slot, racers[i].apic_id))
			kprintf("error: racestress: cpu %u refused REMOVE (status %u)\n", racers[i].cpu,
				status_of(&racers[i]));
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t lost = t->lost;
		collect(&racers[i], CPU_STATUS_REMOVED, 0, t);
		if (t->lost != lost)
			continue;
		sidecar_forget(racers[i].cpu);
		if (smp_start_cpu(racers[i].cpu) == 0) {
			sidecar_claim_node(racers[i].cpu);
			removed++;
		}
	}
	return removed;
}

int cmd_racestress(int argc, char **argv)
{
	uint64_t rounds;
	bool remove = argc == 3 && strcmp(argv[2], "remove") == 0;
	if (argc < 2 || argc > 3 || (argc == 3 && !remove) ||
	    !parse_u64(argv[1], strlen(argv[1]), &rounds) || rounds == 0 || rounds > MAX_ROUNDS)
		return kprintf("error: usage: racestress <rounds 1..%d> [remove]\n", MAX_ROUNDS), -1;

	/* Every idle sidecar CPU, each with the spin guest loaded (started and
	 * stopped once, so its command page describes the guest's memory). */
	uint32_t n = 0;
	struct tally t = {0};
	for (uint32_t cpu = 0; cpu < stub.machine.ncpus; cpu++) {
		struct racer *r = &racers[n];
		if (!sidecar_cpu(cpu, &r->control, &r->slot, &r->page) ||
		    status_of(r) != CPU_STATUS_IDLE)
			continue;
		r->cpu = cpu;
		r->apic_id = stub.machine.cpus[cpu].apic_id;
		char name[8];
		fmt_snprintf(name, sizeof(name), "%u", cpu);
		r->command = SIDECAR_CMD_RUN_VP;
		r->sent = vmm_start(name, "spin") == 0;
		if (!r->sent)
			return -1;
		/* vmm_start's own SETs are answered; only its RUN_VP is left. */
		r->before = completed(r);
		stop(r);
		collect(r, CPU_STATUS_IDLE, 0, &t);
		n++;
	}
	if (n == 0)
		return kprintf("error: no idle sidecar CPU\n"), -1;
	if (t.lost || t.doubled || t.wrong)
		return kprintf("error: racestress: loading the spin guest went wrong\n"), -1;
	t = (struct tally){0};

	uint64_t start = timer_ns();
	for (uint64_t round = 0; round < rounds && !t.lost && !t.doubled && !t.wrong; round++)
		round_of(n, round, &t);
	uint32_t removed = 0;
	if (remove && !t.lost && !t.doubled && !t.wrong)
		removed = remove_all(n, &t);
	uint64_t ms = (timer_ns() - start) / 1000000;
	kprintf("racestress: %u CPU%s x %lu rounds: %lu commands, %lu answered once, %lu lost, "
		"%lu doubled, %lu wrong; STOP caught %lu runs running and %lu before they ran; "
		"%u CPUs removed while running; %lu ms\n",
		n, n == 1 ? "" : "s", (unsigned long)rounds, (unsigned long)t.sent,
		(unsigned long)t.answered, (unsigned long)t.lost, (unsigned long)t.doubled,
		(unsigned long)t.wrong, (unsigned long)t.stopped_running, (unsigned long)t.cancelled,
		removed, (unsigned long)ms);
	bool ok = !t.lost && !t.doubled && !t.wrong && t.answered == t.sent &&
		  (!remove || removed == n);
	return ok ? 0 : -1;
}
