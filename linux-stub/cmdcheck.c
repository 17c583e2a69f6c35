/*
 * cmdcheck.c - two monitor commands that test the command protocol itself.
 *
 *   cmdcheck <cpu>      send malformed requests; each must be refused with a
 *                       message, a refused SET must change no register, and
 *                       the CPU must still answer afterwards
 *   cmdstress <rounds>  every round, SET then GET a register on every idle
 *                       sidecar CPU, each CPU a different value, and check
 *                       every answer: nothing lost, doubled or mixed up
 *
 * Both talk to the sidecar exactly as the VMM does: write the command page,
 * sidecar_wake() (lab 3), wait for IDLE with a deadline (lab 3's client_wait_status).
 */
#include "cmdcheck.h"
#include "console.h"
#include "lab_stub.h"
#include "memory.h"
#include "sidecar_client.h"
#include "stub.h"
#include "timer.h"

#define COMMAND_TIMEOUT_NS 2000000000ull
#define MAX_STRESS_ROUNDS 1000000

struct client {
	uint32_t cpu, slot, apic_id;
	struct sidecar_control *control;
	struct sidecar_command_page *page;
};

static int open_client(uint32_t cpu, struct client *c)
{
	c->cpu = cpu;
	if (cpu >= stub.machine.ncpus || !sidecar_cpu(cpu, &c->control, &c->slot, &c->page))
		return kprintf("error: cpu %u is not a sidecar CPU\n", cpu), -1;
	c->apic_id = stub.machine.cpus[cpu].apic_id;
	return 0;
}

/* 0: done; 1: the sidecar refused it (error_text); -1: not sent or no answer. */
static int issue(const struct client *c, uint32_t command)
{
	c->page->command = command;
	if (sidecar_wake(c->control, c->slot, c->apic_id))
		return kprintf("error: cpu %u is not idle\n", c->cpu), -1;
	if (!client_wait_idle(c->control, c->slot, timer_ns() + COMMAND_TIMEOUT_NS))
		return kprintf("error: cpu %u did not answer within 2 s\n", c->cpu), -1;
	return c->page->error ? 1 : 0;
}

/* Each bad request: how to prepare the page, and the command to send. */
static void bad_command(struct client *c)
{
	(void)c;
}

static void too_many_registers(struct client *c)
{
	c->page->request.registers.count = SIDECAR_MAX_REGISTERS + 1;
}

static void unknown_register(struct client *c)
{
	c->page->request.registers.count = 2;
	c->page->request.registers.names[0] = VP_RAX;
	_Static_assert(60 >= VP_REGISTER_COUNT, "60 is no register name");
	c->page->request.registers.names[1] = 60;
}

/* A SET of rax (which would be fine) and of a value the hardware refuses:
 * the whole request must be refused, rax included (kernel/fpu.c). */
#define MARK_RAX 0x5eedull    /* rax before the bad SETs, and after them */
#define BAD_SET_RAX 0x1234ull /* what a bad SET tries to put there */
static void set_with(struct client *c, uint32_t name, uint64_t value)
{
	struct sidecar_registers *r = &c->page->request.registers;
	r->count = 2;
	r->names[0] = VP_RAX;
	r->values[0] = BAD_SET_RAX;
	r->names[1] = name;
	r->values[1] = value;
}

static void reserved_mxcsr(struct client *c)
{
	set_with(c, VP_MXCSR, 0xffffffff); /* bits 16-31 are reserved (SDM vol. 1 10.2.3) */
}

static void non_canonical_fs(struct client *c)
{
	set_with(c, VP_FS_BASE, 0x0000800000000000ull);
}

/* SET or GET rax alone: 0, or -1 with the reason printed. */
static int rax_command(struct client *c, bool set, uint64_t *value)
{
	struct sidecar_registers *r = &c->page->request.registers;
	r->count = 1;
	r->names[0] = VP_RAX;
	r->values[0] = set ? *value : 0;
	if (issue(c, set ? SIDECAR_CMD_SET_VP_REGISTERS : SIDECAR_CMD_GET_VP_REGISTERS) != 0)
		return kprintf("error: cmdcheck: cpu %u: %s rax failed\n", c->cpu, set ? "SET" : "GET"),
		       -1;
	*value = r->values[0];
	return 0;
}

static void overlapping_memory(struct client *c)
{
	/* Guest memory on top of the CPU's own node control page. */
	c->page->memory = (struct sidecar_vp_memory){(uint64_t)c->control & ~0xfffull, 0x10000, 0,
						     0, 0, 0};
}

static void unaligned_memory(struct client *c)
{
	c->page->memory = (struct sidecar_vp_memory){0x2000123, 0x10000, 0, 0, 0, 0};
}

static void non_canonical(struct client *c)
{
	void *pages = stub_alloc_pages(1);
	c->page->memory = (struct sidecar_vp_memory){(uint64_t)pages, 4096, 0, 0, 0, 0};
	c->page->request.translate = (struct sidecar_translate){0x0000800000000000ull, 0, 0, 0};
}

/* A RIP that iretq cannot return to: the first address past the lower half. */
static void non_canonical_rip(struct client *c)
{
	c->page->request.registers.count = 1;
	c->page->request.registers.names[0] = VP_RIP;
	c->page->request.registers.values[0] = 0x0000800000000000ull;
}

/* IOPL 3 would let the guest cli and do port I/O without an exit. */
static void iopl_rflags(struct client *c)
{
	c->page->request.registers.count = 1;
	c->page->request.registers.names[0] = VP_RFLAGS;
	c->page->request.registers.values[0] = 0x3202;
}

int cmd_cmdcheck(int argc, char **argv)
{
	static const struct {
		const char *name;
		uint32_t command;
		void (*prepare)(struct client *c);
	} cases[] = {
		{"unknown command 99", 99, bad_command},
		{"33 registers", SIDECAR_CMD_GET_VP_REGISTERS, too_many_registers},
		{"register name 60", SIDECAR_CMD_SET_VP_REGISTERS, unknown_register},
		{"guest memory over the control page", SIDECAR_CMD_RUN_VP, overlapping_memory},
		{"guest memory not page aligned", SIDECAR_CMD_RUN_VP, unaligned_memory},
		{"non-canonical gva", SIDECAR_CMD_TRANSLATE_GVA, non_canonical},
		{"non-canonical rip", SIDECAR_CMD_SET_VP_REGISTERS, non_canonical_rip},
		{"rflags with IOPL 3", SIDECAR_CMD_SET_VP_REGISTERS, iopl_rflags},
		{"MXCSR with reserved bits", SIDECAR_CMD_SET_VP_REGISTERS, reserved_mxcsr},
		{"non-canonical FS base", SIDECAR_CMD_SET_VP_REGISTERS, non_canonical_fs},
	};
	uint64_t cpu;
	struct client c;
	if (argc != 2 || !parse_u64(argv[1], strlen(argv[1]), &cpu))
		return kprintf("error: usage: cmdcheck <cpu>\n"), -1;
	if (open_client((uint32_t)cpu, &c))
		return -1;

	uint64_t rax = MARK_RAX;
	if (rax_command(&c, true, &rax))
		return -1;
	uint32_t refused = 0;
	for (uint32_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&c.page->memory, 0, SIDECAR_PAGE - 128);
		cases[i].prepare(&c);
		int r = issue(&c, cases[i].command);
		if (r < 0)
			return -1;
		if (r == 0)
			return kprintf("error: cmdcheck: cpu %u accepted a bad request: %s\n", c.cpu,
				       cases[i].name), -1;
		kprintf("cmdcheck: cpu %u %s: refused: %.112s\n", c.cpu, cases[i].name,
			c.page->error_text);
		refused++;
	}
	if (issue(&c, SIDECAR_CMD_NONE) != 0)
		return kprintf("error: cmdcheck: cpu %u does not answer a good command\n", c.cpu), -1;
	if (rax_command(&c, false, &rax))
		return -1;
	if (rax != MARK_RAX)
		return kprintf("error: cmdcheck: cpu %u: a refused SET changed rax to 0x%lx\n", c.cpu,
			       (unsigned long)rax), -1;
	kprintf("cmdcheck: cpu %u: %u bad requests refused, still healthy\n", c.cpu, refused);
	return 0;
}

int cmd_cmdstress(int argc, char **argv)
{
	static struct client clients[MAX_CPUS];
	uint64_t rounds;
	uint32_t n = 0;
	if (argc != 2 || !parse_u64(argv[1], strlen(argv[1]), &rounds) || rounds == 0 ||
	    rounds > MAX_STRESS_ROUNDS)
		return kprintf("error: usage: cmdstress <rounds>, 1..%d\n", MAX_STRESS_ROUNDS), -1;
	for (uint32_t cpu = 0; cpu < stub.machine.ncpus; cpu++) {
		struct client *c = &clients[n];
		if (sidecar_cpu(cpu, &c->control, &c->slot, &c->page) &&
		    __atomic_load_n(&c->control->cpu_status[c->slot], __ATOMIC_ACQUIRE) ==
			    CPU_STATUS_IDLE) {
			c->cpu = cpu;
			c->apic_id = stub.machine.cpus[cpu].apic_id;
			n++;
		}
	}
	if (n == 0)
		return kprintf("error: no idle sidecar CPU\n"), -1;

	uint64_t sent = 0, wrong = 0, lost = 0, start = timer_ns();
	for (uint64_t r = 0; r < rounds && !lost && !wrong; r++) {
		for (int set = 1; set >= 0; set--) {
			/* Send to every CPU, then collect: all CPUs work at once. */
			for (uint32_t i = 0; i < n; i++) {
				struct sidecar_registers *req = &clients[i].page->request.registers;
				req->count = 1;
				req->names[0] = VP_RBX;
				req->values[0] = set ? r << 16 | clients[i].cpu : 0;
				clients[i].page->command = set ? SIDECAR_CMD_SET_VP_REGISTERS
							       : SIDECAR_CMD_GET_VP_REGISTERS;
				lost += sidecar_wake(clients[i].control, clients[i].slot,
						     clients[i].apic_id) != 0;
				sent++;
			}
			for (uint32_t i = 0; i < n; i++) {
				struct client *c = &clients[i];
				if (!client_wait_idle(c->control, c->slot,
						      timer_ns() + COMMAND_TIMEOUT_NS)) {
					kprintf("error: cpu %u did not answer round %lu\n", c->cpu,
						(unsigned long)r);
					lost++;
				} else if (c->page->error ||
					   (!set && c->page->request.registers.values[0] !=
							    (r << 16 | c->cpu))) {
					wrong++;
				}
			}
		}
	}
	uint64_t ms = (timer_ns() - start) / 1000000;
	kprintf("cmdstress: %u CPU%s x %lu rounds: %lu commands, %lu lost, %lu wrong, %lu ms\n", n,
		n == 1 ? "" : "s",
		(unsigned long)rounds, (unsigned long)sent, (unsigned long)lost,
		(unsigned long)wrong, (unsigned long)ms);
	return lost || wrong ? -1 : 0;
}
