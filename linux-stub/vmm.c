/*
 * vmm.c - linux-stub's VMM: runs guest programs on sidecar CPUs (lab 4).
 *
 *   guests                               the built-in guest programs
 *   run <cpu> <guest> [timeout=<ms>]     run one on a sidecar CPU
 *   regs <cpu>                           the VP's registers
 *   gva <cpu> <address>                  translate a guest virtual address
 *
 * This is the other half of the sidecar's RUN_VP (kernel/vp.c), the part a
 * VMM such as OpenVMM plays for OpenHCL: it gives the VP its memory and
 * registers, runs it, and handles every exit, on the main kernel's CPU.
 * A run is a loop:
 *
 *   load the program and the page tables into the CPU's guest memory
 *   SET_VP_REGISTERS: rip at the entry, rsp at the stack top, IF on
 *   repeat: RUN_VP -> an exit -> handle it (print a byte, answer an "in",
 *           resume after a fault) -> RUN_VP again, which also completes the
 *           exit's instruction (the sidecar steps over it and, for "in" and
 *           hypercalls, puts our answer, request.exit.value, in rax)
 *   until the guest halts, faults for good, or the time is up: then we ask
 *   the running VP to STOP (cpu_status RUN -> STOP and the request IPI).
 *
 * Every command is one round of the protocol in include/sidecar.h: write the
 * command page, sidecar_wake() (IDLE -> RUN, release; the request IPI),
 * wait for IDLE (acquire) - never forever - and read the reply. The reply is
 * shared memory too: we copy the exit before we look at it.
 *
 * How commands reach the sidecar is this file's; what the VMM does with a
 * guest (its memory image, what each exit means and the line it prints) is
 * vmm_core.c's, shared with lab 7's sidecarctl, which issues the same
 * commands through a Linux driver.
 */
#include "vmm.h"
#include "console.h"
#include "cpus.h"
#include "lab_stub.h"
#include "lapic.h"
#include "memory.h"
#include "sidecar_client.h"
#include "stub.h"
#include "timer.h"
#include "vmm_core.h"
#include "wake.h"
#include "x86.h"

#define COMMAND_TIMEOUT_NS 2000000000ull /* a command, or a STOP, gets 2 s */

/* A sidecar CPU we talk to, found and checked by open_cpu(). */
struct vp_client {
	uint32_t cpu, slot, apic_id;
	struct sidecar_control *control;
	struct sidecar_command_page *page;
};

/* Each sidecar CPU's guest memory and scratch pages: allocated the first
 * time a guest runs there, then reused. */
static struct {
	uint8_t *memory;
	void *scratch;
	bool loaded; /* a guest was loaded: the registration below is valid */
	struct sidecar_vp_memory registration;
} guest_memory[MAX_CPUS];

/* ---- one command, start to finish ---------------------------------------- */

static uint32_t cpu_status(const struct vp_client *c)
{
	return __atomic_load_n(&c->control->cpu_status[c->slot], __ATOMIC_ACQUIRE);
}

/* The CPU named by arg, if it is a sidecar CPU and idle. */
static int open_cpu(const char *arg, struct vp_client *c)
{
	uint64_t cpu;
	if (!parse_u64(arg, strlen(arg), &cpu) || cpu >= stub.machine.ncpus)
		return kprintf("error: no cpu '%s' (cpus are 0-%u)\n", arg,
			       stub.machine.ncpus - 1), -1;
	c->cpu = (uint32_t)cpu;
	if (!sidecar_cpu(c->cpu, &c->control, &c->slot, &c->page))
		return kprintf("error: cpu %u is not a sidecar CPU (it is %s)\n", c->cpu,
			       cpu_state_name_of(c->cpu)), -1;
	if (cpu_status(c) != CPU_STATUS_IDLE)
		return kprintf("error: cpu %u is %s, not idle\n", c->cpu,
			       cpu_state_name_of(c->cpu)), -1;
	c->apic_id = stub.machine.cpus[c->cpu].apic_id;
	return 0;
}

static bool wait_idle(const struct vp_client *c, uint64_t deadline_ns)
{
	return client_wait_idle(c->control, c->slot, deadline_ns);
}

/* Hand the CPU its command: the page is written, now IDLE -> RUN and the IPI. */
static int send(const struct vp_client *c, uint32_t command)
{
	c->page->command = command;
	if (sidecar_wake(c->control, c->slot, c->apic_id))
		return kprintf("error: cpu %u refused %s (status %u)\n", c->cpu,
			       vmm_command_name(command), cpu_status(c)), -1;
	return 0;
}

/* The CPU is idle again: did the command work? */
static int reply(const struct vp_client *c)
{
	if (c->page->error)
		return kprintf("error: cpu %u: %.112s\n", c->cpu, c->page->error_text), -1;
	return 0;
}

/* A command that should finish at once: send, wait up to 2 s, check. */
static int issue(const struct vp_client *c, uint32_t command)
{
	if (send(c, command))
		return -1;
	if (!wait_idle(c, timer_ns() + COMMAND_TIMEOUT_NS))
		return kprintf("error: cpu %u did not answer %s within 2 s (status %u)\n", c->cpu,
			       vmm_command_name(command), cpu_status(c)), -1;
	return reply(c);
}

/* Ask a running RUN_VP to return: RUN -> STOP, then the request IPI, which
 * pulls the CPU out of the guest. If the CAS fails the CPU was already
 * done: it stored IDLE itself. */
static int stop(const struct vp_client *c)
{
	bool ipi_failed = client_stop(c->control, c->slot, c->apic_id) < 0;
	if (!wait_idle(c, timer_ns() + COMMAND_TIMEOUT_NS))
		return kprintf("error: cpu %u did not answer STOP within 2 s (status %u%s)\n",
			       c->cpu, cpu_status(c), ipi_failed ? ", the IPI failed" : ""), -1;
	return 0;
}

/* RUN_VP until the next exit, or until the deadline and then STOP. */
static int run_vp(const struct vp_client *c, const struct sidecar_vp_exit *answer,
		  uint64_t deadline_ns)
{
	/* request is a union: a GET or SET since the last exit overwrote it. */
	c->page->memory = guest_memory[c->cpu].registration;
	c->page->request.exit = *answer;
	if (send(c, SIDECAR_CMD_RUN_VP))
		return -1;
	if (!wait_idle(c, deadline_ns) && stop(c))
		return -1;
	return reply(c);
}

/* GET (set = false) or SET the n registers in names[]. */
static int registers(const struct vp_client *c, bool set, const uint32_t *names, uint64_t *values,
		     uint32_t n)
{
	struct sidecar_registers *r = &c->page->request.registers;
	r->count = n;
	for (uint32_t i = 0; i < n; i++) {
		r->names[i] = names[i];
		r->values[i] = set ? values[i] : 0;
	}
	if (issue(c, set ? SIDECAR_CMD_SET_VP_REGISTERS : SIDECAR_CMD_GET_VP_REGISTERS))
		return -1;
	for (uint32_t i = 0; !set && i < n; i++)
		values[i] = r->values[i];
	return 0;
}

/* ---- linux-stub as vmm_core.c's client ------------------------------------- */

static int core_registers(const struct vmm_client *v, bool set, const uint32_t *names,
			  uint64_t *values, uint32_t n)
{
	return registers(v->ctx, set, names, values, n);
}

/* Everything goes to the console: output and errors alike. */
static struct vmm_client core_client(struct vp_client *c)
{
	return (struct vmm_client){.cpu = c->cpu, .print = kprintf, .print_error = kprintf,
				   .registers = core_registers, .ctx = c};
}

/* Every register: more than one request holds (vmm_registers splits). */
static int all_registers(struct vp_client *c, bool set, uint64_t values[VP_REGISTER_COUNT])
{
	struct vmm_client vmm = core_client(c);
	return vmm_all_registers(&vmm, set, values);
}

/* ---- guest memory -------------------------------------------------------- */

/* Fill the CPU's guest memory (vmm_build_guest) and describe it for RUN_VP. */
static int load_guest(const struct vp_client *c, const struct guest *g)
{
	typeof(guest_memory[0]) *gm = &guest_memory[c->cpu];
	if (!gm->memory)
		gm->memory = stub_alloc_pages(GUEST_MEMORY_SIZE / PAGE_SIZE);
	if (!gm->scratch)
		gm->scratch = stub_alloc_pages(GUEST_SCRATCH_PAGES);
	if (!gm->memory || !gm->scratch)
		return kprintf("error: no memory for cpu %u's guest (%lu KiB, %u scratch pages)\n",
			       c->cpu, (unsigned long)(GUEST_MEMORY_SIZE >> 10),
			       GUEST_SCRATCH_PAGES), -1;

	vmm_build_guest(gm->memory, g);
	gm->registration = (struct sidecar_vp_memory){
		.base = (uint64_t)gm->memory, /* linux-stub's memory is identity mapped */
		.size = GUEST_MEMORY_SIZE,
		.page_table = GUEST_PAGE_TABLE_GPA,
		.scratch = (uint64_t)gm->scratch,
		.scratch_pages = GUEST_SCRATCH_PAGES,
	};
	gm->loaded = true;
	return 0;
}

/* ---- the monitor's commands ------------------------------------------------ */

int cmd_guests(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return kprintf("error: guests takes no arguments\n"), -1;
	for (const struct guest *g = guest_table; g->name; g++)
		kprintf("guest %s %lu bytes\n", g->name, (unsigned long)g->size);
	return 0;
}

static int parse_run_args(int argc, char **argv, uint64_t *timeout_ms)
{
	static const char usage[] = "usage: run <cpu> <guest> [timeout=<ms>]";
	static const char key[] = "timeout=";
	*timeout_ms = DEFAULT_RUN_MS;
	if (argc < 3 || argc > 4)
		return kprintf("error: %s\n", usage), -1;
	if (argc == 4) {
		const char *v = argv[3] + strlen(key);
		if (strncmp(argv[3], key, strlen(key)) != 0 || !parse_u64(v, strlen(v), timeout_ms))
			return kprintf("error: %s\n", usage), -1;
		if (*timeout_ms == 0 || *timeout_ms > MAX_RUN_MS)
			return kprintf("error: timeout %lu ms: from 1 to %u\n",
				       (unsigned long)*timeout_ms, MAX_RUN_MS), -1;
	}
	return 0;
}

/* Load guest g on c's CPU and run it to its end; regs holds the VP's first
 * registers on entry (vmm_reset_registers(), maybe changed), its last ones
 * on return (when the outcome is not RUN_FAILED). */
static enum run_outcome run_guest(struct vp_client *c, const struct guest *g, uint64_t timeout_ms,
				  uint64_t regs[VP_REGISTER_COUNT])
{
	if (g->size > GUEST_PROGRAM_MAX)
		return kprintf("error: guest %s is %lu bytes; at most %lu fit\n", g->name,
			       (unsigned long)g->size, (unsigned long)GUEST_PROGRAM_MAX), RUN_FAILED;
	if (load_guest(c, g))
		return RUN_FAILED;
	kprintf("run: cpu %u guest %s: %lu bytes at 0x%lx, timeout %lu ms\n", c->cpu, g->name,
		(unsigned long)g->size, (unsigned long)GUEST_ENTRY, (unsigned long)timeout_ms);

	/* A fresh VP: every register named, so nothing of the last run stays. */
	enum run_outcome outcome = all_registers(c, true, regs) ? RUN_FAILED : RUN_ON;

	struct vmm_client vmm = core_client(c);
	struct guest_console con = {0};
	struct sidecar_vp_exit answer = {0};
	uint64_t deadline = timer_ns() + timeout_ms * 1000000;
	uint32_t exits = 0;
	static uint64_t round_trip_ns[MAX_EXITS]; /* one run at a time: the BSP's monitor */
	while (outcome == RUN_ON) {
		uint64_t before = timer_ns();
		if (exits == MAX_EXITS) {
			outcome = RUN_EXIT_LIMIT;
		} else if (timer_ns() >= deadline) {
			outcome = RUN_TIMED_OUT; /* between exits: the VP is not running */
		} else if (run_vp(c, &answer, deadline)) {
			outcome = RUN_FAILED;
		} else {
			round_trip_ns[exits++] = timer_ns() - before;
			struct sidecar_vp_exit e = c->page->request.exit; /* one copy */
			outcome = vmm_handle_exit(&vmm, &e, &answer, &con);
		}
	}
	vmm_console_flush(&vmm, &con);
	kprintf("run: cpu %u guest %s: %s after %u exit%s\n", c->cpu, g->name,
		vmm_outcome_name(outcome), exits, exits == 1 ? "" : "s");
	if (exits) { /* RUN_VP to the exit seen: what make bench reports */
		sort_u64(round_trip_ns, exits);
		kprintf("run: cpu %u exit round trip min %lu median %lu max %lu ns\n", c->cpu,
			(unsigned long)round_trip_ns[0], (unsigned long)round_trip_ns[exits / 2],
			(unsigned long)round_trip_ns[exits - 1]);
	}
	if (outcome != RUN_FAILED && all_registers(c, false, regs))
		outcome = RUN_FAILED;
	return outcome;
}

int cmd_run(int argc, char **argv)
{
	uint64_t timeout_ms;
	struct vp_client c;
	if (parse_run_args(argc, argv, &timeout_ms) || open_cpu(argv[1], &c))
		return -1;
	const struct guest *g = vmm_find_guest(argv[2]);
	if (!g)
		return kprintf("error: no guest '%s' (try 'guests')\n", argv[2]), -1;
	uint64_t regs[VP_REGISTER_COUNT];
	vmm_reset_registers(regs);
	return run_guest(&c, g, timeout_ms, regs) == RUN_FAILED ? -1 : 0;
}

int vmm_run_with_rdi(const char *cpu, const char *guest, uint64_t rdi,
		     uint64_t regs[VP_REGISTER_COUNT], enum run_outcome *outcome)
{
	struct vp_client c;
	const struct guest *g = vmm_find_guest(guest);
	if (!g || open_cpu(cpu, &c))
		return -1;
	vmm_reset_registers(regs);
	regs[VP_RDI] = rdi;
	*outcome = run_guest(&c, g, DEFAULT_RUN_MS, regs);
	return 0;
}

void vmm_guest_pages(uint32_t cpu, uint64_t *memory, uint64_t *scratch)
{
	*memory = cpu < MAX_CPUS ? (uint64_t)guest_memory[cpu].memory : 0;
	*scratch = cpu < MAX_CPUS ? (uint64_t)guest_memory[cpu].scratch : 0;
}

int cmd_regs(int argc, char **argv)
{
	struct vp_client c;
	uint64_t v[VP_REGISTER_COUNT];
	if (argc != 2)
		return kprintf("error: usage: regs <cpu>\n"), -1;
	if (open_cpu(argv[1], &c) || all_registers(&c, false, v))
		return -1;
	struct vmm_client vmm = core_client(&c);
	vmm_print_registers(&vmm, v);
	return 0;
}

int cmd_gva(int argc, char **argv)
{
	struct vp_client c;
	uint64_t gva;
	if (argc != 3 || !parse_u64(argv[2], strlen(argv[2]), &gva))
		return kprintf("error: usage: gva <cpu> <address>\n"), -1;
	if (open_cpu(argv[1], &c))
		return -1;
	if (!guest_memory[c.cpu].loaded)
		return kprintf("error: cpu %u has no guest memory yet: run a guest there first\n",
			       c.cpu), -1;
	struct sidecar_translate *t = &c.page->request.translate;
	c.page->memory = guest_memory[c.cpu].registration;
	t->gva = gva;
	t->access = TRANSLATE_WRITE;
	t->writable = 0;
	t->gpa = 0;
	if (issue(&c, SIDECAR_CMD_TRANSLATE_GVA))
		return -1;
	kprintf("gva: cpu %u 0x%lx -> gpa 0x%lx %s\n", c.cpu, (unsigned long)gva,
		(unsigned long)t->gpa, t->writable ? "writable" : "read-only");
	return 0;
}

int vmm_start(const char *cpu, const char *guest)
{
	struct vp_client c;
	const struct guest *g = vmm_find_guest(guest);
	if (!g || open_cpu(cpu, &c) || load_guest(&c, g))
		return -1;
	uint64_t regs[VP_REGISTER_COUNT];
	vmm_reset_registers(regs);
	if (all_registers(&c, true, regs))
		return -1;
	c.page->memory = guest_memory[c.cpu].registration;
	memset(&c.page->request.exit, 0, sizeof(c.page->request.exit));
	return send(&c, SIDECAR_CMD_RUN_VP);
}
