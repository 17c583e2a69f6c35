/*
 * kernel.h - the sidecar kernel's own data: per-CPU state and nodes.
 *
 * Which CPU runs what (as in OpenHCL's sidecar, init.rs vs vp.rs):
 *   BSP only   kernel/start.c   sidecar_start(): lay out memory, start APs,
 *                               wait, report, return to the shim
 *   every AP   kernel/ap.c      ap_main(): set up this CPU, check in, help
 *                               start the rest of the node, then idle
 *   every AP   labs 1-3         trampoline, INIT-SIPI-SIPI, fan-out, the
 *                               halt loop, IPIs
 */
#ifndef KERNEL_H
#define KERNEL_H

#include "klib.h"
#include "sidecar.h"
#include "vp.h"

/* Where an AP is in its start-up; the AP and its starter race on this with
 * compare-and-swap so that exactly one of "checked in" and "timed out" wins. */
enum ap_boot_state {
	AP_NOT_STARTED = 0,
	AP_STARTING = 1, /* INIT-SIPI-SIPI sent */
	AP_UP = 2,       /* the AP checked in */
	AP_FAILED = 3,   /* its starter gave up on it */
};

struct node;

/* The 64-bit task-state segment (SDM vol. 3A 7.7): where the CPU finds the
 * kernel stack (rsp0) when an interrupt arrives in ring 3. No I/O bitmap:
 * iomap_base past the end, so every in/out in ring 3 faults. */
struct __attribute__((packed)) tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss) == 104, "SDM: the 64-bit TSS is 104 bytes");

/* Selectors in every sidecar CPU's GDT (kernel/gdt.c). */
#define GDT_KERNEL_CODE 0x10
#define GDT_KERNEL_DATA 0x18
#define GDT_USER_DATA 0x20
#define GDT_USER_CODE 0x28
#define GDT_TSS 0x30
#define TRAP_REQUEST 256 /* vector marker pushed by irq_request_entry */

/* One per sidecar CPU, in its node's memory: at the top of its stack pages. */
struct percpu {
	struct percpu *self;
	uint32_t cpu;     /* CPU index in the parameter page */
	uint32_t apic_id;
	uint32_t node;
	uint32_t slot;    /* index within its node: cpu_status[slot] */
	uint64_t stack_top;
	struct node *node_state;
	struct sidecar_control *control;
	struct sidecar_command_page *command;
	void *idt;        /* the IDT page (lab 2): one all sidecar CPUs share */
	uint32_t boot_state; /* enum ap_boot_state, atomic */
	uint32_t starter_apic_id; /* who started us: woken when we check in */
	uint64_t wakeups;    /* times hlt returned */
	uint64_t interrupts; /* request-vector interrupts taken */
	/* From lab 4: this CPU's GDT and TSS (ring 3 needs both) and its VP. */
	uint64_t gdt[8] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
	struct vp_state vp;
	/* This CPU's own address space (kernel/paging.c), once it is up: */
	uint64_t cr3;        /* its PML4's physical address */
	uint64_t *pml4;      /* ...and where it sees its PML4 and PT (window) */
	uint64_t *pt;
	uint64_t boot_self;  /* where this struct is physically (the boot tables' view) */
	uint32_t own_tables; /* 1 from the switch on: a ring-0 #PF fails only this CPU */
	uint32_t reserved2;
};
/* The stack keeps at least 6 KiB below struct percpu (SIDECAR_STACK_PAGES). */
_Static_assert(sizeof(struct percpu) <= 2048, "struct percpu grew into the stack");

/*
 * Every sidecar CPU's window (kernel/paging.c): the last 2 MiB of the
 * address space, one page table, the same addresses on every CPU but each
 * CPU's own pages behind them. Slot n is WINDOW_BASE + n * 4 KiB.
 */
#define WINDOW_BASE 0xffffffffffe00000ull
#define WIN_STACK 1    /* SIDECAR_STACK_PAGES pages; slot 0 is the unmapped guard */
#define WIN_COMMAND 4  /* slot 3 stays unmapped: nothing above the stack */
#define WIN_CONTROL 5
#define WIN_PML4 6
#define WIN_PT 7
#define WIN_SCRATCH 64 /* SIDECAR_VP_SCRATCH_MAX pages, while RUN_VP runs */
#define WIN_GUEST 256  /* SIDECAR_VP_MEMORY_MAX bytes, while a VP command runs */
_Static_assert(WIN_STACK + SIDECAR_STACK_PAGES < WIN_COMMAND, "a hole above the stack");
_Static_assert(WIN_SCRATCH + SIDECAR_VP_SCRATCH_MAX <= WIN_GUEST, "scratch slots");
_Static_assert(WIN_GUEST + SIDECAR_VP_MEMORY_MAX / 4096 <= 512, "guest slots");

struct node {
	uint32_t index;
	uint32_t count;     /* sidecar CPUs in this node */
	uint32_t next_slot; /* fan-out: the next CPU to start, atomic */
	uint32_t reserved;
	struct sidecar_control *control;
	struct percpu **cpus; /* count of them: this node's run of node_cpus[] (kernel/start.c) */
};

/* The trampoline's lookup table (include/trampoline.h: struct trampoline_data). */
struct ap_slot {
	uint32_t apic_id;
	uint32_t reserved;
	uint64_t stack_top;
	uint64_t percpu;
};

/* The sidecar's own copy of the parameter page (kernel/start.c), and the
 * address of the shim's page it was copied from: an address to keep guest
 * memory away from, never read. */
extern const struct sidecar_params *params;
extern uint64_t params_page;
extern struct sidecar_output *output;
extern struct node nodes[SIDECAR_MAX_NODES];

/* kernel/start.c */
void sidecar_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* kernel/ap.c: where every AP's C code begins (jumped to by the trampoline
 * with its own stack and %rdi = its struct percpu). */
__attribute__((noreturn)) void ap_main(struct percpu *pc);
/* Start one CPU and wait for it to check in or time out (kernel/ap.c). */
void ap_start_and_wait(struct percpu *pc);
/* The same for n CPUs at once, with one INIT-SIPI-SIPI round (the BSP). */
void ap_start_all_and_wait(struct percpu **pcs, uint32_t n);

/* Lab 1 (labs/01-apstart/): */
/* INIT-SIPI-SIPI to n CPUs with one set of waits; delivered[c]: every IPI
 * to apic_ids[c] went out. -1 for a trampoline page a SIPI cannot name.
 * ap_send_init_sipi() (include/lapic.h, linux-stub uses it too) is the same
 * for one CPU. */
int ap_send_init_sipi_all(const uint32_t *apic_ids, uint32_t n, uint64_t trampoline_page,
			  bool *delivered);
void fanout_start_node(struct node *node);
/* Start what is left: own node first, then every other node (own may be
 * NULL: the BSP). */
void fanout_help(struct node *own);

/* Lab 2 (labs/02-halt/): */
void halt_cpu_init(struct percpu *pc);
__attribute__((noreturn)) void halt_loop(struct percpu *pc);

/* Lab 3 (labs/03-ipi/), the sidecar's side: */
void ipi_request_interrupt(struct percpu *pc);
void ipi_acknowledge(struct percpu *pc);

/* Lab 6 (labs/06-convert/remove.c): leave the sidecar, park for INIT. */
__attribute__((noreturn)) void remove_cpu(struct percpu *pc);

/* kernel/command.c: run the command in pc's command page (status is RUN). */
void command_run(struct percpu *pc);

/* kernel/sleep.c: halted waits for starters during fan-out. */
#define SIDECAR_WAKE_VECTOR 0xef
void sleep_init(void);                     /* BSP, once */
void sleep_cpu_ready(struct percpu *pc);   /* an AP: add the wake gate */
void sleep_wake_starter(struct percpu *pc); /* an AP that checked in */
/* Halt until deadline_ns (timer_ns) or until *watch != while_value; false
 * when this CPU cannot sleep (the BSP, or no IDT/APIC yet): spin instead. */
bool sleep_until(uint64_t deadline_ns, const uint32_t *watch, uint32_t while_value);

/* kernel/paging.c: the boot tables (BSP, once: 0 and their root in *cr3,
 * or -1 when node memory above 4 GiB needs more tables than it keeps). */
int paging_build(const struct sidecar_params *p, uint64_t *cr3);
/* An AP, still on the boot tables: its own tables in its private pages. */
void paging_build_own(struct percpu *pc, uint64_t private_pa, uint64_t command_pa,
		      uint64_t control_pa);
/* Where physical address pa of this CPU's private pages shows in its window. */
uint64_t paging_window(uint64_t pa, uint64_t private_pa);
uint64_t paging_root(void); /* this CPU's own PML4 */
/* Map pages at pa into window slots from slot on, for the command that runs
 * now; paging_unmap_run() takes them (and the guest's PML4 half) away. */
void *paging_map_run(struct percpu *pc, unsigned slot, uint64_t pa, uint64_t pages);
void paging_unmap_run(struct percpu *pc);
bool paging_window_holds(uint64_t va);
extern uint8_t sidecar_idt[4096];

/* kernel/fault.c: a ring-0 page fault on a CPU on its own tables: report it,
 * mark the CPU FAILED and park it (never returns); and TEST_TRESPASS. */
__attribute__((noreturn)) void fault_contain(struct percpu *pc, uint64_t address, uint64_t rip,
					     bool write);
int fault_trespass_command(struct percpu *pc, struct sidecar_command_page *page,
			   struct diag *d);
extern uint64_t params_page; /* the shim's parameter page (never read after the copy) */

/* kernel/gdt.c: load this CPU's own GDT and TSS. */
void gdt_init(struct percpu *pc);

/* kernel/protect.c: what CPUID offers (BSP, once); SMEP, SMAP, NX, CR0.WP
 * and CR0.AM on this CPU (every AP); the NX bit for page tables (0 without). */
void protect_probe(void);
void protect_init(void);
uint64_t protect_nx_bit(void);
const char *protect_summary(void); /* "SMEP SMAP NX": what is on */

/* kernel/fpu.c: the VP's FPU/SSE state. fpu_probe on the BSP, once (what
 * CPUID offers, the save area's size); fpu_init on every AP (CR0, CR4,
 * XCR0, the VP's initial state); fpu_enter/fpu_exit around the guest;
 * fpu_registers: GET/SET_VP_REGISTERS over every register name. */
void fpu_probe(void);
void fpu_init(struct percpu *pc);
/* "sidecar: VP FPU state by XSAVEOPT, 832 bytes, XCR0 0x7" */
void fpu_print_summary(void);
void fpu_enter(struct vp_state *vp);
void fpu_exit(struct vp_state *vp);
int fpu_registers(struct vp_state *vp, struct sidecar_registers *req, bool set, struct diag *d);

/* kernel/vp.c: RUN_VP and TRANSLATE_GVA; 0 or an error with d filled. */
int vp_run(struct percpu *pc, struct sidecar_command_page *page, struct diag *d);
int vp_translate_command(struct percpu *pc, struct sidecar_command_page *page, struct diag *d);
/* Check the guest memory a command names and make a view of it. */
int vp_memory_check(const struct sidecar_vp_memory *m, struct vp_memory_view *view,
		    struct diag *d);

/* kernel/vp_regs.c: what the sidecar will load into a VP (RIP canonical,
 * RFLAGS the guest's own bits); SET_VP_REGISTERS, all or nothing. */
bool vp_rip_canonical(uint64_t rip);
uint64_t vp_entry_rflags(uint64_t rflags);
int vp_check_entry(const uint64_t regs[VP_REGISTER_COUNT], struct diag *d);
int vp_set_registers(struct vp_state *vp, struct sidecar_registers *req, struct diag *d);

/* kernel/vp_entry.asm */
void vp_enter(struct vp_state *vp, struct tss *tss);
__attribute__((noreturn)) void vp_leave(uint64_t kernel_rsp);

/* kernel/vectors.asm */
extern const uint8_t irq_request_entry[], irq_spurious_entry[];
/* lib/irq_eoi.asm: EOI and return, for interrupts that only end a wait. */
extern const uint8_t irq_eoi_entry[];

/* This CPU's struct percpu, kept in GS base (IA32_GS_BASE, MSR 0xc0000101). */
static inline struct percpu *this_cpu(void)
{
	struct percpu *pc;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(pc));
	return pc;
}

#endif
