/*
 * percpu.h - the sidecar kernel's own data: each CPU's struct percpu, its
 * node, its GDT and TSS, and the window its private pages show through.
 * Types only; each kernel/foo.c declares its functions in kernel/foo.h.
 *
 * Which CPU runs what (as in OpenHCL's sidecar, init.rs vs vp.rs):
 *   BSP only   kernel/start.c   sidecar_start(): lay out memory, start APs,
 *                               wait, report, return to the shim
 *   every AP   kernel/ap.c      ap_main(): set up this CPU, check in, help
 *                               start the rest of the node, then idle
 *   every AP   labs 1-3         trampoline, INIT-SIPI-SIPI, fan-out, the
 *                               halt loop, IPIs (include/lab_sidecar.h)
 */
#ifndef PERCPU_H
#define PERCPU_H

#include "klib.h"
#include "sidecar.h"
#include "vp_state.h"
#include "x86.h"

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
/* this_cpu() below reads GS:0: self must come first. */
_Static_assert(__builtin_offsetof(struct percpu, self) == 0, "this_cpu() reads gs:0");
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

/* This CPU's struct percpu, kept in GS base (MSR_GS_BASE, include/x86.h). */
static inline struct percpu *this_cpu(void)
{
	struct percpu *pc;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(pc));
	return pc;
}

#endif
