/*
 * wake.c - the monitor's "wake" command: the wake-up protocol, measured.
 *
 *   wake <cpu|all> [rounds] [stop]
 *
 * Every round wakes each chosen sidecar CPU at once with command NONE
 * (sidecar_wake(), lab 3: IDLE -> RUN, request IPI) and waits - at most a
 * second - for each to store IDLE again. The CPUs of a node are handled by
 * the CPU of ours that serves that node (lab 5), all nodes in parallel: it
 * sleeps until the node's response IPIs (or the tick) wake it and collects
 * the answers (client_collect(), lab 5). A CPU's command page counts the
 * commands it completed, so a lost wake-up (no IDLE in time) and a doubled
 * one (the count grew by more than one) are both caught. The round trip,
 * from just before the RUN store to the moment we see IDLE, is measured with
 * the TSC.
 *
 * With "stop" each wake-up is stopped at once (RUN -> STOP, the request IPI
 * again), as a VMM stops a command that has not started yet: the CPU may
 * find STOP, not RUN, when it looks, and must still run and answer the
 * command (lab 2's halt loop). The shim's race_windows makes the CPU look
 * 1 ms late (include/halt.h), so that is what it finds.
 */
#include "wake.h"
#include "console.h"
#include "cpus.h"
#include "lab_stub.h"
#include "sidecar_client.h"
#include "smp.h"
#include "stub.h"
#include "timer.h"
#include "x86.h"

#define WAKE_TIMEOUT_NS 1000000000ull
#define MAX_SAMPLES 131072 /* shared by the nodes' jobs: 16 nodes x 8192 */
#define MAX_ROUNDS 100000

struct target {
	uint32_t cpu, apic_id, slot;
	struct sidecar_command_page *command;
	uint64_t before, sent_tsc;
};

/* One sidecar node's share of a wake command, run on the CPU of ours that
 * serves the node (its response CPU). Its arrays are its run of the shared
 * ones below: with up to MAX_CPUS CPUs and SIDECAR_MAX_NODES nodes,
 * per-node arrays of MAX_CPUS each would take megabytes. */
struct node_job {
	struct sidecar_control *control;
	uint32_t n;
	struct target *targets;
	uint32_t *slots;
	bool *done;
	uint64_t rounds;
	bool stop; /* stop each wake-up at once */
	uint64_t answered, lost, doubled, refused, nsamples, max_samples;
	uint64_t *samples;
};

static struct node_job jobs[SIDECAR_MAX_NODES];
static struct target all_targets[MAX_CPUS];
static uint32_t all_slots[MAX_CPUS];
static bool all_done[MAX_CPUS];
static uint64_t all_samples[MAX_SAMPLES];

void sort_u64(uint64_t *v, size_t n)
{
	/* Shell sort with Ciura's gaps: short, and fast enough for 64 K samples. */
	static const size_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
	for (size_t g = 0; g < ARRAY_SIZE(gaps); g++)
		for (size_t i = gaps[g]; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;
			for (; j >= gaps[g] && v[j - gaps[g]] > x; j -= gaps[g])
				v[j] = v[j - gaps[g]];
			v[j] = x;
		}
}

static void wake_round(struct node_job *job)
{
	for (uint32_t i = 0; i < job->n; i++) {
		struct target *t = &job->targets[i];
		t->command->command = SIDECAR_CMD_NONE;
		t->before = __atomic_load_n(&t->command->completed, __ATOMIC_ACQUIRE);
		job->done[i] = false;
		t->sent_tsc = rdtsc();
		if (sidecar_wake(job->control, t->slot, t->apic_id)) {
			job->refused++;
			job->done[i] = true;
			continue;
		}
		if (job->stop)
			client_stop(job->control, t->slot, t->apic_id);
	}
	uint64_t start = timer_ns();
	for (;;) {
		cli();
		bool before[MAX_CPUS];
		memcpy(before, job->done, job->n * sizeof(bool));
		client_collect(job->control, job->slots, job->n, job->done); /* lab 5 */
		uint32_t left = 0;
		for (uint32_t i = 0; i < job->n; i++) {
			struct target *t = &job->targets[i];
			if (job->done[i] && !before[i]) {
				uint64_t rtt = rdtsc() - t->sent_tsc;
				uint64_t after = __atomic_load_n(&t->command->completed, __ATOMIC_ACQUIRE);
				job->doubled += after > t->before + 1;
				job->lost += after == t->before;
				job->answered++;
				if (job->nsamples < job->max_samples)
					job->samples[job->nsamples++] = rtt;
			}
			left += !job->done[i];
		}
		if (!left)
			break;
		if (timer_ns() - start > WAKE_TIMEOUT_NS) {
			for (uint32_t i = 0; i < job->n; i++)
				if (!job->done[i])
					kprintf("error: cpu %u did not answer within 1 s (status %u)\n",
						job->targets[i].cpu,
						job->control->cpu_status[job->targets[i].slot]);
			job->lost += left;
			break;
		}
		smp_wait(); /* the node's response IPI, or the tick */
	}
	__asm__ volatile("sti" ::: "memory");
}

static void wake_node(void *p)
{
	struct node_job *job = p;
	for (uint64_t r = 0; r < job->rounds && !job->lost; r++)
		wake_round(job);
}

/* Sort the chosen idle sidecar CPUs into their nodes' jobs. */
static int choose(const char *which, uint64_t rounds, bool stop)
{
	bool all = strcmp(which, "all") == 0;
	uint64_t want = 0;
	if (!all && !parse_u64(which, strlen(which), &want))
		return kprintf("error: usage: wake <cpu|all> [rounds]\n"), -1;
	memset(jobs, 0, sizeof(jobs));
	uint32_t chosen = 0;
	/* Two passes: count each node's CPUs, then give each node its run of
	 * the shared arrays and fill it. */
	static bool pick[MAX_CPUS];
	for (uint32_t cpu = 0; cpu < stub.machine.ncpus; cpu++) {
		pick[cpu] = false;
		if (!all && want != cpu)
			continue;
		struct sidecar_control *control;
		struct sidecar_command_page *command;
		uint32_t slot;
		if (!sidecar_cpu(cpu, &control, &slot, &command)) {
			if (!all)
				return kprintf("error: cpu %u is not a sidecar CPU\n", cpu), -1;
			continue;
		}
		if (__atomic_load_n(&control->cpu_status[slot], __ATOMIC_ACQUIRE) != CPU_STATUS_IDLE) {
			if (!all)
				return kprintf("error: cpu %u is %s, not idle\n", cpu,
					       cpu_state_name_of(cpu)), -1;
			continue;
		}
		int node = sidecar_node_of(cpu);
		if (node < 0 || node >= SIDECAR_MAX_NODES)
			return kprintf("error: cpu %u has no sidecar node\n", cpu), -1;
		pick[cpu] = true;
		jobs[node].n++;
		chosen++;
	}
	uint32_t nodes_used = 0;
	for (uint32_t node = 0; node < SIDECAR_MAX_NODES; node++)
		nodes_used += jobs[node].n != 0;
	uint64_t share = MAX_SAMPLES / (nodes_used ? nodes_used : 1);
	for (uint32_t node = 0, first = 0, k = 0; node < SIDECAR_MAX_NODES; node++) {
		struct node_job *job = &jobs[node];
		job->targets = all_targets + first;
		job->slots = all_slots + first;
		job->done = all_done + first;
		job->samples = all_samples + k * share;
		job->max_samples = share;
		first += job->n;
		k += job->n != 0;
		job->n = 0;
	}
	for (uint32_t cpu = 0; cpu < stub.machine.ncpus; cpu++) {
		struct sidecar_control *control;
		struct sidecar_command_page *command;
		uint32_t slot;
		if (!pick[cpu] || !sidecar_cpu(cpu, &control, &slot, &command))
			continue;
		struct node_job *job = &jobs[sidecar_node_of(cpu)];
		job->control = control;
		job->rounds = rounds;
		job->stop = stop;
		job->slots[job->n] = slot;
		job->targets[job->n++] = (struct target){cpu, stub.machine.cpus[cpu].apic_id, slot,
							 command, 0, 0};
	}
	if (!all && want >= stub.machine.ncpus)
		return kprintf("error: no cpu %lu\n", (unsigned long)want), -1;
	if (chosen == 0)
		return kprintf("error: no idle sidecar CPU to wake\n"), -1;
	return (int)chosen;
}

int cmd_wake(int argc, char **argv)
{
	uint64_t rounds = 1;
	bool stop = argc == 4 && strcmp(argv[3], "stop") == 0;
	if (argc < 2 || argc > 4 || (argc >= 3 && !parse_u64(argv[2], strlen(argv[2]), &rounds)) ||
	    (argc == 4 && !stop) || rounds == 0 || rounds > MAX_ROUNDS)
		return kprintf("error: usage: wake <cpu|all> [rounds] [stop], 1 <= rounds <= %d\n",
			       MAX_ROUNDS), -1;
	int n = choose(argv[1], rounds, stop);
	if (n < 0)
		return -1;

	uint64_t responses_before = smp_responses();
	/* Every node's CPU works at once; the BSP takes node 0 (or any node
	 * without a CPU of ours) itself, last. */
	for (uint32_t node = 0; node < SIDECAR_MAX_NODES; node++)
		if (jobs[node].n && sidecar_node_server(node) != smp_this_cpu())
			smp_post(sidecar_node_server(node), wake_node, &jobs[node]);
	for (uint32_t node = 0; node < SIDECAR_MAX_NODES; node++)
		if (jobs[node].n && sidecar_node_server(node) == smp_this_cpu())
			wake_node(&jobs[node]);
	for (uint32_t node = 0; node < SIDECAR_MAX_NODES; node++)
		if (jobs[node].n && sidecar_node_server(node) != smp_this_cpu())
			smp_join(sidecar_node_server(node));

	/* The nodes' samples, moved together (each run starts at or after
	 * where the ones before it end). */
	uint64_t *samples = all_samples;
	uint64_t answered = 0, lost = 0, doubled = 0, refused = 0, nsamples = 0;
	for (uint32_t node = 0; node < SIDECAR_MAX_NODES; node++) {
		struct node_job *j = &jobs[node];
		answered += j->answered, lost += j->lost, doubled += j->doubled;
		refused += j->refused;
		memmove(samples + nsamples, j->samples, j->nsamples * sizeof(uint64_t));
		nsamples += j->nsamples;
	}
	kprintf("wake: %u CPU%s x %lu round%s%s: %lu wake-ups, %lu lost, %lu doubled, %lu refused\n",
		n, n == 1 ? "" : "s", (unsigned long)rounds, rounds == 1 ? "" : "s",
		stop ? " (each stopped at once)" : "",
		(unsigned long)answered, (unsigned long)lost, (unsigned long)doubled,
		(unsigned long)refused);
	kprintf("wake: %lu responses arrived by IPI at the nodes' CPUs\n",
		(unsigned long)(smp_responses() - responses_before));
	if (nsamples) {
		sort_u64(samples, nsamples);
		uint64_t lo = samples[0], mid = samples[nsamples / 2], hi = samples[nsamples - 1];
		kprintf("wake: round trip min %lu median %lu max %lu cycles "
			"(min %lu median %lu max %lu ns)\n",
			(unsigned long)lo, (unsigned long)mid, (unsigned long)hi,
			(unsigned long)timer_tsc_to_ns(lo), (unsigned long)timer_tsc_to_ns(mid),
			(unsigned long)timer_tsc_to_ns(hi));
	}
	return lost || doubled || refused ? -1 : 0;
}
