/*
 * vmm_core.h - lib/portable/vmm_core.c: the VMM's portable core, guest
 * programs and guest memory. Linked into linux-stub and into lab 7's
 * sidecarctl, a Linux user-space program (it calls nothing but its
 * client's callbacks).
 *
 * book/design.md: a VP is a guest context the sidecar runs in ring 3;
 * the VMM (here, on the main kernel's CPU) supplies its memory, page tables
 * and registers through the command page and handles its exits.
 *
 * Two programs play the VMM: linux-stub (linux-stub/vmm.c, labs 4 to 6) and,
 * under Linux, sidecarctl (07-linux/sidecarctl.c, lab 7). What both do with
 * a guest is in lib/portable/vmm_core.c, declared at the end of this file.
 *
 * Guest memory, one 64 KiB block per sidecar CPU, allocated on first use:
 *
 *   GPA 0x0000  PML4  \
 *   GPA 0x1000  PDPT   | the guest's page tables (holding GPAs): they map
 *   GPA 0x2000  PD     | GVA GUEST_GVA_BASE + x -> GPA x for every page x in
 *   GPA 0x3000  PT    /  [0x4000, 0x10000), user, writable (and [0, 0x4000)
 *                         for a guest with GUEST_MAPS_ITS_TABLES)
 *   GPA 0x4000  the program (at most GUEST_PROGRAM_MAX bytes), entry here
 *      ...      free, then the stack, growing down from
 *   GPA 0x10000 (the stack top, GVA GUEST_GVA_BASE + 0x10000)
 *
 * GUEST_GVA_BASE is the sidecar's SIDECAR_GUEST_GVA_MIN (512 GiB): the
 * first 512 GiB of the address space are the sidecar's own. The guest
 * programs (linux-stub/guests/NAME.asm) are linked with "org 0x8000004000".
 */
#ifndef VMM_CORE_H
#define VMM_CORE_H

#include "klib.h"
#include "sidecar.h"

#define GUEST_GVA_BASE SIDECAR_GUEST_GVA_MIN
#define GUEST_MEMORY_SIZE KiB(64)
#define GUEST_PAGE_TABLE_GPA 0x0000ull /* PML4; PDPT, PD, PT follow */
#define GUEST_PROGRAM_GPA 0x4000ull
#define GUEST_PROGRAM_MAX 0xb000ull    /* leaves at least a page of stack */
#define GUEST_ENTRY (GUEST_GVA_BASE + GUEST_PROGRAM_GPA)
#define GUEST_STACK_TOP (GUEST_GVA_BASE + GUEST_MEMORY_SIZE)
#define GUEST_SCRATCH_PAGES 8          /* for the sidecar's real page tables */

/* The guests built into linux-stub (linux-stub/guests.asm). */
struct guest {
	const char *name;
	const uint8_t *image;
	uint64_t size;
	uint64_t flags; /* GUEST_MAPS_ITS_TABLES */
};
/* The VMM also maps the guest's page tables (GPA 0x0000-0x3fff) into it, at
 * GVA GUEST_GVA_BASE + GPA, writable: a guest that edits the tables it runs
 * on (linux-stub/guests/selfmap.asm). */
#define GUEST_MAPS_ITS_TABLES 0x1
extern const struct guest guest_table[]; /* ended by a NULL name */

/* The hypercalls the VMM answers (vmcall with the number in rax; every
 * other number answers 0). A C guest's start code makes this one with
 * main's return value (linux-stub/guests/rt/guest.h). */
#define GUEST_CALL_RESULT 0x100 /* rdi: 0 success, else a failure code */

/* The limits of one run, the same in both VMMs. */
#define DEFAULT_RUN_MS 5000
#define MAX_RUN_MS 600000
#define MAX_EXITS 10000 /* bounds a run whose guest exits forever */

/* ---- the VMM's portable core (lib/portable/vmm_core.c) ---------------------------------- */

/*
 * The VMM that uses the core, and the one sidecar CPU it talks to. The core
 * prints and reaches the VP only through these callbacks: linux-stub passes
 * kprintf and a GET/SET by command page; sidecarctl passes printf (errors to
 * stderr) and a GET/SET by ioctl.
 */
struct vmm_client {
	uint32_t cpu; /* the machine's CPU number, as in every output line */
	/* Output, as kprintf: a format and its arguments. */
	void (*print)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* An error line, whole ("error: ...\n"): where the VMM's errors go. */
	void (*print_error)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* GET (set = false) or SET the n registers in names[] (enum
	 * vp_register), n <= SIDECAR_MAX_REGISTERS: one request;
	 * vmm_registers() splits longer lists. 0, or -1 once the error is
	 * printed. */
	int (*registers)(const struct vmm_client *c, bool set, const uint32_t *names,
			 uint64_t *values, uint32_t n);
	void *ctx; /* the VMM's own, for its callbacks */
};

/* How a run goes on after an exit, or how it ended. */
enum run_outcome {
	RUN_ON,     /* handled: run the VP again */
	RUN_HALTED, /* hlt: the guest is done */
	RUN_STOPPED,
	RUN_MMIO,      /* an MMIO exit the guest did not expect */
	RUN_EXCEPTION, /* an exception the guest did not expect */
	RUN_TIMED_OUT, /* the time was up between two exits */
	RUN_EXIT_LIMIT,
	RUN_FAILED, /* a command failed or the exit made no sense: an error was printed */
};

/* What the guest writes to its serial port, printed a line at a time as
 * "[cpu N] text". Starts zeroed. */
struct guest_console {
	size_t n;
	char line[120];
};

/* Fill memory (GUEST_MEMORY_SIZE bytes, page aligned) for guest g: the page
 * tables of the layout above, then the program. g->size is at most
 * GUEST_PROGRAM_MAX (the caller checks). */
void vmm_build_guest(uint8_t *memory, const struct guest *g);
/* A fresh VP's registers: rip at the entry, rsp at the stack top, IF on,
 * FCW and MXCSR as after a reset (0x37f, 0x1f80: every exception masked),
 * everything else 0. */
void vmm_reset_registers(uint64_t values[VP_REGISTER_COUNT]);
/* GET (set = false) or SET the n registers in names[], any n: split into
 * requests of at most SIDECAR_MAX_REGISTERS, in order, through
 * c->registers, as OpenHCL's sidecar_client splits its register lists.
 * 0, or -1 (printed) at the first request that fails. */
int vmm_registers(const struct vmm_client *c, bool set, const uint32_t *names, uint64_t *values,
		  uint32_t n);
/* Every register name, 0 .. VP_REGISTER_COUNT - 1. */
int vmm_all_registers(const struct vmm_client *c, bool set, uint64_t values[VP_REGISTER_COUNT]);
/* Handle the exit e (a copy, not shared memory); set *answer for the next
 * RUN_VP. Guest output collects in con. */
enum run_outcome vmm_handle_exit(const struct vmm_client *c, const struct sidecar_vp_exit *e,
				 struct sidecar_vp_exit *answer, struct guest_console *con);
/* Print what is left in con: at the end of a run. */
void vmm_console_flush(const struct vmm_client *c, struct guest_console *con);
/* The words for an outcome in "run: cpu N guest G: halted after 35 exits". */
const char *vmm_outcome_name(enum run_outcome outcome);
/* The guest called name in guest_table, or NULL. */
const struct guest *vmm_find_guest(const char *name);
/* A command's name for messages: "RUN_VP". */
const char *vmm_command_name(uint32_t command);
/* All of a VP's registers, four to a line: "regs: cpu N rax 0x... rcx ...". */
void vmm_print_registers(const struct vmm_client *c, const uint64_t values[VP_REGISTER_COUNT]);

#endif
