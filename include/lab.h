/*
 * lab.h - the labs' contracts: every function labs 1 to 6 write, by lab,
 * and what the untouched skeletons call (lib/runtime/lab.c). Lab 0's walkers are
 * declared beside the parsers that call them (include/mb2.h, acpi.h,
 * bootparam.h), lab 5's placement beside the shim's policy (include/numa.h).
 * All lab files go into one library that every image links (build/lab.a):
 * a function here may run in the sidecar, in linux-stub or in the shim, and
 * each contract says where.
 *
 * Every function a student writes starts life (in labs/) as a call to
 * lab_todo(). It names the lab and the function and stops: in QEMU it prints
 * "lab N: <function>() is not implemented yet" and leaves QEMU with a failure
 * status; in a host unit test it prints the same line and aborts that test.
 * So an unfinished tree boots as far as it can, names the first missing
 * piece, and never hangs.
 */
#ifndef LAB_H
#define LAB_H

#include "diag.h"
#include "sidecar.h"
#include "vp_state.h"

struct node;   /* kernel/percpu.h */
struct percpu;

__attribute__((noreturn)) void lab_todo(int lab, const char *function);

/*
 * Some lab functions sit on the boot path of earlier labs (lab 5's CPU
 * policy runs in every boot). Their skeletons do something simple instead of
 * stopping, and say so once: "lab 5: numa_assign_cpus() is not implemented
 * yet; <what happens instead>".
 */
void lab_fallback(int lab, const char *function, const char *instead);

/* ---- the sidecar's side (labs 1, 2, 3, 4, 6) ------------------------------ */

/* Lab 1 (labs/01-apstart/): */
/* INIT-SIPI-SIPI to n CPUs with one set of waits; delivered[c]: every IPI
 * to apic_ids[c] went out. -1 for a trampoline page a SIPI cannot name.
 * ap_send_init_sipi() below is the same for one CPU. */
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

/* ---- used by every image (labs 1 and 3) -------------------------------------- */

/*
 * Lab 1 (labs/01-apstart/startup.c): start the CPU with this APIC ID at the
 * real-mode trampoline in trampoline_page (below 1 MiB) with INIT and two
 * Startup IPIs. 0, or -1 if an IPI was not delivered. The sidecar starts
 * its CPUs with it, and linux-stub its own.
 */
int ap_send_init_sipi(uint32_t apic_id, uint64_t trampoline_page);

/*
 * Lab 3 (labs/03-ipi/ipi.c): send a fixed interrupt with this vector to the
 * CPU with this APIC ID; 0, or -1 when the vector is invalid, the delivery
 * never completed or the APIC reported an error (ESR).
 */
int ipi_send(uint32_t apic_id, uint8_t vector);

/* ---- lab 4: the VP's pieces (portable: the unit tests link them) ---------- */

/*
 * Lab 4 (labs/04-command/gva.c): walk the guest's 4-level page tables for
 * gva. Returns 0 with *gpa (and *writable: every level has W set), or a
 * negative error with d naming the problem: a non-canonical address, a GVA
 * the sidecar reserves (below SIDECAR_GUEST_GVA_MIN or at/above
 * SIDECAR_GUEST_GVA_LIMIT), a table or page outside guest memory, a large
 * page, or a level that is not present.
 */
int vp_translate(const struct vp_memory_view *m, uint64_t gva, uint64_t *gpa, bool *writable,
		 struct diag *d);

/*
 * Lab 4 (labs/04-command/decode.c): the instruction that faulted in ring 3
 * (#GP or #UD), as bytes from the guest's RIP. If it is one the VMM handles
 * - in/out (with an imm8 port or DX, byte or word/dword), hlt, vmcall - fill
 * exit (reason, port, size, write, value for out, instruction_length) and
 * return 0; else return -1 (the framework reports an exception exit).
 */
int vp_decode_instruction(const uint8_t *code, size_t n, uint64_t rax, uint64_t rdx,
			  struct sidecar_vp_exit *exit);

/*
 * Lab 4 (labs/04-command/registers.c): GET (set = false) or SET the
 * registers named in req (at most SIDECAR_MAX_REGISTERS, each name below
 * VP_REGISTER_COUNT) from or into regs. The request comes from shared
 * memory: copy the count and each name once, check them, and only then use
 * them. RIP and RFLAGS are stored as given: for SET the framework calls
 * this on a copy and checks the copy (kernel/vp_regs.c) before keeping it,
 * then checks the FPU values and segment bases (kernel/fpu.c).
 */
int vp_registers(uint64_t regs[VP_REGISTER_COUNT], struct sidecar_registers *req, bool set,
		 struct diag *d);

/* ---- the main kernel's side (labs 3, 5, 6): linux-stub, as a sidecar client */

/*
 * Lab 3 (labs/03-ipi/wake.c): ask the CPU in cpu_status[slot] of this control
 * page to run its command: IDLE -> RUN, then the request IPI to apic_id.
 * Returns 0, or -1 if the CPU was not IDLE or the IPI failed.
 */
int sidecar_wake(struct sidecar_control *control, uint32_t slot, uint32_t apic_id);

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
 * Lab 5: after a response IPI (or a tick), find which of the n CPUs in
 * slots[] that have not answered yet (done[i] false) are IDLE again: mark
 * them done and return how many. Clear needs_attention before looking, so a
 * CPU finishing meanwhile raises it again and is not missed.
 */
uint32_t client_collect(struct sidecar_control *control, const uint32_t *slots, uint32_t n,
			bool *done);

#endif
