/*
 * stub.h - what linux-stub's files share.
 */
#ifndef STUB_H
#define STUB_H

#include "bootparam.h"
#include "machine.h"

/* What linux-stub knows about each CPU of the machine. */
enum cpu_state {
	CPU_OFFLINE, /* nobody runs it (no sidecar yet, or not started) */
	CPU_LINUX,   /* runs linux-stub */
};

struct stub {
	struct boot_params params; /* our copy of the zero page */
	char cmdline[2048];        /* our copy of the command line */
	struct machine machine;    /* from ACPI, as Linux reads it */
	enum cpu_state state[MAX_CPUS];
	uint32_t bsp;              /* CPU index of the CPU we booted on */
};

extern struct stub stub;

/* linux-stub/paging.c */
void paging_init(void);
uint64_t paging_root(void); /* the PML4's physical address (below 4 GiB) */

/* linux-stub/smp.c: linux-stub's own CPUs beyond the BSP (lab 5 on). */
#define STUB_WORK_VECTOR 0xe0     /* the BSP hands a CPU work */
#define STUB_RESPONSE_VECTOR 0xe1 /* a sidecar CPU finished a command */
#define STUB_TIMER_VECTOR 0xe2    /* 100 Hz tick: waits check their deadline */
#define STUB_SPURIOUS_VECTOR 0xff /* the local APIC's spurious vector: no EOI */
void smp_init(void);
void smp_start_main_cpus(void);
int smp_start_cpu(uint32_t cpu);
uint32_t smp_this_cpu(void);
uint64_t smp_responses(void); /* response IPIs taken by all our CPUs, ever */
int smp_node_cpu(uint32_t node); /* the CPU of ours that serves a sidecar node */
/* Run fn(arg) on cpu and wait for it; post/join split it for parallel work. */
int smp_run_on(uint32_t cpu, void (*fn)(void *), void *arg);
int smp_post(uint32_t cpu, void (*fn)(void *), void *arg);
int smp_join(uint32_t cpu);
/* Wait for something to change: halt on our APs (interrupts wake them), spin
 * on the BSP. Call with interrupts disabled after checking the condition. */
void smp_wait(void);
/* Sleep for ms milliseconds halted (a 100 Hz tick wakes us to check). */
void smp_sleep_ms(uint64_t ms);

/* linux-stub/memory.c: zeroed, page-aligned pages of usable RAM (e820),
 * never freed; NULL when there are not n free pages in a row. */
void *stub_alloc_pages(size_t n);

/* linux-stub/cpus.c */
void cpus_init(void);
const char *cpu_state_name(enum cpu_state s);
const char *cpu_state_name_of(uint32_t cpu); /* linux, idle, failed, offline, ... */

/* linux-stub/sidecar_client.c: find the sidecar through "sidecar=" */
void sidecar_attach(void);
struct sidecar_control;
struct sidecar_command_page;
bool sidecar_cpu(uint32_t cpu, struct sidecar_control **control, uint32_t *slot,
		 struct sidecar_command_page **command);
const char *sidecar_state_name(uint32_t cpu); /* NULL: not a sidecar CPU */
/* A CPU the policy gave to the main kernel (not the sidecar's). */
bool sidecar_main_kernel_cpu(uint32_t cpu);
uint64_t sidecar_control_page(uint32_t node); /* 0: none */
/* A machine CPU's sidecar node (one per NUMA node, or pieces of one with
 * the shim's split=<n>): -1 when it has none. */
int sidecar_node_of(uint32_t cpu);
uint32_t sidecar_node_count(void);
void sidecar_forget(uint32_t cpu); /* after conversion: no longer a sidecar CPU */
/* On a node's CPU of ours: become the node's response CPU (lab 5). */
void sidecar_serve_node(uint32_t node, uint32_t apic_id);
/* Wait until cpu_status[slot] is status (IDLE) or the deadline (timer_ns)
 * passes; halted on our APs, which a response IPI or the tick wakes. */
bool client_wait_status(struct sidecar_control *control, uint32_t slot, uint32_t status,
			uint64_t deadline_ns);
bool client_wait_idle(struct sidecar_control *control, uint32_t slot, uint64_t deadline_ns);
/* Monitor commands: linux-stub/wake.c (lab 3) and linux-stub/vmm.c (lab 4). */
int cmd_wake(int argc, char **argv);
int cmd_nodes(int argc, char **argv);
int cmd_cmdcheck(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_on(int argc, char **argv);
int cmd_cmdstress(int argc, char **argv);
int cmd_guests(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_regs(int argc, char **argv);
int cmd_gva(int argc, char **argv);
/* linux-stub/paging.c maps this much of physical memory one-to-one. */
#define STUB_IDENTITY_GIB 64
int cmd_isolate(int argc, char **argv); /* linux-stub/isolate.c */
int cmd_trespass(int argc, char **argv); /* linux-stub/trespass.c */
int cmd_racestress(int argc, char **argv); /* linux-stub/racestress.c */
int cmd_timeline(int argc, char **argv); /* linux-stub/timeline.c */
int cmd_spurious(int argc, char **argv); /* linux-stub/smp.c */
/* Sort n numbers in place, smallest first (linux-stub/wake.c). */
void sort_u64(uint64_t *v, size_t n);
/* The sidecar's output page, NULL without a sidecar. */
const struct sidecar_output *sidecar_output_page(void);

/* linux-stub/monitor.c: run one command line; 0 if it succeeded. */
int monitor_execute(char *line);
/* Interactive: read lines from the serial port forever. */
__attribute__((noreturn)) void monitor_loop(void);
/* Run "cmd; cmd; ..." then power off, succeeding only if every command did. */
__attribute__((noreturn)) void monitor_run_script(const char *script, size_t len);

extern const struct acpi_mem identity_acpi_mem;

#endif
