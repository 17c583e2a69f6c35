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
 */
#include "stub.h"
#include "console.h"
#include "lapic.h"
#include "sidecar_client.h"
#include "timer.h"
#include "trap.h"
#include "vmm.h"
#include "x86.h"

#define PAGE 4096ull
#define COMMAND_TIMEOUT_NS 2000000000ull /* a command, or a STOP, gets 2 s */
#define DEFAULT_RUN_MS 5000
#define MAX_RUN_MS 600000
#define MAX_EXITS 10000 /* bounds a run whose guest exits forever */
#define GUEST_SERIAL 0x3f8

/* Page-table entry bits (SDM vol. 3A 4.5, Table 4-15 onwards). */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_GUEST (PTE_P | PTE_W | PTE_U)
/* The table index of each level for a virtual address (SDM vol. 3A 4.5.4). */
#define PML4_INDEX(va) (((va) >> 39) & 511)
#define PDPT_INDEX(va) (((va) >> 30) & 511)
#define PD_INDEX(va) (((va) >> 21) & 511)
#define PT_INDEX(va) (((va) >> 12) & 511)

_Static_assert(GUEST_PROGRAM_GPA == GUEST_PAGE_TABLE_GPA + 4 * PAGE,
	       "four tables, then the program");
_Static_assert(GUEST_PROGRAM_GPA + GUEST_PROGRAM_MAX < GUEST_MEMORY_SIZE, "room for a stack");
_Static_assert(PD_INDEX(GUEST_GVA_BASE + GUEST_MEMORY_SIZE - 1) == PD_INDEX(GUEST_GVA_BASE),
	       "guest memory fits one page table");

static const char *const register_names[VP_REGISTER_COUNT] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
};

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

static const char *command_name(uint32_t command)
{
	switch (command) {
	case SIDECAR_CMD_NONE:
		return "NONE";
	case SIDECAR_CMD_RUN_VP:
		return "RUN_VP";
	case SIDECAR_CMD_GET_VP_REGISTERS:
		return "GET_VP_REGISTERS";
	case SIDECAR_CMD_SET_VP_REGISTERS:
		return "SET_VP_REGISTERS";
	case SIDECAR_CMD_TRANSLATE_GVA:
		return "TRANSLATE_GVA";
	}
	return "?";
}

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
			       command_name(command), cpu_status(c)), -1;
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
			       command_name(command), cpu_status(c)), -1;
	return reply(c);
}

/* Ask a running RUN_VP to return: RUN -> STOP, then the request IPI, which
 * pulls the CPU out of the guest. If the CAS fails the CPU was already
 * done: it stored IDLE itself. */
static int stop(const struct vp_client *c)
{
	uint32_t expected = CPU_STATUS_RUN;
	bool ipi_failed = false;
	if (__atomic_compare_exchange_n(&c->control->cpu_status[c->slot], &expected,
					CPU_STATUS_STOP, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED)) {
		uint32_t vector = __atomic_load_n(&c->control->request_vector, __ATOMIC_RELAXED);
		ipi_failed = ipi_send(c->apic_id, (uint8_t)vector) != 0;
	}
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

static int all_registers(const struct vp_client *c, bool set, uint64_t values[VP_REGISTER_COUNT])
{
	uint32_t names[VP_REGISTER_COUNT];
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i++)
		names[i] = i;
	return registers(c, set, names, values, VP_REGISTER_COUNT);
}

/* ---- guest memory -------------------------------------------------------- */

static uint64_t *table_at(uint8_t *memory, uint64_t gpa)
{
	return (uint64_t *)(memory + gpa);
}

/* Fill the CPU's guest memory: page tables (vmm.h), then the program. */
static int load_guest(const struct vp_client *c, const struct guest *g)
{
	typeof(guest_memory[0]) *gm = &guest_memory[c->cpu];
	if (!gm->memory)
		gm->memory = stub_alloc_pages(GUEST_MEMORY_SIZE / PAGE);
	if (!gm->scratch)
		gm->scratch = stub_alloc_pages(GUEST_SCRATCH_PAGES);
	if (!gm->memory || !gm->scratch)
		return kprintf("error: no memory for cpu %u's guest (%lu KiB, %u scratch pages)\n",
			       c->cpu, (unsigned long)(GUEST_MEMORY_SIZE >> 10),
			       GUEST_SCRATCH_PAGES), -1;

	uint8_t *mem = gm->memory;
	memset(mem, 0, GUEST_MEMORY_SIZE); /* nothing of the last guest survives */
	uint64_t pml4 = GUEST_PAGE_TABLE_GPA, pdpt = pml4 + PAGE, pd = pdpt + PAGE, pt = pd + PAGE;
	table_at(mem, pml4)[PML4_INDEX(GUEST_GVA_BASE)] = pdpt | PTE_GUEST;
	table_at(mem, pdpt)[PDPT_INDEX(GUEST_GVA_BASE)] = pd | PTE_GUEST;
	table_at(mem, pd)[PD_INDEX(GUEST_GVA_BASE)] = pt | PTE_GUEST;
	for (uint64_t gpa = GUEST_PROGRAM_GPA; gpa < GUEST_MEMORY_SIZE; gpa += PAGE)
		table_at(mem, pt)[PT_INDEX(GUEST_GVA_BASE + gpa)] = gpa | PTE_GUEST;
	memcpy(mem + GUEST_PROGRAM_GPA, g->image, g->size);

	gm->registration = (struct sidecar_vp_memory){
		.base = (uint64_t)mem, /* linux-stub's memory is identity mapped */
		.size = GUEST_MEMORY_SIZE,
		.page_table = pml4,
		.scratch = (uint64_t)gm->scratch,
		.scratch_pages = GUEST_SCRATCH_PAGES,
	};
	gm->loaded = true;
	return 0;
}

static const struct guest *find_guest(const char *name)
{
	for (const struct guest *g = guest_table; g->name; g++)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

/* ---- exits ---------------------------------------------------------------- */

/* What the guest writes to its serial port, printed a line at a time. */
struct guest_console {
	uint32_t cpu;
	size_t n;
	char line[120];
};

static void console_flush(struct guest_console *con)
{
	if (con->n)
		kprintf("[cpu %u] %.*s\n", con->cpu, (int)con->n, con->line);
	con->n = 0;
}

static void console_byte(struct guest_console *con, uint8_t ch)
{
	if (ch == '\n') {
		kprintf("[cpu %u] %.*s\n", con->cpu, (int)con->n, con->line);
		con->n = 0;
		return;
	}
	if (ch == '\r')
		return;
	con->line[con->n++] = ch >= ' ' && ch < 0x7f ? (char)ch : '.';
	if (con->n == sizeof(con->line))
		console_flush(con);
}

/*
 * The VMM's recovery convention (see linux-stub/guests/escape.asm): a guest
 * that expects a fault puts the address to go on at in r15 first. Resume
 * there (rip = r15, r15 = 0) and return 1; 0 if r15 is 0; -1 on error.
 */
static int recover(const struct vp_client *c)
{
	uint32_t r15_name = VP_R15;
	uint64_t r15;
	if (registers(c, false, &r15_name, &r15, 1))
		return -1;
	if (r15 == 0)
		return 0;
	uint32_t names[2] = {VP_RIP, VP_R15};
	uint64_t values[2] = {r15, 0};
	if (registers(c, true, names, values, 2))
		return -1;
	kprintf("vmm: cpu %u resumes the guest at 0x%lx (its r15)\n", c->cpu, (unsigned long)r15);
	return 1;
}

enum run_outcome {
	RUN_ON,     /* handled: run the VP again */
	RUN_HALTED, /* hlt: the guest is done */
	RUN_STOPPED,
	RUN_MMIO,      /* an MMIO exit the guest did not expect */
	RUN_EXCEPTION, /* an exception the guest did not expect */
	RUN_TIMED_OUT, /* the time was up between two exits */
	RUN_EXIT_LIMIT,
	RUN_FAILED, /* a command failed or the exit made no sense: an error was printed */
};

static const char *const outcome_names[] = {
	[RUN_ON] = "running",
	[RUN_HALTED] = "halted",
	[RUN_STOPPED] = "stopped",
	[RUN_MMIO] = "ended by mmio",
	[RUN_EXCEPTION] = "ended by exception",
	[RUN_TIMED_OUT] = "timed out",
	[RUN_EXIT_LIMIT] = "ended at the exit limit",
	[RUN_FAILED] = "failed",
};

/* Handle the exit e; set *answer for the next RUN_VP. */
static enum run_outcome handle_exit(const struct vp_client *c, const struct sidecar_vp_exit *e,
				    struct sidecar_vp_exit *answer, struct guest_console *con)
{
	uint32_t cpu = c->cpu;
	unsigned long rip = (unsigned long)e->rip;
	int r;

	*answer = *e;
	if (e->reason == VP_EXIT_IO && e->write && e->port == GUEST_SERIAL && e->size == 1) {
		console_byte(con, (uint8_t)e->value);
		return RUN_ON;
	}
	console_flush(con); /* keep the guest's output and the exits in order */
	switch (e->reason) {
	case VP_EXIT_IO:
		if (e->size != 1 && e->size != 2 && e->size != 4)
			break;
		if (e->write) {
			kprintf("exit: cpu %u io out port 0x%x size %u value 0x%lx\n", cpu, e->port,
				e->size, (unsigned long)e->value);
		} else {
			/* No device here: a read from nothing returns all ones. */
			kprintf("exit: cpu %u io in port 0x%x size %u\n", cpu, e->port, e->size);
			answer->value = (1ull << (8 * e->size)) - 1;
		}
		return RUN_ON;
	case VP_EXIT_HLT:
		kprintf("exit: cpu %u hlt at rip 0x%lx\n", cpu, rip);
		return RUN_HALTED;
	case VP_EXIT_HYPERCALL: {
		uint32_t name = VP_RAX;
		uint64_t rax;
		if (registers(c, false, &name, &rax, 1))
			return RUN_FAILED;
		kprintf("exit: cpu %u hypercall rax 0x%lx at rip 0x%lx\n", cpu, (unsigned long)rax,
			rip);
		answer->value = 0; /* we offer no hypercalls: every call answers 0 */
		return RUN_ON;
	}
	case VP_EXIT_MMIO:
		kprintf("exit: cpu %u mmio %s at gva 0x%lx rip 0x%lx\n", cpu,
			e->write ? "write" : "read", (unsigned long)e->address, rip);
		r = recover(c);
		return r < 0 ? RUN_FAILED : r ? RUN_ON : RUN_MMIO;
	case VP_EXIT_EXCEPTION:
		kprintf("exit: cpu %u exception %s (vector %u) error 0x%lx at rip 0x%lx\n", cpu,
			trap_name(e->vector), e->vector, (unsigned long)e->error_code, rip);
		r = recover(c);
		return r < 0 ? RUN_FAILED : r ? RUN_ON : RUN_EXCEPTION;
	case VP_EXIT_STOPPED:
		kprintf("exit: cpu %u stopped at rip 0x%lx\n", cpu, rip);
		return RUN_STOPPED;
	}
	kprintf("error: cpu %u: exit reason %u size %u makes no sense\n", cpu, e->reason, e->size);
	return RUN_FAILED;
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

int cmd_run(int argc, char **argv)
{
	uint64_t timeout_ms;
	struct vp_client c;
	if (parse_run_args(argc, argv, &timeout_ms) || open_cpu(argv[1], &c))
		return -1;
	const struct guest *g = find_guest(argv[2]);
	if (!g)
		return kprintf("error: no guest '%s' (try 'guests')\n", argv[2]), -1;
	if (g->size > GUEST_PROGRAM_MAX)
		return kprintf("error: guest %s is %lu bytes; at most %lu fit\n", g->name,
			       (unsigned long)g->size, (unsigned long)GUEST_PROGRAM_MAX), -1;
	if (load_guest(&c, g))
		return -1;
	kprintf("run: cpu %u guest %s: %lu bytes at 0x%lx, timeout %lu ms\n", c.cpu, g->name,
		(unsigned long)g->size, (unsigned long)GUEST_ENTRY, (unsigned long)timeout_ms);

	/* A fresh VP: every register named, so nothing of the last run stays. */
	uint64_t regs[VP_REGISTER_COUNT] = {0};
	regs[VP_RIP] = GUEST_ENTRY;
	regs[VP_RSP] = GUEST_STACK_TOP;
	regs[VP_RFLAGS] = 0x202; /* bit 1 is always set; IF: interrupts reach the sidecar */
	enum run_outcome outcome = all_registers(&c, true, regs) ? RUN_FAILED : RUN_ON;

	struct guest_console con = {.cpu = c.cpu};
	struct sidecar_vp_exit answer = {0};
	uint64_t deadline = timer_ns() + timeout_ms * 1000000;
	uint32_t exits = 0;
	while (outcome == RUN_ON) {
		if (exits == MAX_EXITS) {
			outcome = RUN_EXIT_LIMIT;
		} else if (timer_ns() >= deadline) {
			outcome = RUN_TIMED_OUT; /* between exits: the VP is not running */
		} else if (run_vp(&c, &answer, deadline)) {
			outcome = RUN_FAILED;
		} else {
			exits++;
			struct sidecar_vp_exit e = c.page->request.exit; /* one copy */
			outcome = handle_exit(&c, &e, &answer, &con);
		}
	}
	console_flush(&con);
	kprintf("run: cpu %u guest %s: %s after %u exit%s\n", c.cpu, g->name,
		outcome_names[outcome], exits, exits == 1 ? "" : "s");
	return outcome == RUN_FAILED ? -1 : 0;
}

int cmd_regs(int argc, char **argv)
{
	struct vp_client c;
	uint64_t v[VP_REGISTER_COUNT];
	if (argc != 2)
		return kprintf("error: usage: regs <cpu>\n"), -1;
	if (open_cpu(argv[1], &c) || all_registers(&c, false, v))
		return -1;
	/* Four to a line, in the ABI's order: rax rcx rdx rbx / rsp ... / rip rflags. */
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i += 4) {
		char line[160];
		int n = fmt_snprintf(line, sizeof(line), "regs: cpu %u", c.cpu);
		for (uint32_t k = i; k < i + 4 && k < VP_REGISTER_COUNT; k++)
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, " %s 0x%016lx",
					  register_names[k], (unsigned long)v[k]);
		kprintf("%s\n", line);
	}
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

/* Start guest on cpu and return while it runs (for "convert <cpu> running":
 * a REMOVE must pull the CPU out of a running VP). */
int vmm_start(const char *cpu, const char *guest)
{
	struct vp_client c;
	const struct guest *g = find_guest(guest);
	if (!g || open_cpu(cpu, &c) || load_guest(&c, g))
		return -1;
	uint64_t regs[VP_REGISTER_COUNT] = {0};
	regs[VP_RIP] = GUEST_ENTRY;
	regs[VP_RSP] = GUEST_STACK_TOP;
	regs[VP_RFLAGS] = 0x202;
	if (all_registers(&c, true, regs))
		return -1;
	c.page->memory = guest_memory[c.cpu].registration;
	memset(&c.page->request.exit, 0, sizeof(c.page->request.exit));
	return send(&c, SIDECAR_CMD_RUN_VP);
}
