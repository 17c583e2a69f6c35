/*
 * protocol_threads.c - the command protocol between real threads, under
 * ThreadSanitizer: every command answered exactly once, nothing lost.
 *
 *     build/fuzz/protocol-tsan [rounds]     (make protocol-tsan)
 *
 * The sidecar's side and the main kernel's side of include/sidecar.h run
 * here as they run in QEMU, with host threads for CPUs and the very same
 * code: kernel/command.c dispatches, lab 3's ipi_acknowledge() and
 * sidecar_wake(), lab 4's vp_registers(), lab 5's numa_serve_node() and
 * client_collect(), lab 6's sidecar_remove() (tests/host/sidecar_host.h
 * lists the stand-ins for the hardware). Two things are mirrored because
 * their real versions are made of privileged instructions: the halt loop
 * (lab 2: the same status decisions, RUN or STOP runs the command, REMOVE
 * leaves; "sti; hlt" becomes a wait on a
 * per-CPU interrupt flag that ipi_send() sets, sticky like the APIC's IRR)
 * and remove_cpu() (lab 6: REMOVED with release order, needs_attention, the
 * response IPI, then the thread ends instead of parking).
 *
 * The machine: NODES nodes of CPUS_PER_NODE sidecar CPUs, each node with a
 * control page, and one main-kernel thread per node serving it (lab 5): in
 * every round it gives each of its CPUs a command - NONE, SET or GET of a
 * register with a value unique to the round, RUN_VP (sometimes stopped
 * with RUN -> STOP as linux-stub/vmm.c's stop() does), or an unknown
 * command - sleeps until response IPIs arrive, collects the answers and
 * checks each: completed grew by exactly one, the reply is right. A third
 * kind of thread, the remover, takes two CPUs of each node away with
 * REMOVE while a command is in flight on them. The machine is "booted"
 * again every ROUNDS_PER_EPOCH rounds, so the REMOVE races recur all
 * through the run. A command a REMOVE
 * overtook before the CPU looked at it is "cancelled" (completed did not
 * grow, and the CPU is gone); any other outcome - an answer lost or
 * doubled, a wrong reply, a wait past its deadline - fails the test.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lab_sidecar.h"
#include "lab_stub.h"
#include "lab_vp.h"
#include "sidecar_host.h"

#define NODES 2
#define CPUS_PER_NODE 4
#define NCPUS (NODES * CPUS_PER_NODE)
#define REQUESTER_APIC 100 /* + node */
#define RESPONSE_VECTOR 0xf1
#define WAIT_TIMEOUT_NS 5000000000ll
#define HALT_TIMEOUT_NS 200000000ll    /* the main kernel's tick */
#define CPU_HALT_TIMEOUT_NS 10000000000ll /* a sidecar CPU's sleep: > WAIT_TIMEOUT_NS */
#define MAX_APIC 128

/* ---- interrupts: a sticky pending flag per APIC ID -------------------- */

static struct irq_box {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t pending;
} irq_boxes[MAX_APIC];

static int deliver(uint32_t apic_id, uint8_t vector)
{
	(void)vector;
	if (apic_id >= MAX_APIC)
		return -1;
	struct irq_box *m = &irq_boxes[apic_id];
	pthread_mutex_lock(&m->lock);
	m->pending = 1;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* "sti; hlt": sleep until an interrupt is pending (or the timeout); take it.
 * Returns false when it timed out with nothing pending. */
static bool halt(uint32_t apic_id, int64_t timeout_ns)
{
	struct irq_box *m = &irq_boxes[apic_id];
	int64_t deadline = now_ns() + timeout_ns;
	struct timespec ts = {deadline / 1000000000ll, deadline % 1000000000ll};
	pthread_mutex_lock(&m->lock);
	while (!m->pending) {
		if (pthread_cond_timedwait(&m->cond, &m->lock, &ts))
			break;
	}
	bool woken = m->pending;
	m->pending = 0;
	pthread_mutex_unlock(&m->lock);
	return woken;
}

/* ---- the machine -------------------------------------------------------- */

static struct sidecar_control controls[NODES];
static struct sidecar_command_page *pages[NCPUS];
static struct percpu cpus[NCPUS];
static uint64_t lost_wakeups; /* the halt timed out although RUN was waiting */

static uint32_t apic_of(uint32_t cpu)
{
	return cpu + 1;
}

/* Lab 6's remove_cpu() without the APIC writes and the park. */
static void leave_sidecar(struct percpu *pc)
{
	struct sidecar_control *c = pc->control;
	__atomic_store_n(&c->cpu_status[pc->slot], CPU_STATUS_REMOVED, __ATOMIC_RELEASE);
	__atomic_store_n(&c->needs_attention, 1, __ATOMIC_RELEASE);
	uint32_t vector = __atomic_load_n(&c->response_vector, __ATOMIC_ACQUIRE);
	if (vector)
		ipi_send(__atomic_load_n(&c->response_cpu, __ATOMIC_ACQUIRE), (uint8_t)vector);
}

/* Lab 2's halt_loop(): the same decisions on the status. */
static void *sidecar_cpu(void *arg)
{
	struct percpu *pc = arg;
	uint32_t *status = &pc->control->cpu_status[pc->slot];
	for (;;) {
		uint32_t s = __atomic_load_n(status, __ATOMIC_ACQUIRE);
		if (s == CPU_STATUS_RUN || s == CPU_STATUS_STOP) {
			command_run(pc);
			continue;
		}
		if (s == CPU_STATUS_REMOVE) {
			leave_sidecar(pc);
			return NULL;
		}
		/* Longer than any client waits: a wake-up lost here shows as a
		 * late answer, not hidden by polling. */
		if (!halt(pc->apic_id, CPU_HALT_TIMEOUT_NS) &&
		    __atomic_load_n(status, __ATOMIC_ACQUIRE) == CPU_STATUS_RUN)
			__atomic_add_fetch(&lost_wakeups, 1, __ATOMIC_RELAXED);
	}
}

/* ---- the main kernel ------------------------------------------------- */

struct tally {
	uint64_t sent, answered, cancelled, refused, stopped, lost, doubled, wrong, late;
	uint64_t removing; /* answered, and the CPU was being removed meanwhile */
};

#define ROUNDS_PER_EPOCH 200 /* rounds per boot of the machine */
static uint32_t rounds = ROUNDS_PER_EPOCH;
static uint64_t progress[NODES]; /* the round each node's requester is in */

/* What one command should do, and what came back. */
struct job {
	uint32_t cpu, command;
	uint64_t value, before;
	bool stop;
};

static void prepare(struct job *j, uint64_t round, uint32_t pick, uint64_t *last_set)
{
	struct sidecar_command_page *p = pages[j->cpu];
	static const uint32_t kinds[] = {SIDECAR_CMD_NONE, SIDECAR_CMD_SET_VP_REGISTERS,
					 SIDECAR_CMD_GET_VP_REGISTERS, SIDECAR_CMD_RUN_VP, 99};
	j->command = kinds[pick % ARRAY_SIZE(kinds)];
	j->stop = j->command == SIDECAR_CMD_RUN_VP && (pick & 8);
	j->value = (round << 8) | j->cpu;
	p->command = j->command;
	p->request.registers.count = 1;
	p->request.registers.names[0] = VP_RAX;
	p->request.registers.values[0] = j->command == SIDECAR_CMD_SET_VP_REGISTERS ? j->value : 0;
	if (j->command == SIDECAR_CMD_SET_VP_REGISTERS)
		*last_set = j->value;
	else if (j->command == SIDECAR_CMD_GET_VP_REGISTERS)
		j->value = *last_set;
	j->before = __atomic_load_n(&p->completed, __ATOMIC_ACQUIRE);
}

/* A command the CPU finished (status IDLE seen by client_collect). */
static void check(const struct job *j, struct tally *t, uint64_t *last_set)
{
	const struct sidecar_command_page *p = pages[j->cpu];
	uint64_t after = __atomic_load_n(&p->completed, __ATOMIC_ACQUIRE);
	uint32_t s = __atomic_load_n(&controls[j->cpu / CPUS_PER_NODE]
					      .cpu_status[j->cpu % CPUS_PER_NODE], __ATOMIC_ACQUIRE);
	if (after == j->before + 1) {
		t->answered++;
		t->removing += s == CPU_STATUS_REMOVE || s == CPU_STATUS_REMOVED;
	} else if (after == j->before && (s == CPU_STATUS_REMOVE || s == CPU_STATUS_REMOVED)) {
		t->cancelled++; /* REMOVE overtook the command: the CPU is gone */
		if (j->command == SIDECAR_CMD_SET_VP_REGISTERS)
			*last_set = ~0ull;
		return;
	} else {
		if (after == j->before)
			t->lost++;
		else
			t->doubled++;
		fprintf(stderr, "cpu %u: command %u: completed %lu -> %lu (status %u)\n", j->cpu,
			j->command, (unsigned long)j->before, (unsigned long)after, s);
		return;
	}
	bool ok;
	switch (j->command) {
	case SIDECAR_CMD_GET_VP_REGISTERS:
		ok = !p->error && (j->value == ~0ull || p->request.registers.values[0] == j->value);
		break;
	case 99:
		ok = p->error && p->error_text[0];
		break;
	case SIDECAR_CMD_RUN_VP:
		ok = !p->error && (p->request.exit.reason == VP_EXIT_HLT ||
				   p->request.exit.reason == VP_EXIT_STOPPED);
		t->stopped += p->request.exit.reason == VP_EXIT_STOPPED;
		break;
	default:
		ok = !p->error;
	}
	if (!ok) {
		t->wrong++;
		fprintf(stderr, "cpu %u: command %u: wrong reply (error %u \"%s\")\n", j->cpu,
			j->command, p->error, p->error_text);
	}
}

struct requester {
	uint32_t node;
	struct tally t;
	pthread_t thread;
};

static void *requester(void *arg)
{
	struct requester *r = arg;
	struct sidecar_control *c = &controls[r->node];
	uint32_t me = REQUESTER_APIC + r->node;
	struct job jobs[CPUS_PER_NODE];
	uint32_t slots[CPUS_PER_NODE];
	bool done[CPUS_PER_NODE];
	uint64_t last_set[CPUS_PER_NODE];
	unsigned seed = 12345u + r->node;
	for (uint32_t i = 0; i < CPUS_PER_NODE; i++)
		last_set[i] = ~0ull; /* unknown until we set it */
	numa_serve_node(c, me, RESPONSE_VECTOR); /* lab 5 */

	for (uint64_t round = 1; round <= rounds; round++) {
		__atomic_store_n(&progress[r->node], round, __ATOMIC_RELAXED);
		uint32_t n = 0;
		for (uint32_t i = 0; i < CPUS_PER_NODE; i++) {
			struct job *j = &jobs[n];
			j->cpu = r->node * CPUS_PER_NODE + i;
			uint32_t s = __atomic_load_n(&c->cpu_status[i], __ATOMIC_ACQUIRE);
			if (s != CPU_STATUS_IDLE)
				continue; /* removed (or being removed) */
			prepare(j, round, (uint32_t)rand_r(&seed), &last_set[i]);
			if (sidecar_wake(c, i, apic_of(j->cpu))) { /* lab 3 */
				r->t.refused++; /* REMOVE got there first */
				continue;
			}
			r->t.sent++;
			slots[n] = i;
			done[n] = false;
			n++;
		}
		if (n == 0)
			break; /* every CPU of the node is gone */
		for (uint32_t k = 0; k < n; k++) {
			if (!jobs[k].stop)
				continue;
			/* linux-stub/vmm.c, stop(): RUN -> STOP, then the request IPI. */
			uint32_t expected = CPU_STATUS_RUN;
			if (__atomic_compare_exchange_n(&c->cpu_status[slots[k]], &expected,
							CPU_STATUS_STOP, false, __ATOMIC_RELEASE,
							__ATOMIC_RELAXED))
				ipi_send(apic_of(jobs[k].cpu), (uint8_t)c->request_vector);
		}
		/* Sleep until the response IPIs; collect (lab 5); a CPU that was
		 * removed meanwhile counts as finished too. */
		int64_t deadline = now_ns() + WAIT_TIMEOUT_NS;
		uint32_t left = n;
		while (left) {
			left -= client_collect(c, slots, n, done);
			for (uint32_t k = 0; k < n; k++) {
				uint32_t s = __atomic_load_n(&c->cpu_status[slots[k]], __ATOMIC_ACQUIRE);
				if (!done[k] && s == CPU_STATUS_REMOVED) {
					done[k] = true;
					left--;
				}
			}
			if (!left)
				break;
			if (now_ns() > deadline) {
				r->t.late += left;
				fprintf(stderr, "node %u: %u commands unanswered after 5 s\n", r->node, left);
				return NULL;
			}
			halt(me, HALT_TIMEOUT_NS);
		}
		for (uint32_t k = 0; k < n; k++)
			check(&jobs[k], &r->t, &last_set[slots[k]]);
	}
	return NULL;
}

/* Takes two CPUs from each node, spread over the run, each while a command
 * is in flight on it. */
static void *remover(void *arg)
{
	uint32_t *removed = arg;
	unsigned seed = 777;
	uint32_t k = 0;
	for (uint32_t cpu = 1; cpu < NCPUS; cpu += CPUS_PER_NODE / 2, k++) {
		uint32_t node = cpu / CPUS_PER_NODE;
		uint64_t when = (uint64_t)rounds * (k % 2 + 1) / 3;
		int64_t deadline = now_ns() + 4 * WAIT_TIMEOUT_NS;
		while (__atomic_load_n(&progress[node], __ATOMIC_RELAXED) < when && now_ns() < deadline) {
			struct timespec pause = {0, 100000};
			nanosleep(&pause, NULL);
		}
		/* Aim at a command in flight: wait (10 ms at most) until the CPU is
		 * RUN, then a few yields more so it may or may not have begun. */
		uint32_t *status = &controls[node].cpu_status[cpu % CPUS_PER_NODE];
		for (int64_t until = now_ns() + 10000000ll;
		     __atomic_load_n(status, __ATOMIC_ACQUIRE) != CPU_STATUS_RUN && now_ns() < until;)
			sched_yield();
		for (int spin = rand_r(&seed) % 4; spin > 0; spin--)
			sched_yield();
		if (sidecar_remove(&controls[node], cpu % CPUS_PER_NODE, apic_of(cpu)) == 0) /* lab 6 */
			(*removed)++;
	}
	return NULL;
}

static void add(struct tally *t, const struct tally *u)
{
	t->sent += u->sent, t->answered += u->answered, t->cancelled += u->cancelled;
	t->refused += u->refused, t->stopped += u->stopped, t->lost += u->lost;
	t->doubled += u->doubled, t->wrong += u->wrong, t->late += u->late;
	t->removing += u->removing;
}

/* One boot of the machine: CPUs up, requesters and the remover race,
 * every CPU removed at the end. Returns how many the remover took. */
static uint32_t epoch(struct tally *total)
{
	memset(controls, 0, sizeof(controls));
	memset(progress, 0, sizeof(progress));
	for (uint32_t n = 0; n < NODES; n++) {
		controls[n] = (struct sidecar_control){.index = n, .base_cpu = n * CPUS_PER_NODE,
						       .cpu_count = CPUS_PER_NODE,
						       .request_vector = SIDECAR_REQUEST_VECTOR};
	}
	pthread_t threads[NCPUS];
	for (uint32_t i = 0; i < NCPUS; i++) {
		memset(pages[i], 0, sizeof(*pages[i]));
		struct percpu *pc = &cpus[i];
		memset(pc, 0, sizeof(*pc));
		pc->cpu = i;
		pc->apic_id = apic_of(i);
		pc->node = i / CPUS_PER_NODE;
		pc->slot = i % CPUS_PER_NODE;
		pc->control = &controls[pc->node];
		pc->command = pages[i];
		__atomic_store_n(&pc->control->cpu_status[pc->slot], CPU_STATUS_IDLE, __ATOMIC_RELEASE);
		pthread_create(&threads[i], NULL, sidecar_cpu, pc);
	}
	struct requester req[NODES];
	for (uint32_t n = 0; n < NODES; n++) {
		req[n] = (struct requester){.node = n};
		pthread_create(&req[n].thread, NULL, requester, &req[n]);
	}
	uint32_t removed = 0;
	pthread_t remove_thread;
	pthread_create(&remove_thread, NULL, remover, &removed);

	pthread_join(remove_thread, NULL);
	for (uint32_t n = 0; n < NODES; n++) {
		pthread_join(req[n].thread, NULL);
		add(total, &req[n].t);
	}
	/* Take the rest, so every sidecar thread ends; each must say REMOVED. */
	for (uint32_t i = 0; i < NCPUS; i++)
		sidecar_remove(&controls[i / CPUS_PER_NODE], i % CPUS_PER_NODE, apic_of(i));
	for (uint32_t i = 0; i < NCPUS; i++) {
		pthread_join(threads[i], NULL);
		if (__atomic_load_n(&controls[i / CPUS_PER_NODE].cpu_status[i % CPUS_PER_NODE],
				    __ATOMIC_ACQUIRE) != CPU_STATUS_REMOVED)
			total->wrong++;
	}
	return removed;
}

int main(int argc, char **argv)
{
	uint32_t total_rounds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20000;
	uint32_t epochs = total_rounds / ROUNDS_PER_EPOCH ? total_rounds / ROUNDS_PER_EPOCH : 1;
	rounds = total_rounds / epochs;
	host_ipi_hook = deliver;
	host_vp_spins = 8;
	pthread_condattr_t monotonic; /* halt()'s deadlines are CLOCK_MONOTONIC */
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	for (uint32_t a = 0; a < MAX_APIC; a++) {
		pthread_mutex_init(&irq_boxes[a].lock, NULL);
		pthread_cond_init(&irq_boxes[a].cond, &monotonic);
	}
	for (uint32_t i = 0; i < NCPUS; i++)
		pages[i] = aligned_alloc(SIDECAR_PAGE, sizeof(*pages[i]));

	struct tally t = {0};
	uint32_t removed = 0;
	for (uint32_t e = 0; e < epochs; e++)
		removed += epoch(&t);
	for (uint32_t i = 0; i < NCPUS; i++)
		free(pages[i]);

	printf("protocol: %d CPUs in %d nodes, %u boots of %u rounds: %lu commands sent, "
	       "%lu answered (%lu of them by a CPU being removed), %lu cancelled by REMOVE, "
	       "%lu refused (CPU not idle), %lu RUN_VP stopped; %u REMOVEs raced with "
	       "commands; lost %lu, doubled %lu, wrong %lu, late %lu, lost wake-ups %lu; %lu IPIs\n",
	       NCPUS, NODES, epochs, rounds, (unsigned long)t.sent, (unsigned long)t.answered,
	       (unsigned long)t.removing, (unsigned long)t.cancelled, (unsigned long)t.refused,
	       (unsigned long)t.stopped, removed, (unsigned long)t.lost, (unsigned long)t.doubled,
	       (unsigned long)t.wrong, (unsigned long)t.late, (unsigned long)lost_wakeups,
	       (unsigned long)host_ipis_sent);
	bool ok = t.lost == 0 && t.doubled == 0 && t.wrong == 0 && t.late == 0 &&
		  lost_wakeups == 0 && t.sent == t.answered + t.cancelled && removed > 0 &&
		  t.answered > 0;
	printf("protocol: %s\n", ok ? "every command answered exactly once" : "FAILED");
	return ok ? 0 : 1;
}
