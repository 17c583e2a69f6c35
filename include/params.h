/*
 * params.h - checking the parameter page before the sidecar believes it.
 *
 * The sidecar's BSP (kernel/start.c) copies the shim's parameter page into
 * its own memory once, at the start of sidecar_start(), and from then on
 * reads only the copy: the shim's page may change or vanish (another CPU, a
 * bug, a page the main kernel reuses) without changing what the sidecar
 * believes. sidecar_params_check() then checks the copy, once; everything
 * after it relies on what it checked. Every sum it forms is guarded so that
 * it cannot wrap: first_cpu + cpu_count in 32 bits, memory_base + need and
 * output_page + its size in 64 bits, and the products (cpu_count * pages,
 * start_timeout_us * 1000, us * tsc_khz) have their factors bounded first.
 *
 * lib/portable/params.c; built into the sidecar and, for the unit tests
 * (tests/unit/test_params.c), on the host.
 */
#ifndef PARAMS_H
#define PARAMS_H

#include "diag.h"
#include "sidecar.h"

/* The longest AP start timeout the sidecar accepts: its deadlines are this
 * times 4, in nanoseconds, which must fit in 64 bits with room to spare. */
#define SIDECAR_MAX_START_TIMEOUT_US 60000000ull /* 60 s */
/* The fastest TSC the sidecar believes in, 100 GHz: the delays multiply
 * microseconds by tsc_khz (lib/runtime/timer.c), which must not wrap either. */
#define SIDECAR_MAX_TSC_KHZ 100000000ull
/* Where the output page must lie: the sidecar writes it on the shim's page
 * tables, which map the first 4 GiB. */
#define SIDECAR_OUTPUT_LIMIT GiB(4)
/* Where a node's memory may lie: above the first MiB (the trampoline's and
 * the firmware's), and below 128 TiB, the top of the lower canonical half,
 * which 4-level paging can identity map (SDM vol. 3A 4.5; kernel/paging.c
 * maps node memory above 4 GiB into the boot tables). */
#define SIDECAR_NODE_MEMORY_FLOOR MiB(1)
#define SIDECAR_NODE_MEMORY_LIMIT (1ull << 47)

/* 0, or a negative error with d naming the field and its value. The first
 * checks only output_page (where the sidecar writes its errors); the second
 * checks everything, output_page included. */
int sidecar_params_check_output(const struct sidecar_params *p, struct diag *d);
int sidecar_params_check(const struct sidecar_params *p, struct diag *d);

#endif
