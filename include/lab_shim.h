/*
 * lab_shim.h - the shim's lab API: lab 5's CPU policy and memory
 * placement. They run in the shim, on the BSP with interrupts off, before
 * any other CPU starts, and are portable C (the host unit tests link them).
 * Each is declared beside the policy that calls it, in include/numa.h:
 *   numa_split_nodes(), numa_assign_cpus(), numa_alloc_node_block()
 */
#ifndef LAB_SHIM_H
#define LAB_SHIM_H

#include "lab.h"
#include "numa.h"

#endif
