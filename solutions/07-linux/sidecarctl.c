/*
 * Lab 7 - sidecarctl: the sidecar's VMM and control tool, a Linux program.
 *
 * Runs in Linux, a user program (root), one thread.
 *
 *   sidecarctl status                          one line per CPU, as linux-stub prints them
 *   sidecarctl guests                          the guest programs built in
 *   sidecarctl run <cpu>|all <guest> [timeout=<ms>]  run one on a sidecar CPU, or on
 *                                              every idle one at once (default 5000 ms)
 *   sidecarctl regs <cpu>                      the registers of the CPU's VP
 *   sidecarctl gva <cpu> <address>             a guest virtual address, translated
 *   sidecarctl stop <cpu>                      ask a running VP to return
 *   sidecarctl online <cpu>|main               make a CPU Linux's (the driver's hot-plug
 *                                              callback takes it from the sidecar first);
 *                                              main: start the CPUs the policy kept for Linux
 *   sidecarctl check <cpu> [online]            try every misuse of /dev/sidecar on the CPU;
 *                                              online: and on a file whose CPU Linux took
 *   sidecarctl bench <cpu> [rounds]            round trips, timed in the driver
 *   sidecarctl param <name>                    print a kernel parameter (for /init)
 *   sidecarctl exit <status>                   leave QEMU: 0 success, else failure
 *
 * linux-stub did all of this inside its kernel (linux-stub/vmm.c); under
 * Linux the same VMM loop is an ordinary program. As OpenHCL's VMM does
 * (openvmm, openhcl/sidecar_client), it maps each VP's command page and
 * guest memory (mmap of /dev/sidecar, sidecar_ioctl.h) and writes requests
 * and reads replies there: nothing is copied through an ioctl. START sets a
 * command off and returns; poll() on the VP's file says when it finished;
 * so one thread drives every VP at once ("run all"). What the VMM does with
 * a guest - its memory image, what each exit means, the lines it prints -
 * is lib/portable/vmm_core.c, the same code linux-stub runs; the output lines
 * are linux-stub's, so the same tests read both.
 *
 * CPU numbers are the machine's, in MADT order, as in linux-stub; Linux
 * numbers its CPUs its own way, and the driver tells us which Linux CPU has
 * which APIC ID. "online" is Linux's CPU hot-plug (Documentation/core-api/
 * cpu_hotplug.rst: echo 1 > .../cpuN/online); the driver's callback makes
 * it safe, so the tool does no more than that write.
 *
 * Implement: drive() (one thread, many VPs: poll, collect, run on).
 * Tests: make grade LAB=7 (make run RUN='sidecarctl run all hello').
 */
#define _GNU_SOURCE /* sched_setaffinity, cpu_set_t */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "sidecar_ioctl.h"
#include "vmm_core.h" /* the guest memory layout and the VMM core, linux-stub's too */

#define STOP_TIMEOUT_MS 2000   /* a STOP gets this long to end a run */
#define COMMAND_TIMEOUT_MS 2000 /* a register or translate command */
#define QEMU_EXIT_PORT 0xf4 /* isa-debug-exit: QEMU ends with status (v << 1) | 1 */
#define QEMU_EXIT_SUCCESS 0x10
#define QEMU_EXIT_FAILURE 0x11

_Static_assert(GUEST_MEMORY_SIZE == SIDECAR_IOC_GUEST_BYTES, "the driver's guest memory");
_Static_assert(GUEST_SCRATCH_PAGES == SIDECAR_IOC_SCRATCH_PAGES, "the driver's scratch pages");

static int fd = -1;                   /* /dev/sidecar */
static struct sidecar_ioc_cpu cpu_table[SIDECAR_MAX_CPUS]; /* the CPUs, as the driver last told us */
static struct sidecar_ioc_info info = {.capacity = SIDECAR_MAX_CPUS}; /* INFO fills cpu_table */

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

/* Run on the Linux CPU the response interrupt is delivered to: its handler
 * then wakes us on the CPU it runs on, and no second IPI (a reschedule to
 * another CPU) stands between the sidecar's answer and the VMM. OpenHCL
 * does the same by having each node's responses sent to the CPU whose VMM
 * thread serves that node. A preference, not a need: failure is ignored. */
static void run_near_the_interrupt(void)
{
	for (uint32_t i = 0; info.irq && i < info.cpu_count && i < SIDECAR_MAX_CPUS; i++)
		if (cpu_table[i].apic_id == info.irq_apic &&
		    cpu_table[i].linux_cpu != SIDECAR_IOC_NO_LINUX_CPU) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(cpu_table[i].linux_cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
			return;
		}
}

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
	run_near_the_interrupt();
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

/* The CPU named by arg; with sidecar, it must be a sidecar CPU (the driver
 * says whether it is free: its START and SELECT refuse a busy one). */
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
	return 0;
}

/* ---- a VP: one file of /dev/sidecar, its command page and guest memory mapped -- */

struct vp {
	uint32_t cpu;
	int fd;
	struct sidecar_command_page *page; /* shared with the sidecar CPU */
	uint8_t *memory;                   /* its guest memory, GPA 0 on */
	/* a run in progress (run_begin .. run_end) */
	const struct guest *guest;
	enum run_outcome outcome;
	uint32_t exits;
	uint64_t deadline, stop_deadline; /* ms; stop_deadline: 0 until STOP was asked */
	struct sidecar_vp_exit answer;
	struct guest_console con;
};

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "success";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EBADFD: return "EBADFD";
	case EALREADY: return "EALREADY";
	case ENOMSG: return "ENOMSG";
	case EAGAIN: return "EAGAIN";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	}
	return strerror(e);
}

static void vp_close(struct vp *v)
{
	if (v->page)
		munmap(v->page, SIDECAR_PAGE);
	if (v->memory)
		munmap(v->memory, GUEST_MEMORY_SIZE);
	if (v->fd >= 0)
		close(v->fd);
	v->page = NULL;
	v->memory = NULL;
	v->fd = -1;
}

/* Open a file for cpu, select the CPU, map its command page and guest memory. */
static int vp_open(struct vp *v, uint32_t cpu)
{
	struct sidecar_ioc_cpu_request q = {.cpu = cpu};
	*v = (struct vp){.cpu = cpu, .fd = open(SIDECAR_DEVICE, O_RDWR | O_CLOEXEC)};
	if (v->fd < 0)
		return error("%s: %s", SIDECAR_DEVICE, strerror(errno));
	if (ioctl(v->fd, SIDECAR_IOC_SELECT, &q)) {
		int e = errno;
		vp_close(v);
		if (e == EBUSY)
			return error("cpu %u is busy: another VMM has it (EBUSY)", cpu);
		if (e == ENODEV)
			return error("cpu %u has left the sidecar (ENODEV)", cpu);
		return error("cpu %u: SELECT: %s", cpu, errno_name(e));
	}
	void *page = mmap(NULL, SIDECAR_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
			  SIDECAR_MAP_COMMAND);
	void *memory = mmap(NULL, GUEST_MEMORY_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
			    SIDECAR_MAP_GUEST);
	v->page = page == MAP_FAILED ? NULL : page;
	v->memory = memory == MAP_FAILED ? NULL : memory;
	if (!v->page || !v->memory) {
		int e = errno;
		vp_close(v);
		return error("cpu %u: mmap: %s", cpu, strerror(e));
	}
	return 0;
}

/* Set the command the page holds off; returns at once. */
static int vp_start(struct vp *v, uint32_t command)
{
	struct sidecar_ioc_start s = {.command = command, .page_table = GUEST_PAGE_TABLE_GPA};
	if (ioctl(v->fd, SIDECAR_IOC_START, &s) == 0)
		return 0;
	if (errno == EBUSY)
		return error("cpu %u refused %s: a command is still outstanding (EBUSY)", v->cpu,
			     vmm_command_name(command));
	if (errno == ENODEV)
		return error("cpu %u refused %s: it is not in the sidecar (ENODEV)", v->cpu,
			     vmm_command_name(command));
	return error("cpu %u: START %s: %s", v->cpu, vmm_command_name(command), strerror(errno));
}

/* The command finished (poll said so): collect it, then read the page's
 * verdict. 0 when it succeeded. */
static int vp_collect(struct vp *v, uint32_t command)
{
	uint32_t status;
	if (read(v->fd, &status, sizeof(status)) != sizeof(status))
		return error("cpu %u: collecting %s: %s", v->cpu, vmm_command_name(command),
			     errno == ENODEV ? "the CPU left the sidecar" : strerror(errno));
	if (status == CPU_STATUS_REMOVED)
		return error("cpu %u left the sidecar during %s", v->cpu, vmm_command_name(command));
	if (__atomic_load_n(&v->page->error, __ATOMIC_RELAXED)) {
		char text[sizeof(v->page->error_text)];
		memcpy(text, v->page->error_text, sizeof(text)); /* shared memory: copy once */
		text[sizeof(text) - 1] = '\0';
		return error("cpu %u: %s", v->cpu, text);
	}
	return 0;
}

/* Wait up to ms for v's command to finish: poll() on its file. */
static int vp_wait(struct vp *v, uint32_t ms)
{
	struct pollfd p = {.fd = v->fd, .events = POLLIN};
	int n;
	do
		n = poll(&p, 1, (int)ms);
	while (n < 0 && errno == EINTR);
	return n == 1 && (p.revents & POLLIN) ? 0 : -1;
}

/* One short command (registers, translate), start to finish. */
static int vp_command(struct vp *v, uint32_t command)
{
	if (vp_start(v, command))
		return -1;
	if (vp_wait(v, COMMAND_TIMEOUT_MS))
		return error("cpu %u did not answer %s in %u ms", v->cpu, vmm_command_name(command),
			     COMMAND_TIMEOUT_MS);
	return vp_collect(v, command);
}

/* GET (set = false) or SET the n registers in names[], in the page. */
static int registers(struct vp *v, bool set, const uint32_t *names, uint64_t *values, uint32_t n)
{
	struct sidecar_registers *r = &v->page->request.registers;
	memset(r, 0, sizeof(*r));
	r->count = n;
	for (uint32_t i = 0; i < n; i++) {
		r->names[i] = names[i];
		r->values[i] = set ? values[i] : 0;
	}
	if (vp_command(v, set ? SIDECAR_CMD_SET_VP_REGISTERS : SIDECAR_CMD_GET_VP_REGISTERS))
		return -1;
	for (uint32_t i = 0; !set && i < n; i++)
		values[i] = r->values[i];
	return 0;
}

static struct vmm_client core_client(struct vp *v);

/* Every register: more than one request holds (vmm_registers splits). */
static int all_registers(struct vp *v, bool set, uint64_t values[VP_REGISTER_COUNT])
{
	struct vmm_client vmm = core_client(v);
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

static int core_registers(const struct vmm_client *c, bool set, const uint32_t *names,
			  uint64_t *values, uint32_t n)
{
	return registers(c->ctx, set, names, values, n);
}

static struct vmm_client core_client(struct vp *v)
{
	return (struct vmm_client){.cpu = v->cpu, .print = print, .print_error = print_error,
				   .registers = core_registers, .ctx = v};
}

/* ---- a run: the guest built in place, then RUN_VP after RUN_VP ------------------ */

/* Build g's memory image straight into the mapped guest memory, give the VP
 * fresh registers. The first RUN_VP is run_next()'s. */
static int run_begin(struct vp *v, const struct guest *g, uint64_t timeout_ms)
{
	uint64_t regs[VP_REGISTER_COUNT];
	v->guest = g;
	v->exits = 0;
	v->stop_deadline = 0;
	memset(&v->answer, 0, sizeof(v->answer));
	memset(&v->con, 0, sizeof(v->con));
	vmm_build_guest(v->memory, g);
	printf("run: cpu %u guest %s: %lu bytes at 0x%lx, timeout %lu ms\n", v->cpu, g->name,
	       (unsigned long)g->size, (unsigned long)GUEST_ENTRY, (unsigned long)timeout_ms);
	/* A fresh VP: every register named, so nothing of the last run stays. */
	vmm_reset_registers(regs);
	v->outcome = all_registers(v, true, regs) ? RUN_FAILED : RUN_ON;
	v->deadline = now_ms() + timeout_ms;
	return v->outcome == RUN_FAILED ? -1 : 0;
}

/* Run the VP on after an exit, unless a limit says the run is over. */
static void run_next(struct vp *v)
{
	if (v->exits == MAX_EXITS) {
		v->outcome = RUN_EXIT_LIMIT;
	} else if (now_ms() >= v->deadline) {
		v->outcome = RUN_TIMED_OUT; /* between exits: the VP is not running */
	} else {
		/* request is a union: a GET or SET since the last exit overwrote it. */
		v->page->request.exit = v->answer;
		if (vp_start(v, SIDECAR_CMD_RUN_VP))
			v->outcome = RUN_FAILED;
	}
}

/* A RUN_VP finished: its exit, handled, then the next one. */
static void run_exited(struct vp *v)
{
	struct vmm_client vmm = core_client(v);
	struct sidecar_vp_exit e;
	if (vp_collect(v, SIDECAR_CMD_RUN_VP)) {
		v->outcome = RUN_FAILED;
		return;
	}
	e = v->page->request.exit; /* a copy: the page is shared memory */
	v->exits++;
	v->outcome = vmm_handle_exit(&vmm, &e, &v->answer, &v->con);
	if (v->outcome == RUN_ON)
		run_next(v);
}

static void run_end(struct vp *v)
{
	struct vmm_client vmm = core_client(v);
	vmm_console_flush(&vmm, &v->con);
	printf("run: cpu %u guest %s: %s after %u exit%s\n", v->cpu, v->guest->name,
	       vmm_outcome_name(v->outcome), v->exits, v->exits == 1 ? "" : "s");
}

/* A VP whose time is up: STOP it (from this thread; any would do). The stop
 * exit then ends the run. One that will not stop fails. */
static void run_timed_out(struct vp *v, uint64_t now)
{
	struct sidecar_ioc_cpu_request q = {.cpu = v->cpu};
	if (!v->stop_deadline) {
		/* EAGAIN: it finished meanwhile, and poll() will say so. */
		if (ioctl(v->fd, SIDECAR_IOC_STOP, &q) && errno != EAGAIN)
			error("cpu %u: STOP: %s", v->cpu, strerror(errno));
		v->stop_deadline = now + STOP_TIMEOUT_MS;
	} else if (now >= v->stop_deadline) {
		error("cpu %u did not stop in %u ms", v->cpu, STOP_TIMEOUT_MS);
		v->outcome = RUN_FAILED;
	}
}

/* When the first of the running VPs must be looked at without an answer. */
static int next_timeout(struct vp *const *running, uint32_t n, uint64_t now)
{
	uint64_t first = UINT64_MAX;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t t = running[i]->stop_deadline ? running[i]->stop_deadline
						       : running[i]->deadline;
		first = t < first ? t : first;
	}
	return first <= now ? 0 : (int)(first - now);
}

/*
 * One thread, n VPs, each with a RUN_VP started: poll() on all their files
 * at once; each that finished is collected, its exit handled and its VP run
 * on; one whose time is up is stopped. Returns when every run has ended,
 * with each one's result line printed as it ends.
 */
static void drive(struct vp *vps, uint32_t n)
{
	// BEGIN LAB 7: drive every running VP to its end: an exit, a CPU that left, or its timeout
	struct pollfd fds[SIDECAR_MAX_CPUS];
	struct vp *running[SIDECAR_MAX_CPUS];
	for (;;) {
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++)
			if (vps[i].outcome == RUN_ON) {
				running[k] = &vps[i];
				fds[k++] = (struct pollfd){.fd = vps[i].fd, .events = POLLIN};
			}
		if (k == 0)
			return;
		int r = poll(fds, k, next_timeout(running, k, now_ms()));
		if (r < 0 && errno != EINTR) {
			error("poll: %s", strerror(errno));
			for (uint32_t i = 0; i < k; i++) {
				running[i]->outcome = RUN_FAILED;
				run_end(running[i]); /* its result line too */
			}
			continue; /* none runs on: the next turn returns */
		}
		uint64_t now = now_ms();
		for (uint32_t i = 0; r >= 0 && i < k; i++) {
			struct vp *v = running[i];
			if (fds[i].revents & POLLIN) {
				run_exited(v);
			} else if (fds[i].revents & (POLLHUP | POLLERR)) {
				error("cpu %u left the sidecar during its run", v->cpu);
				v->outcome = RUN_FAILED;
			} else if (now >= v->deadline) {
				run_timed_out(v, now);
			}
			if (v->outcome != RUN_ON)
				run_end(v);
		}
	}
	//> (void)vps;
	//> (void)n;
	//> (void)next_timeout;
	//> (void)run_exited;
	//> (void)run_timed_out;
	//> fprintf(stderr, "lab 7: %s() is not implemented yet\n", __func__);
	//> exit(1);
	// END LAB 7
}

/* ---- the commands ------------------------------------------------------------- */

static int cmd_status(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return error("status takes no arguments");
	uint32_t sidecar = 0, idle = 0, removed = 0;
	for (uint32_t i = 0; i < info.cpu_count; i++) {
		const struct sidecar_ioc_cpu *c = &cpu_table[i];
		printf("cpu %u apic %u node %u %s\n", i, c->apic_id, c->node, state_name(i));
		if (!(c->flags & SIDECAR_IOC_CPU_SIDECAR))
			continue;
		sidecar++;
		idle += c->status == CPU_STATUS_IDLE;
		removed += c->status == CPU_STATUS_REMOVED;
	}
	printf("status: %u sidecar CPUs: %u idle, %u removed\n", sidecar, idle, removed);
	if (info.irq)
		printf("status: responses by interrupt: irq %u vector 0x%x to apic %u, %lu so far\n",
		       info.irq, info.vector, info.irq_apic, (unsigned long)info.responses);
	else
		printf("status: responses by polling: the driver has no response interrupt\n");
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

/* Every sidecar CPU a guest can run on now: in the sidecar, idle, not Linux's. */
static bool runnable(uint32_t i)
{
	const struct sidecar_ioc_cpu *c = &cpu_table[i];
	return (c->flags & SIDECAR_IOC_CPU_SIDECAR) && !(c->flags & SIDECAR_IOC_CPU_GONE) &&
	       c->status == CPU_STATUS_IDLE && strcmp(state_name(i), "linux") != 0;
}

/* run all: every runnable CPU at once, from this one thread; one result
 * line per CPU, then what they did together. */
static int run_all(const struct guest *g, uint64_t timeout_ms)
{
	static struct vp vps[SIDECAR_MAX_CPUS];
	uint32_t n = 0, failed = 0, exits = 0;
	for (uint32_t i = 0; i < info.cpu_count; i++)
		if (runnable(i) && vp_open(&vps[n], i) == 0)
			if (run_begin(&vps[n++], g, timeout_ms))
				run_end(&vps[n - 1]);
	if (n == 0)
		return error("run all: no sidecar CPU is idle");
	uint64_t t0 = now_ms();
	for (uint32_t i = 0; i < n; i++)
		if (vps[i].outcome == RUN_ON)
			run_next(&vps[i]);
	for (uint32_t i = 0; i < n; i++)
		if (vps[i].outcome != RUN_ON && vps[i].exits == 0 && vps[i].outcome != RUN_FAILED)
			run_end(&vps[i]);
	drive(vps, n);
	uint64_t ms = now_ms() - t0;
	for (uint32_t i = 0; i < n; i++) {
		failed += vps[i].outcome == RUN_FAILED;
		exits += vps[i].exits;
		vp_close(&vps[i]);
	}
	printf("run all: %u CPUs, %u failed, %u exits in %lu ms: %lu commands/s\n", n, failed,
	       exits, (unsigned long)ms, (unsigned long)(exits * 1000ull / (ms ? ms : 1)));
	return failed ? -1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	static const char usage[] = "usage: run <cpu>|all <guest> [timeout=<ms>]";
	static const char key[] = "timeout=";
	uint64_t timeout_ms = DEFAULT_RUN_MS;
	uint32_t cpu = 0;
	bool all = argc >= 2 && strcmp(argv[1], "all") == 0;
	if (argc < 3 || argc > 4)
		return error("%s", usage);
	if (argc == 4 && (strncmp(argv[3], key, strlen(key)) != 0 ||
			  !parse_number(argv[3] + strlen(key), &timeout_ms)))
		return error("%s", usage);
	if (timeout_ms == 0 || timeout_ms > MAX_RUN_MS)
		return error("timeout %lu ms: from 1 to %u", (unsigned long)timeout_ms, MAX_RUN_MS);
	if (!all && parse_cpu(argv[1], &cpu, true))
		return -1;
	const struct guest *g = vmm_find_guest(argv[2]);
	if (!g)
		return error("no guest '%s' (try 'guests')", argv[2]);
	if (g->size > GUEST_PROGRAM_MAX)
		return error("guest %s is %lu bytes; at most %lu fit", g->name,
			     (unsigned long)g->size, (unsigned long)GUEST_PROGRAM_MAX);
	if (all)
		return run_all(g, timeout_ms);
	struct vp v;
	if (vp_open(&v, cpu))
		return -1;
	if (run_begin(&v, g, timeout_ms) == 0)
		run_next(&v);
	if (v.outcome == RUN_ON)
		drive(&v, 1);
	else
		run_end(&v);
	vp_close(&v);
	return v.outcome == RUN_FAILED ? -1 : 0;
}

static int cmd_regs(int argc, char **argv)
{
	uint32_t cpu;
	uint64_t values[VP_REGISTER_COUNT];
	struct vp v;
	if (argc != 2)
		return error("usage: regs <cpu>");
	if (parse_cpu(argv[1], &cpu, true) || vp_open(&v, cpu))
		return -1;
	int r = all_registers(&v, false, values);
	if (r == 0) {
		struct vmm_client vmm = core_client(&v);
		vmm_print_registers(&vmm, values);
	}
	vp_close(&v);
	return r;
}

static int cmd_gva(int argc, char **argv)
{
	uint32_t cpu;
	uint64_t gva;
	struct vp v;
	if (argc != 3 || !parse_number(argv[2], &gva))
		return error("usage: gva <cpu> <address>");
	if (parse_cpu(argv[1], &cpu, true) || vp_open(&v, cpu))
		return -1;
	v.page->request.translate = (struct sidecar_translate){.gva = gva, .access = TRANSLATE_WRITE};
	int r = vp_command(&v, SIDECAR_CMD_TRANSLATE_GVA);
	if (r == 0) {
		struct sidecar_translate t = v.page->request.translate;
		printf("gva: cpu %u 0x%lx -> gpa 0x%lx %s\n", cpu, (unsigned long)gva,
		       (unsigned long)t.gpa, t.writable ? "writable" : "read-only");
	}
	vp_close(&v);
	return r;
}

/* STOP needs no VP of its own: any file, any thread, any process. */
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

/*
 * The same act as echo 1 > /sys/devices/system/cpu/cpu<l>/online: the write
 * returns once Linux runs the CPU, and before it started it the driver's
 * hot-plug callback took it from the sidecar (or the write fails and the CPU
 * stays offline). The driver says how long the callback took.
 */
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

	uint64_t t0 = now_ms();
	if (linux_cpu_up(l)) {
		ioctl(fd, SIDECAR_IOC_INFO, &info);
		return error("cpu %u stays offline (it is %s in the sidecar)", cpu,
			     sidecar_status_word(cpu_table[cpu].status));
	}
	uint64_t ms = now_ms() - t0;
	if (ioctl(fd, SIDECAR_IOC_INFO, &info))
		return error("%s: INFO: %s", SIDECAR_DEVICE, strerror(errno));
	if (c->flags & SIDECAR_IOC_CPU_SIDECAR)
		printf("online: cpu %u left the sidecar in %u us (the driver's hot-plug callback)\n",
		       cpu, c->remove_us);
	printf("online: cpu %u (linux cpu %u) is online in Linux\n", cpu, l);
	printf("online: echo 1 > online took %lu ms\n", (unsigned long)ms);
	return 0;
}

/* ---- check: every misuse of /dev/sidecar, and what the driver says ------------ */

static uint32_t checks, passed;

/* r is a call's result (-1 and errno on failure; a check of several
 * results may fail with errno 0); want is the errno it should fail with, 0
 * if it should succeed. */
static void expect(const char *what, int r, int want)
{
	int got = r == -1 ? (errno ? errno : -1) : 0;
	checks++;
	if (got == want) {
		passed++;
		printf("check: %s: %s as expected\n", what, errno_name(want));
	} else {
		printf("check: %s: %s, expected %s\n", what, errno_name(got), errno_name(want));
	}
}

static int mmap_result(int f, int flags, off_t offset)
{
	void *p = mmap(NULL, SIDECAR_PAGE, PROT_READ | PROT_WRITE, flags, f, offset);
	if (p == MAP_FAILED)
		return -1;
	munmap(p, SIDECAR_PAGE);
	return 0;
}

/* While a VP runs (the spin guest never exits by itself), a non-blocking
 * read, a START and a BENCH must be refused at once; STOP from another file
 * ends the run with a stop exit; and closing the VP's file while its guest
 * runs must stop and collect it too, so that a new file can have the CPU. */
static void check_running(uint32_t cpu)
{
	struct sidecar_ioc_cpu_request q = {.cpu = cpu};
	struct sidecar_ioc_start none = {.command = SIDECAR_CMD_NONE};
	struct sidecar_ioc_bench b = {.cpu = cpu, .rounds = 1};
	uint32_t status;
	struct vp v;
	checks++;
	if (vp_open(&v, cpu) || run_begin(&v, vmm_find_guest("spin"), MAX_RUN_MS)) {
		vp_close(&v);
		return;
	}
	passed++;
	run_next(&v);
	struct pollfd p = {.fd = v.fd, .events = POLLIN};
	expect("poll() while the guest runs says nothing", poll(&p, 1, 100) == 0 ? 0 : -1, 0);
	fcntl(v.fd, F_SETFL, O_NONBLOCK);
	expect("read while the guest runs (O_NONBLOCK)", read(v.fd, &status, 4) == 4 ? 0 : -1,
	       EAGAIN);
	fcntl(v.fd, F_SETFL, 0);
	expect("START while the guest runs", ioctl(v.fd, SIDECAR_IOC_START, &none), EBUSY);
	expect("BENCH while the guest runs", ioctl(fd, SIDECAR_IOC_BENCH, &b), EBUSY);
	expect("STOP from another file", ioctl(fd, SIDECAR_IOC_STOP, &q), 0);
	expect("poll() until it stopped", vp_wait(&v, STOP_TIMEOUT_MS), 0);
	expect("read() collects a stop exit",
	       read(v.fd, &status, 4) == 4 && status == CPU_STATUS_IDLE &&
	       v.page->request.exit.reason == VP_EXIT_STOPPED ? 0 : -1, 0);
	run_next(&v);
	vp_close(&v); /* with the guest running again */
	expect("SELECT and START from a new file once the running VP's was closed",
	       vp_open(&v, cpu) == 0 && ioctl(v.fd, SIDECAR_IOC_START, &none) == 0 &&
	       vp_wait(&v, COMMAND_TIMEOUT_MS) == 0 ? 0 : -1, 0);
	vp_close(&v);
}

static int check_errors(uint32_t cpu)
{
	struct sidecar_ioc_cpu_request q = {.cpu = SIDECAR_MAX_CPUS};
	struct sidecar_ioc_start none = {.command = SIDECAR_CMD_NONE};
	struct sidecar_ioc_bench b = {.cpu = cpu, .rounds = 0};
	uint32_t status;
	int f = open(SIDECAR_DEVICE, O_RDWR | O_CLOEXEC), g;
	if (f < 0)
		return error("%s: %s", SIDECAR_DEVICE, strerror(errno));
	expect("SELECT of no CPU", ioctl(f, SIDECAR_IOC_SELECT, &q), EINVAL);
	for (uint32_t i = 0; i < info.cpu_count; i++)
		if (!(cpu_table[i].flags & SIDECAR_IOC_CPU_SIDECAR)) {
			q.cpu = i;
			expect("SELECT of a Linux CPU", ioctl(f, SIDECAR_IOC_SELECT, &q), EINVAL);
			break;
		}
	expect("STOP of a CPU not the sidecar's", ioctl(f, SIDECAR_IOC_STOP, &q), EINVAL);
	expect("START before SELECT", ioctl(f, SIDECAR_IOC_START, &none), EBADFD);
	expect("mmap before SELECT", mmap_result(f, MAP_SHARED, 0), EBADFD);
	expect("read before SELECT", read(f, &status, 4) == 4 ? 0 : -1, EBADFD);
	struct pollfd p = {.fd = f, .events = POLLIN};
	expect("poll() before SELECT says POLLERR",
	       poll(&p, 1, 0) == 1 && (p.revents & POLLERR) ? 0 : -1, 0);
	/* Every ioctl copies its argument in (and INFO its table out): an
	 * address nothing is mapped at must fail, not oops. */
	struct sidecar_ioc_info nowhere = {.cpus = 8, .capacity = 1};
	expect("INFO from a bad address", ioctl(f, SIDECAR_IOC_INFO, NULL), EFAULT);
	expect("INFO into a bad CPU table", ioctl(f, SIDECAR_IOC_INFO, &nowhere), EFAULT);
	expect("SELECT from a bad address", ioctl(f, SIDECAR_IOC_SELECT, NULL), EFAULT);
	expect("STOP from a bad address", ioctl(f, SIDECAR_IOC_STOP, NULL), EFAULT);
	expect("BENCH from a bad address", ioctl(f, SIDECAR_IOC_BENCH, NULL), EFAULT);
	expect("an ioctl the driver does not have", ioctl(f, _IO(SIDECAR_IOC_MAGIC, 99)), ENOTTY);
	q.cpu = cpu;
	expect("SELECT", ioctl(f, SIDECAR_IOC_SELECT, &q), 0);
	expect("START from a bad address", ioctl(f, SIDECAR_IOC_START, NULL), EFAULT);
	expect("SELECT again", ioctl(f, SIDECAR_IOC_SELECT, &q), EALREADY);
	g = open(SIDECAR_DEVICE, O_RDWR | O_CLOEXEC);
	expect("SELECT from a second file", ioctl(g, SIDECAR_IOC_SELECT, &q), EBUSY);
	close(g);
	expect("a private mapping", mmap_result(f, MAP_PRIVATE, 0), EINVAL);
	expect("a mapping past guest memory",
	       mmap_result(f, MAP_SHARED, SIDECAR_MAP_GUEST + GUEST_MEMORY_SIZE), EINVAL);
	struct sidecar_command_page *page =
		mmap(NULL, SIDECAR_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, f, SIDECAR_MAP_COMMAND);
	expect("mapping the command page", page == MAP_FAILED ? -1 : 0, 0);
	if (page == MAP_FAILED) {
		close(f);
		return -1;
	}
	expect("read of 2 bytes", read(f, &status, 2) == 2 ? 0 : -1, EINVAL);
	expect("read with nothing started", read(f, &status, 4) == 4 ? 0 : -1, ENOMSG);
	expect("STOP with nothing running", ioctl(f, SIDECAR_IOC_STOP, &q), EAGAIN);
	expect("START of NONE", ioctl(f, SIDECAR_IOC_START, &none), 0);
	/* Outstanding until read() collects it, however fast the CPU was. */
	struct sidecar_ioc_start get = {.command = SIDECAR_CMD_GET_VP_REGISTERS};
	expect("a second START", ioctl(f, SIDECAR_IOC_START, &get), EBUSY);
	checks++;
	if (__atomic_load_n(&page->command, __ATOMIC_RELAXED) == SIDECAR_CMD_NONE) {
		passed++;
		printf("check: the refused START left the page alone\n");
	} else {
		printf("check: the refused START wrote command %u into the page\n", page->command);
	}
	expect("poll() until it finished", poll(&p, 1, COMMAND_TIMEOUT_MS) == 1 ? 0 : -1, 0);
	expect("read() collects it",
	       read(f, &status, 4) == 4 && status == CPU_STATUS_IDLE ? 0 : -1, 0);
	expect("BENCH of 0 rounds", ioctl(f, SIDECAR_IOC_BENCH, &b), EINVAL);
	/* The sidecar checks what the driver passes on: a command it does not know. */
	struct sidecar_ioc_start bad = {.command = 0x7777};
	if (ioctl(f, SIDECAR_IOC_START, &bad) == 0 && poll(&p, 1, COMMAND_TIMEOUT_MS) == 1 &&
	    read(f, &status, 4) == 4) {
		char text[sizeof(page->error_text)];
		memcpy(text, page->error_text, sizeof(text));
		text[sizeof(text) - 1] = '\0';
		checks++;
		passed += page->error != 0;
		printf("check: an unknown command: %s: %s\n",
		       page->error ? "the sidecar refused it" : "the sidecar took it", text);
	}
	munmap(page, SIDECAR_PAGE);
	close(f);
	check_running(cpu);
	printf("check: cpu %u: %u of %u as expected\n", cpu, passed, checks);
	return passed == checks ? 0 : -1;
}

/* check <cpu> online: Linux onlines the CPU while a file holds it, with a
 * command started and not collected. The hot-plug callback takes the CPU
 * from the sidecar; from then on every call on that file, and a SELECT
 * from a new one, must say that it left. */
static int check_online(uint32_t cpu)
{
	struct sidecar_ioc_cpu_request q = {.cpu = cpu};
	struct sidecar_ioc_start none = {.command = SIDECAR_CMD_NONE};
	uint32_t status, l = cpu_table[cpu].linux_cpu;
	int f = open(SIDECAR_DEVICE, O_RDWR | O_CLOEXEC), g;
	if (f < 0)
		return error("%s: %s", SIDECAR_DEVICE, strerror(errno));
	expect("SELECT", ioctl(f, SIDECAR_IOC_SELECT, &q), 0);
	expect("START of NONE", ioctl(f, SIDECAR_IOC_START, &none), 0);
	checks++;
	if (l != SIDECAR_IOC_NO_LINUX_CPU && linux_cpu_up(l) == 0) {
		passed++;
		printf("check: cpu %u is online in Linux (linux cpu %u)\n", cpu, l);
	}
	struct pollfd p = {.fd = f, .events = POLLIN};
	expect("poll() once it left says POLLHUP",
	       poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) ? 0 : -1, 0);
	expect("read once it left", read(f, &status, 4) == 4 ? 0 : -1, ENODEV);
	expect("START once it left", ioctl(f, SIDECAR_IOC_START, &none), ENODEV);
	expect("STOP once it left", ioctl(f, SIDECAR_IOC_STOP, &q), EAGAIN);
	g = open(SIDECAR_DEVICE, O_RDWR | O_CLOEXEC);
	expect("SELECT from a new file once it left", ioctl(g, SIDECAR_IOC_SELECT, &q), ENODEV);
	close(g);
	const struct sidecar_ioc_cpu *c = &cpu_table[cpu];
	expect("INFO says it left, and how long that took",
	       ioctl(fd, SIDECAR_IOC_INFO, &info) == 0 && (c->flags & SIDECAR_IOC_CPU_GONE) &&
	       c->status == CPU_STATUS_REMOVED && c->remove_us > 0 ? 0 : -1, 0);
	close(f);
	printf("check: cpu %u online: %u of %u as expected\n", cpu, passed, checks);
	return passed == checks ? 0 : -1;
}

static int cmd_check(int argc, char **argv)
{
	uint32_t cpu;
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "online") != 0))
		return error("usage: check <cpu> [online]");
	if (parse_cpu(argv[1], &cpu, true))
		return -1;
	return argc == 3 ? check_online(cpu) : check_errors(cpu);
}

/* make bench: the driver times a no-op command to a sidecar CPU three ways
 * and Linux's smp_call_function_single() to one of its own CPUs. */
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
	static const struct {
		const char *how;
		size_t offset;
	} rows[] = {
		{"by interrupt", offsetof(struct sidecar_ioc_bench, irq_ns)},
		{"by polling", offsetof(struct sidecar_ioc_bench, poll_ns)},
		{"spinning", offsetof(struct sidecar_ioc_bench, spin_ns)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const uint64_t *ns = (const uint64_t *)((const char *)&b + rows[i].offset);
		if (ns[1] == 0)
			continue; /* no interrupt: the driver polls */
		printf("bench: sidecar no-op command to cpu %u, %s: min %lu median %lu max %lu ns "
		       "(%u rounds)\n", b.cpu, rows[i].how, (unsigned long)ns[0],
		       (unsigned long)ns[1], (unsigned long)ns[2], b.rounds);
	}
	printf("bench: smp_call_function_single to linux cpu %u: min %lu median %lu max %lu ns "
	       "(%u rounds)\n", b.linux_cpu, (unsigned long)b.linux_ns[0],
	       (unsigned long)b.linux_ns[1], (unsigned long)b.linux_ns[2], b.rounds);
	return 0;
}

/* For /init: the value of a kernel parameter, parsed as Linux parses the
 * command line (quotes group spaces; lib/portable/cmdline.c). */
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
	fflush(stderr);
	/* The console is a serial line: wait until the tty has sent every byte
	 * (init's last line included), or QEMU ends with them still queued. */
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
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
	{"run", "run <cpu>|all <guest> [timeout=<ms>]", cmd_run, true},
	{"regs", "regs <cpu>", cmd_regs, true},
	{"gva", "gva <cpu> <address>", cmd_gva, true},
	{"stop", "stop <cpu>", cmd_stop, true},
	{"online", "online <cpu>|main", cmd_online, true},
	{"check", "check <cpu> [online]", cmd_check, true},
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
