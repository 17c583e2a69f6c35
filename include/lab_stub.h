/*
 * lab_stub.h - linux-stub's lab API: the client's side of the sidecar
 * (labs 3, 5 and 6), and what those files may call. Every function here
 * runs on one of linux-stub's CPUs: the BSP, which spins where it waits,
 * or a CPU that serves a node, which halts.
 */
#ifndef LAB_STUB_H
#define LAB_STUB_H

#include "lab.h"
#include "console.h"          /* kprintf */
#include "sidecar_protocol.h" /* the status word's loads and compare-and-swaps */

/* linux-stub/smp.c: wait for something to change: halt on linux-stub's APs
 * (an interrupt wakes them: a response IPI, work, or the 100 Hz tick), spin
 * on the BSP. Call with interrupts disabled, after checking the condition. */
void smp_wait(void);

/*
 * Lab 3 (labs/03-ipi/wake.c): ask the CPU in cpu_status[slot] of this control
 * page to run its command: IDLE -> RUN, then the request IPI to apic_id.
 * Returns 0, or -1 if the CPU was not IDLE or the IPI failed.
 */
int sidecar_wake(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

/*
 * Lab 3 (labs/03-ipi/wake.c): ask the command running on cpu_status[slot]
 * to return: RUN -> STOP, then the request IPI to apic_id. 0 when asked, 1
 * when the CPU was not running (it already answered: nothing is sent), -1
 * when the IPI failed.
 */
int client_stop(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

/*
 * Lab 3 (labs/03-ipi/wake.c): wait until cpu_status[slot] is status or the
 * deadline (timer_ns) passes; true if it got there. Called with interrupts
 * on or off, and returns with them as they were; halted (smp_wait) on
 * linux-stub's APs, which a response IPI or the tick wakes, spinning on
 * the BSP.
 */
bool client_wait_status(struct sidecar_control *control, uint32_t slot, uint32_t status,
			uint64_t deadline_ns);

/*
 * Lab 3 (labs/03-ipi/mailbox.c): linux-stub's own cross-CPU calls. One piece
 * of work; it waits while posted != done (both only ever grow).
 */
struct mailbox {
	void (*work)(void *);
	void *arg;
	uint32_t posted, done; /* atomic */
};
/* Hand work(arg) to the CPU with apic_id, which serves m, and send it vector.
 * 0; 1 if the work is posted but the IPI failed (it then runs when that CPU
 * next wakes: its tick); -1, nothing posted, if m still holds unfinished
 * work. */
int mailbox_post(struct mailbox *m, uint32_t apic_id, uint8_t vector, void (*work)(void *),
		 void *arg);
/* The serving CPU, for good: run each posted work with interrupts on, then
 * mark it done; halt in between without missing a post. */
__attribute__((noreturn)) void mailbox_serve(struct mailbox *m);
/* Wait (spinning) until m's work is done: 0, or -1 at deadline_ns. */
int mailbox_join(const struct mailbox *m, uint64_t deadline_ns);

/*
 * Lab 6 (labs/06-convert/convert.c): ask the CPU in cpu_status[slot] to
 * leave the sidecar: IDLE, RUN or STOP -> REMOVE, then the request IPI.
 * Returns 0, or -1 if the CPU cannot be removed (FAILED, REMOVE, REMOVED) or
 * the IPI failed.
 */
int sidecar_remove(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

/*
 * Lab 5 (labs/05-numa/attention.c): make the CPU with apic_id this node's
 * response CPU: sidecar CPUs of the node send vector to it when they finish
 * a command (response_cpu, then response_vector, which turns it on).
 */
void numa_serve_node(struct sidecar_control *control, uint32_t apic_id, uint32_t vector);

/*
 * Lab 5 (labs/05-numa/attention.c): cpu (one of linux-stub's, running, with
 * apic_id) offers to serve sidecar node `node`, whose control page is control
 * (NULL: no sidecar CPU there). The first offer wins and returns true; its
 * CPU takes the node's response IPIs on vector (numa_serve_node), or polls
 * when vector is 0 (the BSP, which watches the console). Any CPU may call
 * it, at any time, several at once.
 */
bool numa_claim_node(struct sidecar_control *control, uint32_t node, uint32_t cpu,
		     uint32_t apic_id, uint32_t vector);
/* Lab 5: the CPU that serves node, or -1 if none claimed it. */
int numa_node_server(uint32_t node);

/*
 * Lab 5: after a response IPI (or a tick), find which of the n CPUs in
 * slots[] that have not answered yet (done[i] false) are IDLE again: mark
 * them done and return how many. Clear needs_attention before looking, so a
 * CPU finishing meanwhile raises it again and is not missed.
 */
uint32_t client_collect(struct sidecar_control *control, const uint32_t *slots, uint32_t n,
			bool *done);

/*
 * Lab 6 (labs/06-convert/take.c): take n sidecar CPUs for linux-stub: REMOVE
 * each, wait (with a deadline) until it has parked, then start it as
 * linux-stub's own. Each cpus[i].result: 0 when it runs as linux-stub's, -1
 * (said why) otherwise. Returns 0 when every one was taken, else -1.
 */
struct convert_cpu {
	struct sidecar_control *control; /* its node's control page */
	uint32_t slot;                   /* its cpu_status[] there */
	uint32_t cpu, apic_id;           /* the machine CPU, and its APIC ID */
	int result;
};
int convert_take_cpus(struct convert_cpu *cpus, uint32_t n);

/* ---- linux-stub's own functions a lab may call ------------------------------ */

/* linux-stub/sidecar_client.c: cpu is no sidecar CPU any more (converted):
 * no command may be sent to it again. Only for a CPU that reported REMOVED:
 * for any other it says "linux-stub: cpu N forgotten while it is ...", and
 * every graded boot fails on that line. */
void sidecar_forget(uint32_t cpu);
/* linux-stub/sidecar_client.c: cpu, one of linux-stub's and running, becomes
 * the server of its sidecar node if the node has none yet (lab 5's
 * numa_claim_node). True if it did. */
bool sidecar_claim_node(uint32_t cpu);
/* linux-stub/smp.c: start machine CPU cpu as linux-stub's, with INIT-SIPI-SIPI
 * to linux-stub's trampoline; 0 once it runs, -1 (said why) otherwise. */
int smp_start_cpu(uint32_t cpu);

#endif
