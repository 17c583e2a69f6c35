/*
 * sidecar_ioctl.h - /dev/sidecar: what Linux's sidecar driver offers user space.
 *
 * Lab 7. The driver (sidecar_drv.c) owns the pages of include/sidecar.h;
 * the tool (sidecarctl.c) is the VMM and the operator's command line. As
 * OpenHCL's VMM does with its driver (OHCL-Linux-Kernel,
 * drivers/hv/mshv_vtl_sidecar.c), the VMM maps each CPU's command page and
 * writes requests and reads replies there itself: nothing of the page is
 * copied through an ioctl. Each open file of /dev/sidecar is one VP:
 *
 *   SIDECAR_IOC_SELECT   make this file the VMM's handle on one sidecar CPU
 *                        (one file at a time per CPU: -EBUSY for a second);
 *                        then mmap() offset SIDECAR_MAP_COMMAND (one page) is
 *                        its command page and offset SIDECAR_MAP_GUEST (up to
 *                        SIDECAR_IOC_GUEST_BYTES) its VP's guest memory
 *   SIDECAR_IOC_START    start the command the page holds and return at once
 *                        (-EBUSY if one is still outstanding: the page is not
 *                        touched); poll() says POLLIN when it has finished,
 *                        read() of a uint32_t collects it: the CPU's status
 *   SIDECAR_IOC_STOP     ask a running RUN_VP to return (RUN -> STOP), from
 *                        any file and any thread
 *   SIDECAR_IOC_INFO     the machine's CPUs, in MADT order (the CPU index
 *                        linux-stub uses), with APIC ID, node, sidecar state
 *                        and Linux's number for the same CPU; the response IRQ
 *   SIDECAR_IOC_BENCH    make bench: round trips measured in the driver
 *
 * A CPU leaves the sidecar only through Linux's CPU hot-plug: echo 1 >
 * /sys/devices/system/cpu/cpuN/online runs the driver's callback, which
 * stops it, removes it and waits for REMOVED before Linux starts it.
 *
 * Guest memory is the driver's: it describes it to the sidecar (the page's
 * memory field) itself at every START, so a VMM never names a physical
 * address. The VMM is trusted with the page it maps (the device is root's
 * only), as OpenHCL's VMM is.
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
 * laid out by the VMM (include/vmm_core.h), and scratch pages for the
 * sidecar's real page tables (not mapped to user space). */
#define SIDECAR_IOC_GUEST_BYTES (64 * 1024)
#define SIDECAR_IOC_SCRATCH_PAGES 8

/* mmap() offsets of a selected file. */
#define SIDECAR_MAP_COMMAND 0            /* the command page: exactly one page */
#define SIDECAR_MAP_GUEST SIDECAR_PAGE   /* guest memory from GPA 0 */

/* ---- INFO ------------------------------------------------------------------ */

#define SIDECAR_IOC_CPU_SIDECAR 0x1 /* the policy gave this CPU to the sidecar */
#define SIDECAR_IOC_CPU_BUSY 0x2    /* a command was started and not yet collected */
#define SIDECAR_IOC_CPU_GONE 0x4    /* the hot-plug callback took it from the sidecar */
#define SIDECAR_IOC_NO_LINUX_CPU 0xffffffffu

struct sidecar_ioc_cpu {
	uint32_t apic_id;
	uint32_t node;
	uint32_t flags;     /* SIDECAR_IOC_CPU_* */
	uint32_t status;    /* sidecar CPUs: cpu_status (enum sidecar_cpu_status) now */
	uint32_t linux_cpu; /* Linux's CPU number for this APIC ID, or NO_LINUX_CPU */
	uint32_t remove_us; /* GONE: how long the hot-plug callback took to remove it */
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
	uint32_t irq;       /* out: Linux's IRQ the responses arrive on; 0: the driver polls */
	uint32_t vector;    /* out: ... its vector ... */
	uint32_t irq_apic;  /* out: ... and the APIC ID of the CPU it is delivered to */
	uint64_t responses; /* out: response interrupts the driver has handled */
};
_Static_assert(sizeof(struct sidecar_ioc_info) == 48, "ioc info");

/* ---- SELECT, START, STOP ----------------------------------------------------- */

struct sidecar_ioc_cpu_request {
	uint32_t cpu;        /* CPU index */
	uint32_t reserved;
};
_Static_assert(sizeof(struct sidecar_ioc_cpu_request) == 8, "ioc cpu request");

/* START: the command (enum sidecar_command) is here, not in the page, so the
 * driver checks it; the request area is the page's, written by the VMM. */
struct sidecar_ioc_start {
	uint32_t command;
	uint32_t reserved;
	uint64_t page_table; /* RUN_VP, TRANSLATE_GVA: GPA of the guest's PML4 */
};
_Static_assert(sizeof(struct sidecar_ioc_start) == 16, "ioc start");

/* ---- BENCH (make bench) ---------------------------------------------------- */

/* Round trips measured in the driver, in nanoseconds (min, median, max), of
 * a no-op command (SIDECAR_CMD_NONE) to a sidecar CPU waited for three ways,
 * and of Linux's own cross-CPU call, smp_call_function_single() to an online
 * Linux CPU, waited for (it spins). */
#define SIDECAR_IOC_BENCH_MAX_ROUNDS 10000
struct sidecar_ioc_bench {
	uint32_t cpu;        /* in: the sidecar CPU (index); no file may have it selected */
	uint32_t rounds;     /* in: 1..SIDECAR_IOC_BENCH_MAX_ROUNDS */
	uint32_t linux_cpu;  /* out: the Linux CPU called (Linux's numbering) */
	uint32_t reserved;
	uint64_t spin_ns[3];  /* out: spinning on the status */
	uint64_t irq_ns[3];   /* out: asleep until the response interrupt wakes us (0: no IRQ) */
	uint64_t poll_ns[3];  /* out: usleep_range(20, 100) between looks */
	uint64_t linux_ns[3]; /* out: smp_call_function_single(..., wait = 1) */
};
_Static_assert(sizeof(struct sidecar_ioc_bench) == 112, "ioc bench");

/* The ioctl type byte: 0xb2 is free in Linux's list (Documentation/
 * userspace-api/ioctl/ioctl-number.rst). The number only ever reaches our
 * driver; being unique keeps strace's decoding and mistakes unambiguous. */
#define SIDECAR_IOC_MAGIC 0xb2
#define SIDECAR_IOC_INFO _IOR(SIDECAR_IOC_MAGIC, 1, struct sidecar_ioc_info)
#define SIDECAR_IOC_SELECT _IOW(SIDECAR_IOC_MAGIC, 2, struct sidecar_ioc_cpu_request)
#define SIDECAR_IOC_START _IOW(SIDECAR_IOC_MAGIC, 3, struct sidecar_ioc_start)
#define SIDECAR_IOC_STOP _IOW(SIDECAR_IOC_MAGIC, 4, struct sidecar_ioc_cpu_request)
#define SIDECAR_IOC_BENCH _IOWR(SIDECAR_IOC_MAGIC, 6, struct sidecar_ioc_bench)

#endif
