/*
 * Lab 7 - sidecarctl: the sidecar's VMM and control tool, a Linux program.
 *
 *   sidecarctl status                          one line per CPU, as linux-stub prints them
 *   sidecarctl guests                          the guest programs built in
 *   sidecarctl run <cpu> <guest> [timeout=<ms>] run one on a sidecar CPU (default 5000 ms)
 *   sidecarctl regs <cpu>                      the registers of the CPU's VP
 *   sidecarctl gva <cpu> <address>             a guest virtual address, translated
 *   sidecarctl stop <cpu>                      ask a running VP to return
 *   sidecarctl online <cpu>|main               convert a sidecar CPU into a Linux CPU;
 *                                              main: start the CPUs the policy kept for Linux
 *   sidecarctl param <name>                    print a kernel parameter (for /init)
 *   sidecarctl exit <status>                   leave QEMU: 0 success, else failure
 *
 * linux-stub did all of this inside its kernel (linux-stub/vmm.c); under
 * Linux the same VMM loop is an ordinary program, and every step that
 * touches the sidecar's pages is an ioctl on /dev/sidecar (sidecar_ioctl.h):
 * LOAD gives the VP its memory, COMMAND runs one round of the protocol.
 * What the VMM does with a guest - its memory image, what each exit means,
 * the lines it prints - is linux-stub/vmm_core.c, the same code linux-stub
 * runs; this file gives it printf and registers by ioctl. The output lines
 * are linux-stub's, so the same tests read both.
 *
 * CPU numbers are the machine's, in MADT order, as in linux-stub; Linux
 * numbers its CPUs its own way, and the driver tells us which Linux CPU has
 * which APIC ID. "online" is the end of the conversion the sidecar began:
 * the driver's REMOVE parks the CPU, then Linux starts it through sysfs
 * (Documentation/core-api/cpu_hotplug.rst: echo 1 > .../cpuN/online).
 *
 * Implement: cmd_online().
 * Tests: make run RUN='nproc; sidecarctl online 5; nproc'.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "sidecar_ioctl.h"
#include "vmm.h" /* linux-stub's guest memory layout and guest table */

#define REMOVE_TIMEOUT_MS 2000
#define QEMU_EXIT_PORT 0xf4 /* isa-debug-exit: QEMU ends with status (v << 1) | 1 */
#define QEMU_EXIT_SUCCESS 0x10
#define QEMU_EXIT_FAILURE 0x11

_Static_assert(GUEST_MEMORY_SIZE == SIDECAR_IOC_GUEST_BYTES, "the driver's guest memory");
_Static_assert(GUEST_SCRATCH_PAGES == SIDECAR_IOC_SCRATCH_PAGES, "the driver's scratch pages");

static int fd = -1;                   /* /dev/sidecar */
static struct sidecar_ioc_cpu cpu_table[SIDECAR_MAX_CPUS]; /* the CPUs, as the driver last told us */
static struct sidecar_ioc_info info = {.capacity = SIDECAR_MAX_CPUS}; /* INFO fills cpu_table */
static struct sidecar_ioc_command cmd; /* one command at a time (4 KiB: not on the stack) */

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static bool parse_number(const char *s, uint64_t *v)
{
	return parse_u64(s, strlen(s), v);
}

/* ---- the driver ------------------------------------------------------------ */

static int open_driver(void)
{
	if (fd < 0)
		fd = open(SIDECAR_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return error("%s: %s (is sidecar.ko loaded?)", SIDECAR_DEVICE, strerror(errno));
	info.cpus = (uint64_t)(uintptr_t)cpu_table;
	if (ioctl(fd, SIDECAR_IOC_INFO, &info))
		return error("%s: INFO: %s", SIDECAR_DEVICE, strerror(errno));
	if (info.cpu_count > SIDECAR_MAX_CPUS)
		return error("%s: %u CPUs?", SIDECAR_DEVICE, info.cpu_count);
	return 0;
}

/* Is Linux CPU l online? /sys/devices/system/cpu/online is a list such as
 * "0-2,5" (Documentation/ABI/testing/sysfs-devices-system-cpu). */
static bool linux_online(uint32_t l)
{
	char list[1024];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	bool online = false;
	if (!f)
		return false;
	if (fgets(list, sizeof(list), f))
		for (char *p = list; *p && *p != '\n';) {
			unsigned long lo = strtoul(p, &p, 10), hi = lo;
			if (*p == '-')
				hi = strtoul(p + 1, &p, 10);
			online |= l >= lo && l <= hi;
			if (*p == ',')
				p++;
			else
				break;
		}
	fclose(f);
	return online;
}

static const char *state_name(uint32_t i)
{
	const struct sidecar_ioc_cpu *c = &cpu_table[i];
	if (c->linux_cpu != SIDECAR_IOC_NO_LINUX_CPU && linux_online(c->linux_cpu))
		return "linux";
	if (!(c->flags & SIDECAR_IOC_CPU_SIDECAR))
		return "offline";
	return sidecar_status_word(c->status);
}

/* The CPU named by arg; with sidecar, it must be a sidecar CPU and idle. */
static int parse_cpu(const char *arg, uint32_t *cpu, bool sidecar)
{
	uint64_t v;
	if (!parse_number(arg, &v) || v >= info.cpu_count)
		return error("no cpu '%s' (cpus are 0-%u)", arg, info.cpu_count - 1);
	*cpu = (uint32_t)v;
	if (!sidecar)
		return 0;
	/* A CPU Linux runs is not the sidecar's any more, whatever its old
	 * status says (someone may have onlined it through sysfs directly). */
	if (!(cpu_table[v].flags & SIDECAR_IOC_CPU_SIDECAR) || strcmp(state_name(*cpu), "linux") == 0)
		return error("cpu %u is not a sidecar CPU (it is %s)", *cpu, state_name(*cpu));
	if (cpu_table[v].status != CPU_STATUS_IDLE)
		return error("cpu %u is %s, not idle", *cpu, state_name(*cpu));
	return 0;
}

/* ---- one command, start to finish ------------------------------------------- */

/* Send cmd (request area filled in) to cpu and wait up to timeout_ms; the
 * driver stops a RUN_VP still running then. 0 when the command succeeded. */
static int issue(uint32_t cpu, uint32_t command, uint32_t timeout_ms)
{
	cmd.cpu = cpu;
	cmd.command = command;
	cmd.timeout_ms = timeout_ms;
	cmd.page_table = GUEST_PAGE_TABLE_GPA;
	if (ioctl(fd, SIDECAR_IOC_COMMAND, &cmd)) {
		switch (errno) {
		case EBUSY:
			return error("cpu %u refused %s (status %u)", cpu,
				     vmm_command_name(command), cmd.status);
		case ETIMEDOUT:
			return error("cpu %u did not answer %s in time (status %u)", cpu,
				     vmm_command_name(command), cmd.status);
		case ENOMEM:
			return error("cpu %u has no guest memory yet: run a guest there first",
				     cpu);
		case ENODEV:
			return error("cpu %u left the sidecar during %s", cpu,
				     vmm_command_name(command));
		}
		return error("cpu %u: %s: %s", cpu, vmm_command_name(command), strerror(errno));
	}
	if (cmd.error)
		return error("cpu %u: %.112s", cpu, cmd.error_text);
	return 0;
}

static struct sidecar_registers *request_registers(void)
{
	return (struct sidecar_registers *)cmd.request;
}

/* GET (set = false) or SET the n registers in names[]. */
static int registers(uint32_t cpu, bool set, const uint32_t *names, uint64_t *values, uint32_t n)
{
	struct sidecar_registers *r = request_registers();
	memset(r, 0, sizeof(*r));
	r->count = n;
	for (uint32_t i = 0; i < n; i++) {
		r->names[i] = names[i];
		r->values[i] = set ? values[i] : 0;
	}
	if (issue(cpu, set ? SIDECAR_CMD_SET_VP_REGISTERS : SIDECAR_CMD_GET_VP_REGISTERS, 0))
		return -1;
	for (uint32_t i = 0; !set && i < n; i++)
		values[i] = request_registers()->values[i];
	return 0;
}

static struct vmm_client core_client(uint32_t cpu);

/* Every register: more than one request holds (vmm_registers splits). */
static int all_registers(uint32_t cpu, bool set, uint64_t values[VP_REGISTER_COUNT])
{
	struct vmm_client vmm = core_client(cpu);
	return vmm_all_registers(&vmm, set, values);
}

/* ---- sidecarctl as vmm_core.c's client --------------------------------------- */

/* Its output lines go to stdout; its errors, whole lines, to stderr as
 * error() writes them. */
static void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print_error(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int core_registers(const struct vmm_client *v, bool set, const uint32_t *names,
			  uint64_t *values, uint32_t n)
{
	return registers(v->cpu, set, names, values, n);
}

static struct vmm_client core_client(uint32_t cpu)
{
	return (struct vmm_client){.cpu = cpu, .print = print, .print_error = print_error,
				   .registers = core_registers};
}

/* ---- guest memory: built by vmm_build_guest(), loaded by the driver --------- */

static int load_guest(uint32_t cpu, const struct guest *g)
{
	static uint8_t mem[GUEST_MEMORY_SIZE] __attribute__((aligned(4096)));
	vmm_build_guest(mem, g);
	struct sidecar_ioc_load l = {.cpu = cpu, .size = sizeof(mem), .data = (uintptr_t)mem};
	if (ioctl(fd, SIDECAR_IOC_LOAD, &l))
		return error("cpu %u: loading guest %s: %s", cpu, g->name, strerror(errno));
	return 0;
}

/* ---- the commands ------------------------------------------------------------- */

static int cmd_status(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return error("status takes no arguments");
	for (uint32_t i = 0; i < info.cpu_count; i++)
		printf("cpu %u apic %u node %u %s\n", i, cpu_table[i].apic_id, cpu_table[i].node,
		       state_name(i));
	return 0;
}

static int cmd_guests(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return error("guests takes no arguments");
	for (const struct guest *g = guest_table; g->name; g++)
		printf("guest %s %lu bytes\n", g->name, (unsigned long)g->size);
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const char usage[] = "usage: run <cpu> <guest> [timeout=<ms>]";
	static const char key[] = "timeout=";
	uint64_t timeout_ms = DEFAULT_RUN_MS;
	uint32_t cpu;
	if (argc < 3 || argc > 4)
		return error("%s", usage);
	if (argc == 4 && (strncmp(argv[3], key, strlen(key)) != 0 ||
			  !parse_number(argv[3] + strlen(key), &timeout_ms)))
		return error("%s", usage);
	if (timeout_ms == 0 || timeout_ms > MAX_RUN_MS)
		return error("timeout %lu ms: from 1 to %u", (unsigned long)timeout_ms, MAX_RUN_MS);
	if (parse_cpu(argv[1], &cpu, true))
		return -1;
	const struct guest *g = vmm_find_guest(argv[2]);
	if (!g)
		return error("no guest '%s' (try 'guests')", argv[2]);
	if (g->size > GUEST_PROGRAM_MAX)
		return error("guest %s is %lu bytes; at most %lu fit", g->name,
			     (unsigned long)g->size, (unsigned long)GUEST_PROGRAM_MAX);
	if (load_guest(cpu, g))
		return -1;
	printf("run: cpu %u guest %s: %lu bytes at 0x%lx, timeout %lu ms\n", cpu, g->name,
	       (unsigned long)g->size, (unsigned long)GUEST_ENTRY, (unsigned long)timeout_ms);

	/* A fresh VP: every register named, so nothing of the last run stays. */
	uint64_t regs[VP_REGISTER_COUNT];
	vmm_reset_registers(regs);
	enum run_outcome outcome = all_registers(cpu, true, regs) ? RUN_FAILED : RUN_ON;

	struct vmm_client vmm = core_client(cpu);
	struct guest_console con = {0};
	struct sidecar_vp_exit answer = {0};
	uint64_t deadline = now_ms() + timeout_ms;
	uint32_t exits = 0;
	while (outcome == RUN_ON) {
		uint64_t now = now_ms();
		if (exits == MAX_EXITS) {
			outcome = RUN_EXIT_LIMIT;
		} else if (now >= deadline) {
			outcome = RUN_TIMED_OUT; /* between exits: the VP is not running */
		} else {
			/* request is a union: a GET or SET since the last exit overwrote it. */
			memcpy(cmd.request, &answer, sizeof(answer));
			if (issue(cpu, SIDECAR_CMD_RUN_VP, (uint32_t)(deadline - now))) {
				outcome = RUN_FAILED;
			} else {
				struct sidecar_vp_exit e;
				memcpy(&e, cmd.request, sizeof(e));
				exits++;
				outcome = vmm_handle_exit(&vmm, &e, &answer, &con);
			}
		}
	}
	vmm_console_flush(&vmm, &con);
	printf("run: cpu %u guest %s: %s after %u exit%s\n", cpu, g->name,
	       vmm_outcome_name(outcome), exits, exits == 1 ? "" : "s");
	return outcome == RUN_FAILED ? -1 : 0;
}

static int cmd_regs(int argc, char **argv)
{
	uint32_t cpu;
	uint64_t v[VP_REGISTER_COUNT];
	if (argc != 2)
		return error("usage: regs <cpu>");
	if (parse_cpu(argv[1], &cpu, true) || all_registers(cpu, false, v))
		return -1;
	struct vmm_client vmm = core_client(cpu);
	vmm_print_registers(&vmm, v);
	return 0;
}

static int cmd_gva(int argc, char **argv)
{
	uint32_t cpu;
	uint64_t gva;
	if (argc != 3 || !parse_number(argv[2], &gva))
		return error("usage: gva <cpu> <address>");
	if (parse_cpu(argv[1], &cpu, true))
		return -1;
	struct sidecar_translate t = {.gva = gva, .access = TRANSLATE_WRITE};
	memcpy(cmd.request, &t, sizeof(t));
	if (issue(cpu, SIDECAR_CMD_TRANSLATE_GVA, 0))
		return -1;
	memcpy(&t, cmd.request, sizeof(t));
	printf("gva: cpu %u 0x%lx -> gpa 0x%lx %s\n", cpu, (unsigned long)gva, (unsigned long)t.gpa,
	       t.writable ? "writable" : "read-only");
	return 0;
}

static int cmd_stop(int argc, char **argv)
{
	uint32_t cpu;
	if (argc != 2)
		return error("usage: stop <cpu>");
	if (parse_cpu(argv[1], &cpu, false))
		return -1;
	struct sidecar_ioc_cpu_request q = {.cpu = cpu};
	if (ioctl(fd, SIDECAR_IOC_STOP, &q))
		return errno == EAGAIN
			       ? error("cpu %u is %s: no VP is running", cpu, state_name(cpu))
			       : error("cpu %u: STOP: %s", cpu, strerror(errno));
	printf("stop: cpu %u asked to stop\n", cpu);
	return 0;
}

/* Tell Linux to start its CPU l: the sysfs hot-plug file. */
static int linux_cpu_up(uint32_t l)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", l);
	int f = open(path, O_WRONLY | O_CLOEXEC);
	if (f < 0)
		return error("%s: %s", path, strerror(errno));
	ssize_t n = write(f, "1", 1);
	int saved = errno;
	close(f);
	if (n != 1)
		return error("linux cpu %u did not come online: %s", l, strerror(saved));
	return 0;
}

/* The CPUs the policy kept for the main kernel: Linux booted with
 * maxcpus=1, so only its BSP runs; start the others now. */
static int online_main_cpus(void)
{
	int failed = 0;
	for (uint32_t i = 0; i < info.cpu_count; i++) {
		const struct sidecar_ioc_cpu *c = &cpu_table[i];
		if ((c->flags & SIDECAR_IOC_CPU_SIDECAR) ||
		    c->linux_cpu == SIDECAR_IOC_NO_LINUX_CPU || linux_online(c->linux_cpu))
			continue;
		if (linux_cpu_up(c->linux_cpu)) {
			failed = -1;
			continue;
		}
		printf("online: cpu %u (linux cpu %u) is online in Linux\n", i, c->linux_cpu);
	}
	return failed;
}

static int cmd_online(int argc, char **argv)
{
	uint32_t cpu;
	if (argc != 2)
		return error("usage: online <cpu>|main");
	if (strcmp(argv[1], "main") == 0)
		return online_main_cpus();
	if (parse_cpu(argv[1], &cpu, false))
		return -1;
	const struct sidecar_ioc_cpu *c = &cpu_table[cpu];
	uint32_t l = c->linux_cpu;
	if (l == SIDECAR_IOC_NO_LINUX_CPU)
		return error("cpu %u (apic %u): Linux has no CPU with that APIC ID", cpu,
			     c->apic_id);
	if (linux_online(l))
		return error("cpu %u is linux cpu %u, already online", cpu, l);

	uint64_t t0 = now_ms(), t1 = t0;
	// BEGIN LAB 7: REMOVE through the driver (it waits for REMOVED), then cpu<l>/online = 1
	if (c->flags & SIDECAR_IOC_CPU_SIDECAR) {
		struct sidecar_ioc_cpu_request q = {.cpu = cpu, .timeout_ms = REMOVE_TIMEOUT_MS};
		if (ioctl(fd, SIDECAR_IOC_REMOVE, &q)) {
			int saved = errno;
			ioctl(fd, SIDECAR_IOC_INFO, &info);
			return error("cpu %u did not leave the sidecar: %s (it is %s)", cpu,
				     strerror(saved), state_name(cpu));
		}
		t1 = now_ms();
		printf("online: cpu %u left the sidecar in %lu ms\n", cpu,
		       (unsigned long)(t1 - t0));
	}
	if (linux_cpu_up(l))
		return -1;
	//> fprintf(stderr, "lab 7: %s() is not implemented yet\n", __func__);
	//> exit(1);
	// END LAB 7
	printf("online: cpu %u (linux cpu %u) is online in Linux\n", cpu, l);
	printf("online: Linux started it in %lu ms\n", (unsigned long)(now_ms() - t1));
	return 0;
}

/* make bench: the driver times a no-op command to a sidecar CPU and Linux's
 * smp_call_function_single() to one of its own CPUs (SIDECAR_IOC_BENCH). */
static int cmd_bench(int argc, char **argv)
{
	static const char usage[] = "usage: bench <cpu> [rounds]";
	uint64_t rounds = 1000;
	struct sidecar_ioc_bench b = {0};
	if (argc < 2 || argc > 3 || (argc == 3 && !parse_number(argv[2], &rounds)))
		return error("%s", usage);
	if (rounds == 0 || rounds > SIDECAR_IOC_BENCH_MAX_ROUNDS)
		return error("bench: rounds %lu: from 1 to %u", (unsigned long)rounds,
			     SIDECAR_IOC_BENCH_MAX_ROUNDS);
	if (parse_cpu(argv[1], &b.cpu, true))
		return -1;
	b.rounds = (uint32_t)rounds;
	if (ioctl(fd, SIDECAR_IOC_BENCH, &b))
		return error("bench on cpu %u: %s", b.cpu, strerror(errno));
	printf("bench: sidecar no-op command to cpu %u: min %lu median %lu max %lu ns "
	       "(%u rounds)\n", b.cpu, (unsigned long)b.sidecar_ns[0],
	       (unsigned long)b.sidecar_ns[1], (unsigned long)b.sidecar_ns[2], b.rounds);
	printf("bench: smp_call_function_single to linux cpu %u: min %lu median %lu max %lu ns "
	       "(%u rounds)\n", b.linux_cpu, (unsigned long)b.linux_ns[0],
	       (unsigned long)b.linux_ns[1], (unsigned long)b.linux_ns[2], b.rounds);
	return 0;
}

/* For /init: the value of a kernel parameter, parsed as Linux parses the
 * command line (quotes group spaces; lib/cmdline.c). */
static int cmd_param(int argc, char **argv)
{
	static char line[4096];
	struct cmdline_param p;
	if (argc != 2)
		return error("usage: param <name>");
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = f ? fread(line, 1, sizeof(line) - 1, f) : 0;
	if (f)
		fclose(f);
	line[n] = '\0';
	if (!cmdline_find(line, argv[1], &p))
		return -1; /* not there: no message, just the status */
	printf("%.*s\n", (int)p.value_len, p.value ? p.value : "");
	return 0;
}

/* Leave QEMU with a status through its isa-debug-exit port; on a machine
 * without one, power off. */
static int cmd_exit(int argc, char **argv)
{
	uint64_t status;
	if (argc != 2 || !parse_number(argv[1], &status))
		return error("usage: exit <status>   (0: success)");
	fflush(stdout);
	sync();
	if (ioperm(QEMU_EXIT_PORT, 4, 1) == 0)
		outl(status ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS, QEMU_EXIT_PORT);
	reboot(RB_POWER_OFF);
	return error("exit: %s", strerror(errno));
}

static const struct {
	const char *name, *usage;
	int (*run)(int argc, char **argv);
	bool driver; /* needs /dev/sidecar */
} commands[] = {
	{"status", "status", cmd_status, true},
	{"guests", "guests", cmd_guests, false},
	{"run", "run <cpu> <guest> [timeout=<ms>]", cmd_run, true},
	{"regs", "regs <cpu>", cmd_regs, true},
	{"gva", "gva <cpu> <address>", cmd_gva, true},
	{"stop", "stop <cpu>", cmd_stop, true},
	{"online", "online <cpu>|main", cmd_online, true},
	{"bench", "bench <cpu> [rounds]", cmd_bench, true},
	{"param", "param <name>", cmd_param, false},
	{"exit", "exit <status>", cmd_exit, false},
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			if (commands[i].driver && open_driver())
				return 1;
			return commands[i].run(argc - 1, argv + 1) ? 1 : 0;
		}
	fprintf(stderr, "usage: sidecarctl <command>; commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(stderr, "  sidecarctl %s\n", commands[i].usage);
	return 2;
}
