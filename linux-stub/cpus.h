/*
 * cpus.h - linux-stub/cpus.c: each CPU's state in words, linux-stub's or
 * the sidecar's.
 */
#ifndef CPUS_H
#define CPUS_H

#include "stub.h"

void cpus_init(void);
const char *cpu_state_name(enum cpu_state s);
const char *cpu_state_name_of(uint32_t cpu); /* linux, idle, failed, offline, ... */

#endif
