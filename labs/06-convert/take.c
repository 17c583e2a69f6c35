/*
 * Lab 6 - the main kernel takes CPUs from the sidecar, for good.
 *
 * Runs in linux-stub, on its BSP (the monitor's "convert"), interrupts off
 * while it waits.
 *
 * This is what Linux does in lab 7 when its driver's hot-plug callback runs
 * for "echo 1 > /sys/devices/system/cpu/cpuN/online": the CPU must leave the
 * sidecar (sidecar_remove(), then its answer, REMOVED, once it has parked
 * where an INIT can take it: remove.c), and only then may the main kernel
 * start it as one of its own, with INIT-SIPI-SIPI to its own trampoline
 * (smp_start_cpu()). Start it earlier and two kernels run one CPU. A CPU that
 * never answers must not hang the main kernel; one that did answer is no
 * sidecar CPU any more, and no command may ever be sent to it again. Once it
 * runs as linux-stub's, it may serve its node if no CPU of linux-stub's does
 * yet (lab 5's claim).
 *
 * Several CPUs may be taken at once ("convert 2 3 5"): each leaves in its
 * own time, and one that cannot leave must not keep the others.
 *
 * Implement: convert_take_cpus() (include/lab_stub.h).
 * Tests: lab 6's tests ("convert", "convert running", the convert of every
 * sidecar CPU).
 */
#include "lab_stub.h"

/* How long a CPU may take to leave: it may be in a guest, or in a command. */
#define REMOVE_TIMEOUT_NS 2000000000ull

int convert_take_cpus(struct convert_cpu *cpus, uint32_t n)
{
	// TODO(lab 6): take every CPU that can leave; one that cannot must not keep the others
	lab_todo(6, __func__);
}
