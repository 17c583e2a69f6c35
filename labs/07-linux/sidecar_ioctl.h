/*
 * sidecar_ioctl.h - /dev/sidecar: what Linux's sidecar driver offers user space.
 *
 * Lab 7. The driver (sidecar_drv.c) owns the pages of include/sidecar.h;
 * the tool (sidecarctl.c) is the VMM and the operator's command line, and
 * asks the driver for everything through these ioctls on /dev/sidecar:
 *
 *   SIDECAR_IOC_INFO     the machine's CPUs, in MADT order (the CPU index
 *                        linux-stub uses), with APIC ID, node, sidecar state
 *                        and Linux's number for the same CPU
 *   SIDECAR_IOC_LOAD     give a sidecar CPU's VP its guest memory image
 *   SIDECAR_IOC_COMMAND  one round of the command protocol on one CPU
 *   SIDECAR_IOC_STOP     ask a running RUN_VP to return (RUN -> STOP)
 *   SIDECAR_IOC_REMOVE   ask a CPU to leave the sidecar, and wait until it has
 *
 * Guest memory stays the driver's: user space never learns a physical
 * address, so it cannot aim the sidecar at memory that is not the VP's. The
 * driver fills in the command page's memory description itself.
 *
 * Every struct has a fixed size (checked below), so the same header serves
 * the module (built with Kbuild) and the tool (static, glibc or musl).
 */
#ifndef SIDECAR_IOCTL_H
#define SIDECAR_IOCTL_H

#include "sidecar.h"
#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define SIDECAR_DEVICE "/dev/sidecar"

/* The guest memory the driver keeps for each sidecar CPU's VP: 64 KiB,
 * laid out by the VMM (linux-stub/vmm.h), and scratch pages for the
 * sidecar's real page tables. */
#define SIDECAR_IOC_GUEST_BYTES (64 * 1024)
#define SIDECAR_IOC_SCRATCH_PAGES 8

/* ---- INFO ------------------------------------------------------------------ */

#define SIDECAR_IOC_CPU_SIDECAR 0x1 /* the policy gave this CPU to the sidecar */
#define SIDECAR_IOC_NO_LINUX_CPU 0xffffffffu

struct sidecar_ioc_cpu {
	uint32_t apic_id;
	uint32_t node;
	uint32_t flags;     /* SIDECAR_IOC_CPU_* */
	uint32_t status;    /* sidecar CPUs: cpu_status (enum sidecar_cpu_status) now */
	uint32_t linux_cpu; /* Linux's CPU number for this APIC ID, or NO_LINUX_CPU */
	uint32_t reserved;
};
_Static_assert(sizeof(struct sidecar_ioc_cpu) == 24, "ioc cpu");

/* The CPU table goes to an array the caller names (cpus, capacity): at
 * SIDECAR_MAX_CPUS entries it is 48 KiB, more than an ioctl number's 14-bit
 * size field can describe. */
struct sidecar_ioc_info {
	uint32_t node_count;
	uint32_t cpu_count; /* out: entries 0 .. min(cpu_count, capacity) of cpus are filled */
	uint32_t started;   /* from the output page: CPUs the sidecar started */
	uint32_t failed;    /* ... and CPUs that never came up */
	uint64_t cpus;      /* in: user address of struct sidecar_ioc_cpu[capacity] */
	uint32_t capacity;  /* in */
	uint32_t reserved;
};
_Static_assert(sizeof(struct sidecar_ioc_info) == 32, "ioc info");

/* ---- LOAD ------------------------------------------------------------------ */

struct sidecar_ioc_load {
	uint32_t cpu;  /* CPU index */
	uint32_t size; /* bytes at data, at most SIDECAR_IOC_GUEST_BYTES; the rest is zeroed */
	uint64_t data; /* user address of the image of guest memory from GPA 0 */
};
_Static_assert(sizeof(struct sidecar_ioc_load) == 16, "ioc load");

/* ---- COMMAND --------------------------------------------------------------- */

#define SIDECAR_IOC_REQUEST_BYTES (SIDECAR_PAGE - 192) /* the command page's request area */
#define SIDECAR_IOC_DEFAULT_TIMEOUT_MS 2000

struct sidecar_ioc_command {
	/* in */
	uint32_t cpu;        /* CPU index */
	uint32_t command;    /* enum sidecar_command */
	uint32_t timeout_ms; /* 0: the default; a RUN_VP still running then is stopped */
	uint32_t reserved;
	uint64_t page_table; /* RUN_VP, TRANSLATE_GVA: GPA of the guest's PML4 */
	/* out */
	uint32_t error;      /* the command page's error flag ... */
	uint32_t status;     /* cpu_status when the driver let go */
	char error_text[112]; /* ... and why */
	/* in and out: the command page's request area (registers, translate, exit) */
	uint8_t request[SIDECAR_IOC_REQUEST_BYTES];
};
_Static_assert(__builtin_offsetof(struct sidecar_ioc_command, error) == 24, "ioc command out");
_Static_assert(__builtin_offsetof(struct sidecar_ioc_command, request) == 144, "ioc request");
_Static_assert(sizeof(struct sidecar_ioc_command) == 144 + SIDECAR_IOC_REQUEST_BYTES, "ioc cmd");

/* ---- STOP, REMOVE ---------------------------------------------------------- */

struct sidecar_ioc_cpu_request {
	uint32_t cpu;        /* CPU index */
	uint32_t timeout_ms; /* REMOVE: how long to wait for REMOVED (0: the default) */
};
_Static_assert(sizeof(struct sidecar_ioc_cpu_request) == 8, "ioc cpu request");

/* ---- BENCH (make bench) ---------------------------------------------------- */

/* Round trips measured in the driver, in nanoseconds: a no-op command
 * (SIDECAR_CMD_NONE) to a sidecar CPU, and Linux's own cross-CPU call,
 * smp_call_function_single() to an online Linux CPU, waited for. */
#define SIDECAR_IOC_BENCH_MAX_ROUNDS 10000
struct sidecar_ioc_bench {
	uint32_t cpu;        /* in: the sidecar CPU (index) */
	uint32_t rounds;     /* in: 1..SIDECAR_IOC_BENCH_MAX_ROUNDS */
	uint32_t linux_cpu;  /* out: the Linux CPU called (Linux's numbering) */
	uint32_t reserved;
	uint64_t sidecar_ns[3]; /* out: min, median, max */
	uint64_t linux_ns[3];   /* out: min, median, max */
};
_Static_assert(sizeof(struct sidecar_ioc_bench) == 64, "ioc bench");

/* The ioctl type byte: 0xb2 is free in Linux's list (Documentation/
 * userspace-api/ioctl/ioctl-number.rst). The number only ever reaches our
 * driver; being unique keeps strace's decoding and mistakes unambiguous. */
#define SIDECAR_IOC_MAGIC 0xb2
#define SIDECAR_IOC_INFO _IOR(SIDECAR_IOC_MAGIC, 1, struct sidecar_ioc_info)
#define SIDECAR_IOC_LOAD _IOW(SIDECAR_IOC_MAGIC, 2, struct sidecar_ioc_load)
#define SIDECAR_IOC_COMMAND _IOWR(SIDECAR_IOC_MAGIC, 3, struct sidecar_ioc_command)
#define SIDECAR_IOC_STOP _IOW(SIDECAR_IOC_MAGIC, 4, struct sidecar_ioc_cpu_request)
#define SIDECAR_IOC_REMOVE _IOW(SIDECAR_IOC_MAGIC, 5, struct sidecar_ioc_cpu_request)
#define SIDECAR_IOC_BENCH _IOWR(SIDECAR_IOC_MAGIC, 6, struct sidecar_ioc_bench)

#endif
