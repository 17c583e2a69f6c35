/*
 * vmm_core.c - the VMM's portable half: guest memory and exits (labs 4 and 7).
 *
 * Two programs play the VMM for the sidecar. linux-stub (linux-stub/vmm.c)
 * runs on the main kernel's CPU and writes the command pages itself;
 * sidecarctl (07-linux/sidecarctl.c) is a Linux program: it maps a CPU's
 * command page from /dev/sidecar and writes its requests there, and asks
 * the driver (ioctl START) to start each command, which sets the command
 * and the memory description. How a command reaches the sidecar differs; what the
 * VMM does with a guest does not, and lives here once:
 *
 *   vmm_build_guest()      the guest's memory: page tables, then the program
 *   vmm_reset_registers()  a fresh VP: rip at the entry, rsp at the stack top
 *   vmm_registers()        a register list of any length, in requests that fit
 *   vmm_handle_exit()      what each exit means, and the VP's answer
 *   vmm_console_flush()    the guest's serial output, a line at a time
 *   vmm_print_registers()  the "regs" command's lines
 *
 * The file is compiled twice: freestanding into linux-stub (klib.h supplies
 * memcpy and fmt_snprintf) and hosted into sidecarctl (-DHOSTED: the host's
 * libc supplies them). So it never prints or issues a command itself: it
 * reaches the world only through the callbacks of struct vmm_client (include/vmm_core.h),
 * and the output lines, which tests read, are the same in both.
 */
#include "trap.h"
#include "vmm_core.h"
#include "x86.h"

#define GUEST_SERIAL 0x3f8 /* COM1's data port: the guest's console */

/* A guest page: present, writable, user (include/x86.h). */
#define PTE_GUEST (PTE_P | PTE_W | PTE_U)
/* The table index of each level for a virtual address (SDM vol. 3A 4.5.4). */
#define PML4_INDEX(va) (((va) >> 39) & 511)
#define PDPT_INDEX(va) (((va) >> 30) & 511)
#define PD_INDEX(va) (((va) >> 21) & 511)
#define PT_INDEX(va) (((va) >> 12) & 511)

_Static_assert(GUEST_PROGRAM_GPA == GUEST_PAGE_TABLE_GPA + 4 * PAGE_SIZE,
	       "four tables, then the program");
_Static_assert(GUEST_PROGRAM_GPA + GUEST_PROGRAM_MAX < GUEST_MEMORY_SIZE, "room for a stack");
_Static_assert(PD_INDEX(GUEST_GVA_BASE + GUEST_MEMORY_SIZE - 1) == PD_INDEX(GUEST_GVA_BASE),
	       "guest memory fits one page table");

/* ---- guest memory ---------------------------------------------------------- */

static uint64_t *table_at(uint8_t *memory, uint64_t gpa)
{
	return (uint64_t *)(memory + gpa);
}

void vmm_build_guest(uint8_t *memory, const struct guest *g)
{
	memset(memory, 0, GUEST_MEMORY_SIZE); /* nothing of the last guest survives */
	uint64_t pml4 = GUEST_PAGE_TABLE_GPA, pdpt = pml4 + PAGE_SIZE, pd = pdpt + PAGE_SIZE, pt = pd + PAGE_SIZE;
	table_at(memory, pml4)[PML4_INDEX(GUEST_GVA_BASE)] = pdpt | PTE_GUEST;
	table_at(memory, pdpt)[PDPT_INDEX(GUEST_GVA_BASE)] = pd | PTE_GUEST;
	table_at(memory, pd)[PD_INDEX(GUEST_GVA_BASE)] = pt | PTE_GUEST;
	uint64_t first = g->flags & GUEST_MAPS_ITS_TABLES ? 0 : GUEST_PROGRAM_GPA;
	for (uint64_t gpa = first; gpa < GUEST_MEMORY_SIZE; gpa += PAGE_SIZE)
		table_at(memory, pt)[PT_INDEX(GUEST_GVA_BASE + gpa)] = gpa | PTE_GUEST;
	memcpy(memory + GUEST_PROGRAM_GPA, g->image, g->size);
}

/* Every register is named, so nothing of the last run stays. */
void vmm_reset_registers(uint64_t values[VP_REGISTER_COUNT])
{
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i++)
		values[i] = 0;
	values[VP_RIP] = GUEST_ENTRY;
	values[VP_RSP] = GUEST_STACK_TOP;
	values[VP_RFLAGS] = 0x202; /* bit 1 is always set; IF: interrupts reach the sidecar */
	values[VP_FCW] = 0x37f;    /* FNINIT's: every x87 exception masked (SDM vol. 1 8.1.5) */
	values[VP_MXCSR] = 0x1f80; /* the reset value: every SSE exception masked (10.2.3.1) */
}

int vmm_registers(const struct vmm_client *c, bool set, const uint32_t *names, uint64_t *values,
		  uint32_t n)
{
	for (uint32_t first = 0; first < n; first += SIDECAR_MAX_REGISTERS) {
		uint32_t count = n - first < SIDECAR_MAX_REGISTERS ? n - first : SIDECAR_MAX_REGISTERS;
		if (c->registers(c, set, names + first, values + first, count))
			return -1;
	}
	return 0;
}

int vmm_all_registers(const struct vmm_client *c, bool set, uint64_t values[VP_REGISTER_COUNT])
{
	uint32_t names[VP_REGISTER_COUNT];
	for (uint32_t i = 0; i < VP_REGISTER_COUNT; i++)
		names[i] = i;
	return vmm_registers(c, set, names, values, VP_REGISTER_COUNT);
}

const struct guest *vmm_find_guest(const char *name)
{
	for (const struct guest *g = guest_table; g->name; g++)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

/* ---- names, for messages --------------------------------------------------- */

const char *vmm_command_name(uint32_t command)
{
	static const char *const names[] = {
		[SIDECAR_CMD_NONE] = "NONE",
		[SIDECAR_CMD_RUN_VP] = "RUN_VP",
		[SIDECAR_CMD_GET_VP_REGISTERS] = "GET_VP_REGISTERS",
		[SIDECAR_CMD_SET_VP_REGISTERS] = "SET_VP_REGISTERS",
		[SIDECAR_CMD_TRANSLATE_GVA] = "TRANSLATE_GVA",
	};
	return command < ARRAY_SIZE(names) && names[command] ? names[command] : "?";
}

const char *vmm_outcome_name(enum run_outcome outcome)
{
	static const char *const names[] = {
		[RUN_ON] = "running",
		[RUN_HALTED] = "halted",
		[RUN_STOPPED] = "stopped",
		[RUN_MMIO] = "ended by mmio",
		[RUN_EXCEPTION] = "ended by exception",
		[RUN_TIMED_OUT] = "timed out",
		[RUN_EXIT_LIMIT] = "ended at the exit limit",
		[RUN_FAILED] = "failed",
	};
	return (unsigned)outcome < ARRAY_SIZE(names) ? names[outcome] : "?";
}

/* Four to a line, in the ABI's order: rax rcx rdx rbx / rsp ... / rip rflags
 * fs_base gs_base / fcw mxcsr, then the XMM registers, each as one 128-bit
 * number (high half first). Each line is formatted whole and printed at once. */
void vmm_print_registers(const struct vmm_client *c, const uint64_t values[VP_REGISTER_COUNT])
{
	static const char *const names[VP_XMM0] = {
		"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
		"r11", "r12", "r13", "r14", "r15", "rip", "rflags", "fs_base", "gs_base", "fcw", "mxcsr",
	};
	char line[200];
	for (uint32_t i = 0; i < VP_XMM0; i += 4) {
		int n = fmt_snprintf(line, sizeof(line), "regs: cpu %u", c->cpu);
		for (uint32_t k = i; k < i + 4 && k < VP_XMM0; k++)
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, " %s 0x%016lx",
					  names[k], (unsigned long)values[k]);
		c->print("%s\n", line);
	}
	for (uint32_t x = 0; x < 16; x += 4) {
		int n = fmt_snprintf(line, sizeof(line), "regs: cpu %u", c->cpu);
		for (uint32_t k = x; k < x + 4; k++)
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, " xmm%u 0x%016lx%016lx", k,
					  (unsigned long)values[VP_XMM_HIGH(k)],
					  (unsigned long)values[VP_XMM_LOW(k)]);
		c->print("%s\n", line);
	}
}

/* ---- exits ----------------------------------------------------------------- */

static void console_line(const struct vmm_client *c, struct guest_console *con)
{
	c->print("[cpu %u] %.*s\n", c->cpu, (int)con->n, con->line);
	con->n = 0;
}

void vmm_console_flush(const struct vmm_client *c, struct guest_console *con)
{
	if (con->n)
		console_line(c, con);
}

/* One byte to the guest's console: a newline ends the line (even an empty
 * one), a carriage return is dropped, what cannot be printed becomes '.'. */
static void console_byte(const struct vmm_client *c, struct guest_console *con, uint8_t ch)
{
	if (ch == '\n') {
		console_line(c, con);
		return;
	}
	if (ch == '\r')
		return;
	con->line[con->n++] = ch >= ' ' && ch < 0x7f ? (char)ch : '.';
	if (con->n == sizeof(con->line))
		console_line(c, con);
}

/*
 * The VMM's recovery convention (see linux-stub/guests/escape.asm): a guest
 * that expects a fault puts the address to go on at in r15 first. Resume
 * there (rip = r15, r15 = 0) and return 1; 0 if r15 is 0; -1 on error.
 */
static int recover(const struct vmm_client *c)
{
	uint32_t r15_name = VP_R15;
	uint64_t r15;
	if (c->registers(c, false, &r15_name, &r15, 1))
		return -1;
	if (r15 == 0)
		return 0;
	uint32_t names[2] = {VP_RIP, VP_R15};
	uint64_t values[2] = {r15, 0};
	if (c->registers(c, true, names, values, 2))
		return -1;
	c->print("vmm: cpu %u resumes the guest at 0x%lx (its r15)\n", c->cpu, (unsigned long)r15);
	return 1;
}

enum run_outcome vmm_handle_exit(const struct vmm_client *c, const struct sidecar_vp_exit *e,
				 struct sidecar_vp_exit *answer, struct guest_console *con)
{
	uint32_t cpu = c->cpu;
	unsigned long rip = (unsigned long)e->rip;
	int r;

	*answer = *e;
	if (e->reason == VP_EXIT_IO && e->write && e->port == GUEST_SERIAL && e->size == 1) {
		console_byte(c, con, (uint8_t)e->value);
		return RUN_ON;
	}
	vmm_console_flush(c, con); /* keep the guest's output and the exits in order */
	switch (e->reason) {
	case VP_EXIT_IO:
		if (e->size != 1 && e->size != 2 && e->size != 4)
			break;
		if (e->write) {
			c->print("exit: cpu %u io out port 0x%x size %u value 0x%lx\n", cpu,
				 e->port, e->size, (unsigned long)e->value);
		} else {
			/* No device here: a read from nothing returns all ones. */
			c->print("exit: cpu %u io in port 0x%x size %u\n", cpu, e->port, e->size);
			answer->value = (1ull << (8 * e->size)) - 1;
		}
		return RUN_ON;
	case VP_EXIT_HLT:
		c->print("exit: cpu %u hlt at rip 0x%lx\n", cpu, rip);
		return RUN_HALTED;
	case VP_EXIT_HYPERCALL: {
		uint32_t names[2] = {VP_RAX, VP_RDI};
		uint64_t args[2];
		if (c->registers(c, false, names, args, 2))
			return RUN_FAILED;
		c->print("exit: cpu %u hypercall rax 0x%lx at rip 0x%lx\n", cpu,
			 (unsigned long)args[0], rip);
		if (args[0] == GUEST_CALL_RESULT) {
			if (args[1] == 0)
				c->print("vmm: cpu %u guest reports success\n", cpu);
			else
				c->print("vmm: cpu %u guest reports failure %lu\n", cpu,
					 (unsigned long)args[1]);
		}
		answer->value = 0; /* the answer to every call, the result included */
		return RUN_ON;
	}
	case VP_EXIT_MMIO:
		c->print("exit: cpu %u mmio %s at gva 0x%lx rip 0x%lx\n", cpu,
			 e->write ? "write" : "read", (unsigned long)e->address, rip);
		r = recover(c);
		return r < 0 ? RUN_FAILED : r ? RUN_ON : RUN_MMIO;
	case VP_EXIT_EXCEPTION:
		c->print("exit: cpu %u exception %s (vector %u) error 0x%lx at rip 0x%lx\n", cpu,
			 trap_name(e->vector), e->vector, (unsigned long)e->error_code, rip);
		r = recover(c);
		return r < 0 ? RUN_FAILED : r ? RUN_ON : RUN_EXCEPTION;
	case VP_EXIT_STOPPED:
		c->print("exit: cpu %u stopped at rip 0x%lx\n", cpu, rip);
		return RUN_STOPPED;
	}
	c->print_error("error: cpu %u: exit reason %u size %u makes no sense\n", cpu, e->reason,
		       e->size);
	return RUN_FAILED;
}
