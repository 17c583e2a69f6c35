/*
 * monitor.c - linux-stub's command interpreter on the serial port.
 *
 * People type commands at the "stub> " prompt; tests pass them on the kernel
 * command line (stub.run="status; sleep 10") and read the output. A command
 * prints its result lines and returns 0, or prints "error: <why>" and
 * returns -1. In script mode the stub powers off after the last command and
 * leaves QEMU with success only if every command succeeded.
 */
#include "monitor.h"
#include "cmdcheck.h"
#include "console.h"
#include "convert.h"
#include "cpus.h"
#include "isolate.h"
#include "lapic.h"
#include "nodes.h"
#include "racestress.h"
#include "sidecar_client.h"
#include "smp.h"
#include "stub.h"
#include "timeline.h"
#include "timer.h"
#include "trespass.h"
#include "vmm.h"
#include "wake.h"

#define MAX_ARGS 8

struct command {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(int argc, char **argv);
	bool on_node; /* argv[1] is a CPU: run on the CPU of ours serving its node */
};

static const struct command commands[];

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("error: %s\n", msg);
	return -1;
}

static int cmd_status(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return error("status takes no arguments");
	/* Every CPU runs in the BSP's mode (lib/runtime/lapic.c): each image's APs
	 * follow it, and one that could not would have panicked. */
	kprintf("apic mode %s\n", lapic_mode_name());
	for (uint32_t i = 0; i < stub.machine.ncpus; i++) {
		const struct machine_cpu *c = &stub.machine.cpus[i];
		kprintf("cpu %u apic %u node %u %s\n", i, c->apic_id, c->node,
			cpu_state_name_of(i));
	}
	return 0;
}

static int cmd_sleep(int argc, char **argv)
{
	uint64_t ms;
	if (argc != 2 || !parse_u64(argv[1], strlen(argv[1]), &ms))
		return error("usage: sleep <milliseconds>");
	if (ms > 600000)
		return error("sleep %lu ms: at most 600000 (10 minutes)", (unsigned long)ms);
	smp_sleep_ms(ms); /* halted, not spinning: lab 2's test measures the CPU time */
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (const struct command *c = commands; c->name; c++)
		kprintf("  %-22s %s\n", c->usage, c->help);
	return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("linux-stub: power off\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
}

static const struct command commands[] = {
	{"status", "status", "one line per CPU: index, APIC ID, node, state", cmd_status, false},
	{"sleep", "sleep <ms>", "wait that many milliseconds", cmd_sleep, false},
	{"wake", "wake <cpu|all> [rounds] [stop]", "wake sidecar CPUs by IPI; round-trip latency",
	 cmd_wake, false},
	{"guests", "guests", "the guest programs 'run' knows, with their sizes", cmd_guests, false},
	{"run", "run <cpu> <guest> [timeout=<ms>]",
	 "run a guest on a sidecar CPU (default timeout 5000 ms)", cmd_run, true},
	{"regs", "regs <cpu>", "the registers of a sidecar CPU's VP", cmd_regs, true},
	{"gva", "gva <cpu> <address>", "a guest virtual address through the guest's page tables",
	 cmd_gva, true},
	{"nodes", "nodes", "one line per node: CPUs, memory, control page, locality", cmd_nodes, false},
	{"cmdcheck", "cmdcheck <cpu>", "send malformed commands: each must be refused", cmd_cmdcheck,
	 false},
	{"cmdstress", "cmdstress <rounds>", "SET then GET a register on every sidecar CPU, checked",
	 cmd_cmdstress, false},
	{"isolate", "isolate <cpu>", "a guest tries every region it must not reach (hardening)",
	 cmd_isolate, true},
	{"trespass", "trespass <cpu> <other-stack|main-kernel|params>",
	 "a sidecar CPU writes where it may not (needs SHIM_ARGS=test_commands)", cmd_trespass,
	 true},
	{"racestress", "racestress <rounds> [remove]",
	 "commands, STOP (and REMOVE) racing on every sidecar CPU", cmd_racestress, false},
	{"convert", "convert <cpu>... [running]", "take CPUs from the sidecar for linux-stub (lab 6)",
	 cmd_convert, false},
	{"timeline", "timeline", "when each sidecar CPU was started, came up and went idle",
	 cmd_timeline, false},
	{"spurious", "spurious", "take the APIC's spurious vector (0xff) here: no EOI, counted",
	 cmd_spurious, false},
	{"on", "on <cpu> <command...>", "run a command on one of linux-stub's CPUs", cmd_on, false},
	{"help", "help", "this list", cmd_help, false},
	{"poweroff", "poweroff", "leave QEMU", cmd_poweroff, false},
	{NULL, NULL, NULL, NULL, false},
};

/* A command for a sidecar CPU runs on the CPU of ours that serves the
 * sidecar CPU's node (lab 5): the VMM work stays on the node. */
struct job {
	const struct command *command;
	int argc;
	char **argv;
	int result;
};

static void run_job(void *p)
{
	struct job *j = p;
	j->result = j->command->run(j->argc, j->argv);
}

static int run_command(const struct command *c, int argc, char **argv)
{
	uint64_t cpu;
	/* Only the BSP hands work out: a CPU already doing handed-out work
	 * ("on <cpu> ...") does the rest itself, and never waits for the BSP. */
	if (!c->on_node || smp_this_cpu() != stub.bsp || argc < 2 ||
	    !parse_u64(argv[1], strlen(argv[1]), &cpu) || cpu >= stub.machine.ncpus)
		return c->run(argc, argv);
	struct job j = {c, argc, argv, -1};
	int node = sidecar_node_of((uint32_t)cpu);
	if (smp_run_on(node >= 0 ? sidecar_node_server((uint32_t)node) : stub.bsp, run_job, &j))
		return -1;
	return j.result;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int monitor_execute(char *line)
{
	char *argv[MAX_ARGS];
	int argc = 0;

	for (char *p = line; *p;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == MAX_ARGS)
			return error("more than %d words", MAX_ARGS);
		argv[argc++] = p;
		while (*p && !is_blank(*p))
			p++;
	}
	if (argc == 0)
		return 0;
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0)
			return run_command(c, argc, argv);
	return error("unknown command '%s' (try 'help')", argv[0]);
}

void monitor_run_script(const char *script, size_t len)
{
	char line[256];
	int ran = 0, failed = 0;

	for (size_t i = 0; i <= len;) {
		size_t end = i;
		while (end < len && script[end] != ';')
			end++;
		size_t n = end - i < sizeof(line) - 1 ? end - i : sizeof(line) - 1;
		memcpy(line, script + i, n);
		line[n] = '\0';
		i = end + 1;
		char *cmd = line;
		while (is_blank(*cmd))
			cmd++;
		if (!*cmd)
			continue;
		kprintf("stub> %s\n", cmd);
		ran++;
		if (monitor_execute(cmd))
			failed++;
	}
	kprintf("run: %d commands, %d failed\n", ran, failed);
	qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}

void monitor_loop(void)
{
	char line[256];
	size_t n = 0;

	kprintf("linux-stub: monitor ready; type 'help'\nstub> ");
	for (;;) {
		int c = console_getc();
		if (c < 0) {
			__asm__ volatile("pause");
			continue;
		}
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			line[n] = '\0';
			monitor_execute(line);
			n = 0;
			kprintf("stub> ");
		} else if ((c == 0x7f || c == '\b') && n > 0) {
			n--;
			kprintf("\b \b");
		} else if (c >= ' ' && c < 0x7f && n < sizeof(line) - 1) {
			line[n++] = (char)c;
			kprintf("%c", c);
		}
	}
}
