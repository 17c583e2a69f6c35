/*
 * stub.h - linux-stub/main.c: what linux-stub knows of its machine (struct
 * stub, filled once on the BSP from the zero page and ACPI), and its entry.
 * Each linux-stub/foo.c declares its own functions in linux-stub/foo.h.
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

/* The C entry on the BSP (linux-stub/head.asm), with the zero page. */
__attribute__((noreturn)) void stub_main(const struct boot_params *bp);

#endif
