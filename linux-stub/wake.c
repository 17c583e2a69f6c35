/*
 * wake.c - the monitor's "wake" command: the wake-up protocol, measured.
 *
 *   wake <cpu|all> [rounds]
 *
 * Every round wakes each chosen sidecar CPU at once with command NONE
 * (sidecar_wake(): IDLE -> RUN, request IPI) and waits - at most a second -
 * for each to store IDLE again. A CPU's command page counts the commands it
 * completed, so a lost wake-up (no IDLE in time) and a doubled one (the
 * count grew by more than one) are both caught. The round trip, from just
 * before the RUN store to the moment we see IDLE, is measured with the TSC.
 */
#include "stub.h"
#include "console.h"
#include "sidecar_client.h"
#include "timer.h"
#include "x86.h"

#define WAKE_TIMEOUT_NS 1000000000ull
#define MAX_SAMPLES 65536
#define MAX_ROUNDS 100000

static uint64_t samples[MAX_SAMPLES];

struct target {
	uint32_t cpu, apic_id, slot;
	struct sidecar_control *control;
	struct sidecar_command_page *command;
	uint64_t before, sent_tsc;
	bool done;
};
static struct target targets[MAX_CPUS];

static void sort(uint64_t *v, size_t n)
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

static int choose(const char *which, uint32_t *n)
{
	*n = 0;
	for (uint32_t cpu = 0; cpu < stub.machine.ncpus; cpu++) {
		struct target *t = &targets[*n];
		if (strcmp(which, "all") != 0) {
			uint64_t want;
			if (!parse_u64(which, strlen(which), &want))
				return kprintf("error: usage: wake <cpu|all> [rounds]\n"), -1;
			if (want != cpu)
				continue;
		}
		if (!sidecar_cpu(cpu, &t->control, &t->slot, &t->command)) {
			if (strcmp(which, "all") != 0)
				return kprintf("error: cpu %u is not a sidecar CPU\n", cpu), -1;
			continue;
		}
		if (__atomic_load_n(&t->control->cpu_status[t->slot], __ATOMIC_ACQUIRE) !=
		    CPU_STATUS_IDLE) {
			if (strcmp(which, "all") != 0)
				return kprintf("error: cpu %u is %s, not idle\n", cpu,
					       cpu_state_name_of(cpu)), -1;
			continue;
		}
		t->cpu = cpu;
		t->apic_id = stub.machine.cpus[cpu].apic_id;
		(*n)++;
	}
	if (*n == 0)
		return kprintf("error: no idle sidecar CPU to wake\n"), -1;
	return 0;
}

int cmd_wake(int argc, char **argv)
{
	uint64_t rounds = 1;
	uint32_t n;
	if (argc < 2 || argc > 3 || (argc == 3 && !parse_u64(argv[2], strlen(argv[2]), &rounds)) ||
	    rounds == 0 || rounds > MAX_ROUNDS)
		return kprintf("error: usage: wake <cpu|all> [rounds], 1 <= rounds <= %d\n",
			       MAX_ROUNDS), -1;
	if (choose(argv[1], &n))
		return -1;

	uint64_t lost = 0, doubled = 0, failed_sends = 0, nsamples = 0, answered = 0;
	for (uint64_t r = 0; r < rounds && !lost; r++) {
		for (uint32_t i = 0; i < n; i++) {
			struct target *t = &targets[i];
			t->command->command = SIDECAR_CMD_NONE;
			t->before = __atomic_load_n(&t->command->completed, __ATOMIC_ACQUIRE);
			t->done = false;
			t->sent_tsc = rdtsc();
			if (sidecar_wake(t->control, t->slot, t->apic_id)) {
				failed_sends++;
				t->done = true;
			}
		}
		uint64_t start = timer_ns();
		for (uint32_t left = n; left;) {
			left = 0;
			for (uint32_t i = 0; i < n; i++) {
				struct target *t = &targets[i];
				if (t->done)
					continue;
				if (__atomic_load_n(&t->control->cpu_status[t->slot],
						    __ATOMIC_ACQUIRE) == CPU_STATUS_IDLE) {
					uint64_t rtt = rdtsc() - t->sent_tsc;
					uint64_t after = __atomic_load_n(&t->command->completed,
									 __ATOMIC_ACQUIRE);
					doubled += after > t->before + 1;
					lost += after == t->before;
					answered++;
					if (nsamples < MAX_SAMPLES)
						samples[nsamples++] = rtt;
					t->done = true;
				} else {
					left++;
				}
			}
			if (left && timer_ns() - start > WAKE_TIMEOUT_NS) {
				for (uint32_t i = 0; i < n; i++)
					if (!targets[i].done)
						kprintf("error: cpu %u did not answer within 1 s (status %u)\n",
							targets[i].cpu,
							targets[i].control->cpu_status[targets[i].slot]);
				lost += left;
				break;
			}
		}
	}

	kprintf("wake: %u CPU%s x %lu round%s: %lu wake-ups, %lu lost, %lu doubled, %lu refused\n",
		n, n == 1 ? "" : "s", (unsigned long)rounds, rounds == 1 ? "" : "s",
		(unsigned long)answered, (unsigned long)lost, (unsigned long)doubled,
		(unsigned long)failed_sends);
	if (nsamples) {
		sort(samples, nsamples);
		uint64_t lo = samples[0], mid = samples[nsamples / 2], hi = samples[nsamples - 1];
		kprintf("wake: round trip min %lu median %lu max %lu cycles "
			"(min %lu median %lu max %lu ns)\n",
			(unsigned long)lo, (unsigned long)mid, (unsigned long)hi,
			(unsigned long)timer_tsc_to_ns(lo), (unsigned long)timer_tsc_to_ns(mid),
			(unsigned long)timer_tsc_to_ns(hi));
	}
	return lost || doubled || failed_sends ? -1 : 0;
}
