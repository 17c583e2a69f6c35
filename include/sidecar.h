/*
 * sidecar.h - the sidecar ABI: every page the shim, the sidecar kernel and
 * the main kernel (linux-stub or Linux's driver) share.
 *
 * Modelled on OpenHCL's sidecar_defs: only layouts live here, each with its
 * size checked. Pages are physical memory seen by several kernels at once, so
 * every field that changes after boot is read and written with __atomic
 * builtins and the memory order the protocol states:
 *
 *   client (main kernel)                      sidecar CPU
 *   write the command page
 *   store cpu_status = RUN   (release)  --->  load cpu_status    (acquire)
 *   send the request IPI                      run the command, write the reply
 *                                             store cpu_status = IDLE (release)
 *   load cpu_status          (acquire)  <---  set needs_attention, response IPI
 *
 * Pages:
 *   parameter page  shim -> sidecar: the machine and which CPUs to start
 *   output page     sidecar -> shim -> main kernel: where everything is
 *   control page    one per NUMA node: the status of each of its CPUs
 *   command page    one per CPU: the command and its reply
 */
#ifndef SIDECAR_H
#define SIDECAR_H

#include <stdint.h>

#define SIDECAR_ABI_VERSION 1
/* OpenHCL's limits (openhcl/sidecar_defs: 2048 CPUs; its boot shim cuts the
 * machine into at most 128 sidecar nodes). */
#define SIDECAR_MAX_NODES 128
#define SIDECAR_MAX_CPUS 2048
#define SIDECAR_PAGE 4096

/* The sidecar image: a flat binary that starts with this header. */
#define SIDECAR_IMAGE_MAGIC 0x5241434544495353ull /* "SSIDECAR" */
struct sidecar_image_header {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t header_size;
	uint64_t load_address; /* linked there; the shim copies it there */
	uint64_t file_size;    /* bytes in the file */
	uint64_t memory_size;  /* bytes from load_address it needs, .bss included */
	uint64_t bsp_entry;    /* absolute address of sidecar_start() */
};
_Static_assert(sizeof(struct sidecar_image_header) == 48, "image header");

/* Where the shim puts the sidecar image: a hole at the end of the shim's own
 * image (shim/shim.ld), so GRUB never puts a module there. */
#define SIDECAR_IMAGE_BASE 0x200000ull
#define SIDECAR_IMAGE_MAX 0x200000ull

/*
 * A node's memory block, laid out by the sidecar:
 *   control page | one command page per CPU of the node | per sidecar CPU:
 *   two stack pages (its struct percpu at the top of the second) and the four
 *   page-table pages of its own address space (PML4, PDPT, PD, PT: kernel/
 *   paging.c), so a sidecar CPU costs 7 pages, 28 KiB, page tables included
 *   (OpenHCL's costs 52 KiB; a Linux CPU about 1 MiB). The IDT is one page
 *   the sidecar CPUs share, read-only once they run on their own tables.
 */
#define SIDECAR_STACK_PAGES 2
#define SIDECAR_PAGE_TABLE_PAGES 4
#define SIDECAR_PRIVATE_PAGES (SIDECAR_STACK_PAGES + SIDECAR_PAGE_TABLE_PAGES)
#define SIDECAR_BYTES_PER_CPU ((1 + SIDECAR_PRIVATE_PAGES) * SIDECAR_PAGE)
#define SIDECAR_NODE_BYTES(cpus, started) \
	(SIDECAR_PAGE * (1 + (uint64_t)(cpus)) + (uint64_t)(started) * SIDECAR_PRIVATE_PAGES * SIDECAR_PAGE)

/* Interrupt vectors the sidecar uses unless told otherwise. */
#define SIDECAR_REQUEST_VECTOR 0xf0
#define SIDECAR_SPURIOUS_VECTOR 0xff

/* ---- parameter page (shim -> sidecar) ---------------------------------- */

struct sidecar_param_node {
	uint64_t memory_base; /* memory the shim reserved for this node's pages */
	uint64_t memory_size;
	uint32_t first_cpu; /* index into cpus[] of the node's first CPU */
	uint32_t cpu_count; /* the node's CPUs are cpus[first_cpu .. +cpu_count) */
};
_Static_assert(sizeof(struct sidecar_param_node) == 24, "param node");

struct sidecar_param_cpu {
	uint32_t apic_id;
	uint16_t node;
	uint8_t start; /* 1: the sidecar starts this CPU; 0: it belongs to the main kernel */
	uint8_t reserved;
};
_Static_assert(sizeof(struct sidecar_param_cpu) == 8, "param cpu");

#define SIDECAR_LOG 0x1          /* flags: the sidecar prints what it does */
#define SIDECAR_SERIAL_START 0x2 /* the BSP starts every AP itself (no fan-out): for comparison */
#define SIDECAR_MODERN_DELAYS 0x4 /* Linux's INIT-SIPI delays for modern CPUs (lib/runtime/lapic.c) */
#define SIDECAR_TEST_COMMANDS 0x8 /* accept SIDECAR_CMD_TEST_TRESPASS (shim option test_commands) */
#define SIDECAR_TRACE_ICR 0x10    /* record every ICR write of the bring-up and print them (trace_icr) */
#define SIDECAR_RACE_WINDOWS 0x20 /* widen the halt's race window, for tests (race_windows, include/halt.h) */

struct sidecar_params {
	uint32_t abi_version;
	uint32_t flags;
	uint32_t node_count;
	uint32_t cpu_count;
	uint64_t tsc_khz;          /* measured by the shim */
	uint64_t trampoline_page;  /* a free page below 1 MiB for the AP trampoline */
	uint64_t local_apic_base;  /* from the MADT, normally 0xfee00000 */
	uint64_t start_timeout_us; /* how long to wait for an AP before FAILED */
	uint64_t output_page;      /* where the sidecar writes struct sidecar_output */
	uint8_t reserved[8];
	struct sidecar_param_node nodes[SIDECAR_MAX_NODES];
	struct sidecar_param_cpu cpus[SIDECAR_MAX_CPUS];
};
_Static_assert(__builtin_offsetof(struct sidecar_params, nodes) == 64, "params header");
/* 64 + 128 * 24 + 2048 * 8 = 19520 bytes: five pages, contiguous. */
#define SIDECAR_PARAM_PAGES 5
_Static_assert(sizeof(struct sidecar_params) == 19520, "params size");
_Static_assert(sizeof(struct sidecar_params) <= SIDECAR_PARAM_PAGES * SIDECAR_PAGE &&
		       sizeof(struct sidecar_params) > (SIDECAR_PARAM_PAGES - 1) * SIDECAR_PAGE,
	       "SIDECAR_PARAM_PAGES is the parameter block's size in pages");

/* ---- output page (sidecar -> shim -> main kernel) ---------------------- */

struct sidecar_output_node {
	uint64_t control_page;  /* physical address of struct sidecar_control */
	uint64_t command_pages; /* physical address of the node's first command page */
	uint32_t cpu_count;     /* command pages are one per CPU of the node, in order */
	uint32_t reserved;
};
_Static_assert(sizeof(struct sidecar_output_node) == 24, "output node");

struct sidecar_output {
	char error[128];     /* empty when the sidecar started */
	uint32_t node_count;
	uint32_t cpu_count;
	uint32_t bytes_per_cpu; /* memory the sidecar reserved per CPU it started */
	uint32_t started;       /* CPUs now IDLE */
	uint32_t failed;        /* CPUs marked FAILED */
	uint32_t page_table_bytes_per_cpu; /* of bytes_per_cpu: its own page tables */
	uint64_t start_tsc;     /* when sidecar_start() began */
	uint64_t done_tsc;      /* when every CPU was IDLE or FAILED */
	/* The BSP's INIT-SIPI-SIPI to the nodes' first CPUs (kernel/ap.c,
	 * ap_start_all_and_wait): TSC ticks spent sending, waits included, and
	 * to how many CPUs. One round with one set of waits takes one INIT wait
	 * however many nodes there are; a round per CPU takes one per node. */
	uint64_t first_round_tsc;
	uint32_t first_round_cpus;
	uint32_t reserved;
	struct sidecar_output_node nodes[SIDECAR_MAX_NODES];
	struct {
		uint32_t apic_id;
		uint16_t node;
		uint16_t slot;    /* index in its node's cpu_status[] and command pages */
		uint32_t sidecar; /* 1: a sidecar CPU; 0: the main kernel's */
		uint32_t starter_apic_id; /* the CPU that sent it INIT-SIPI-SIPI */
	} cpus[SIDECAR_MAX_CPUS]; /* in parameter-page order */
	uint64_t checkin_tsc[SIDECAR_MAX_CPUS]; /* when each CPU reported IDLE */
	/* The bring-up timeline (make bench draws it): when each CPU's starter
	 * began its INIT-SIPI-SIPI, and when the CPU reached C code (ap_main). */
	uint64_t init_tsc[SIDECAR_MAX_CPUS];
	uint64_t up_tsc[SIDECAR_MAX_CPUS];
};
/* 184 + 128 * 24 + 2048 * (16 + 3 * 8) = 85176 bytes: 21 pages, contiguous. */
#define SIDECAR_OUTPUT_PAGES 21
_Static_assert(sizeof(struct sidecar_output) == 85176, "output size");
_Static_assert(sizeof(struct sidecar_output) <= SIDECAR_OUTPUT_PAGES * SIDECAR_PAGE &&
		       sizeof(struct sidecar_output) > (SIDECAR_OUTPUT_PAGES - 1) * SIDECAR_PAGE,
	       "SIDECAR_OUTPUT_PAGES is the output block's size in pages");

/* ---- control page (one per node) --------------------------------------- */

/* cpu_status[] values, as in OpenHCL's sidecar_defs CpuStatus, plus FAILED. */
enum sidecar_cpu_status {
	CPU_STATUS_REMOVED = 0, /* not (or no longer) a sidecar CPU */
	CPU_STATUS_IDLE = 1,    /* waiting for a command */
	CPU_STATUS_RUN = 2,     /* the client asks it to run its command page's command */
	CPU_STATUS_STOP = 3,    /* the client asks a running command to stop */
	CPU_STATUS_REMOVE = 4,  /* the client asks the CPU to leave the sidecar */
	CPU_STATUS_FAILED = 5,  /* never came up */
};

/* The word `status` lines print for a sidecar CPU's status. */
static inline const char *sidecar_status_word(uint32_t status)
{
	switch (status) {
	case CPU_STATUS_IDLE:
		return "idle";
	case CPU_STATUS_RUN:
	case CPU_STATUS_STOP:
		return "run";
	case CPU_STATUS_REMOVE:
		return "removing";
	case CPU_STATUS_FAILED:
		return "failed";
	}
	return "removed";
}

#define SIDECAR_CONTROL_MAX_CPUS ((SIDECAR_PAGE - 64) / 4)

struct sidecar_control {
	uint32_t index;           /* node number */
	uint32_t base_cpu;        /* CPU index of cpu_status[0] */
	uint32_t cpu_count;
	uint32_t request_vector;  /* the vector clients send to wake a CPU */
	uint32_t response_cpu;    /* APIC ID to notify when a command finishes... */
	uint32_t response_vector; /* ...with this vector; 0: no response interrupt */
	uint32_t needs_attention; /* set by the sidecar, cleared by the client */
	uint32_t reserved[9];
	uint32_t cpu_status[SIDECAR_CONTROL_MAX_CPUS];
};
_Static_assert(__builtin_offsetof(struct sidecar_control, cpu_status) == 64, "control header");
_Static_assert(sizeof(struct sidecar_control) == SIDECAR_PAGE, "control page");

/* ---- command page (one per CPU) ---------------------------------------- */

enum sidecar_command {
	SIDECAR_CMD_NONE = 0,              /* just acknowledge: the wake-up of lab 3 */
	SIDECAR_CMD_RUN_VP = 1,            /* run the VP until its next exit */
	SIDECAR_CMD_GET_VP_REGISTERS = 2,  /* registers -> request.registers.values */
	SIDECAR_CMD_SET_VP_REGISTERS = 3,  /* request.registers.values -> registers (below) */
	SIDECAR_CMD_TRANSLATE_GVA = 4,     /* walk the guest's page tables */
	/* Only with SIDECAR_TEST_COMMANDS: write where this CPU may not
	 * (request.trespass); the page fault that follows is caught, the CPU
	 * is marked FAILED and error_text says what was hit. */
	SIDECAR_CMD_TEST_TRESPASS = 5,
};

/* What TEST_TRESPASS writes to. */
enum sidecar_trespass_target {
	TRESPASS_OTHER_STACK = 1, /* another sidecar CPU's stack (the sidecar picks one) */
	TRESPASS_MAIN_KERNEL = 2, /* address: memory of the main kernel's */
	TRESPASS_PARAMS = 3,      /* the shim's parameter page */
};
struct sidecar_trespass {
	uint32_t target;  /* enum sidecar_trespass_target */
	uint32_t reserved;
	uint64_t address; /* TRESPASS_MAIN_KERNEL: where to write */
};
_Static_assert(sizeof(struct sidecar_trespass) == 16, "trespass request");

/*
 * A VP ("virtual processor", book/design.md) is a guest context run in
 * ring 3 on the sidecar CPU. Its memory is given by the VMM with every
 * command that needs it: guest physical address (GPA) g is host physical
 * base + g, for g < size. The guest's own 4-level page tables (in guest
 * memory, holding GPAs, rooted at page_table) map its virtual addresses
 * (GVAs); the sidecar builds the real page tables from them in the scratch
 * pages the VMM lends (their root and the sidecar's own levels stay in the
 * CPU's private pages). Guest memory may lie anywhere in physical memory
 * and holds at most SIDECAR_VP_MEMORY_MAX bytes: the sidecar maps it into
 * its own address space only while a command that needs it runs, in one
 * page table of its own (kernel/paging.c). GVAs below 512 GiB (the
 * first PML4 entry) and in the upper half belong to the sidecar: a guest
 * may not map them.
 */
#define SIDECAR_GUEST_GVA_MIN 0x8000000000ull     /* 512 GiB: PML4 entry 1 */
#define SIDECAR_GUEST_GVA_LIMIT 0x800000000000ull /* 128 TiB: the lower half's end */
#define SIDECAR_VP_MEMORY_MAX (1024 * 1024)         /* 256 pages of guest memory */
#define SIDECAR_VP_SCRATCH_MAX 64                   /* pages */

struct sidecar_vp_memory {
	uint64_t base;       /* host physical address of GPA 0, page aligned */
	uint64_t size;       /* bytes of guest memory, a multiple of 4 KiB */
	uint64_t page_table; /* GPA of the guest's PML4 */
	uint64_t scratch;    /* host physical: pages for the real page tables */
	uint32_t scratch_pages;
	uint32_t reserved;
};
_Static_assert(sizeof(struct sidecar_vp_memory) == 40, "vp memory");

/*
 * Register names for GET/SET_VP_REGISTERS. Every value is 64 bits: a
 * 128-bit XMM register is two names, its low and its high half.
 *
 * The general registers, RIP and RFLAGS come first, in the order of the
 * sidecar's own register file (include/lab_vp.h). Then the rest of the VP's
 * state, added to the ABI without moving anything:
 *   VP_FS_BASE, VP_GS_BASE  the guest's segment bases (IA32_FS_BASE and the
 *                           GS base swapgs gives it); canonical addresses only
 *   VP_FCW                  the x87 control word (16 bits)
 *   VP_MXCSR                SSE control and status (32 bits); a value with a
 *                           bit outside the CPU's MXCSR_MASK is refused
 *   VP_XMM_LOW(n), VP_XMM_HIGH(n)  XMM0..XMM15
 * The FPU/SSE registers live in the VP's save area, which the sidecar keeps
 * in the CPU's private memory (struct percpu; never in this shared page):
 * XSAVE's layout where CPUID offers XSAVE (x87, SSE and, if offered, AVX; sized
 * from CPUID leaf 0xD, at most VP_FPU_AREA_MAX bytes, checked at start),
 * FXSAVE's 512 bytes otherwise. RUN_VP restores it just before entering the
 * guest and saves it at the exit (kernel/fpu.c). A fresh VP has the state
 * FNINIT and a reset give: FCW 0x37f, MXCSR 0x1f80, XMM registers zero.
 *
 * A request holds at most SIDECAR_MAX_REGISTERS names, fewer than
 * VP_REGISTER_COUNT: a client asking for more splits the list into requests
 * of SIDECAR_MAX_REGISTERS, in order, as OpenHCL's client does (its
 * sidecar_client get_vp_registers and set_vp_registers take
 * MAX_GET_SET_VP_REGISTERS = 31 a request; lib/portable/vmm_core.c,
 * vmm_registers()).
 *
 * SET_VP_REGISTERS is all or nothing: it fails, changing no register, when
 * a name is unknown, a value is refused (MXCSR, FS/GS bases above), or the
 * VP could not be entered with the result:
 *   RIP must be canonical (bits 63:47 equal): on Intel hardware iretq to a
 *       non-canonical RIP faults in ring 0 (SDM vol. 2A, IRET);
 *   RFLAGS may hold the guest's own bits - CF PF AF ZF SF TF DF OF, RF, AC
 *       and ID - and these are kept as given, at every entry too (a guest
 *       that sets TF itself gets a #DB exception exit after its next
 *       instruction; one that sets AC gets #AC for a misaligned access).
 *       Bit 1 and IF are forced on (STOP is an interrupt). IOPL, NT, VM,
 *       VIF, VIP and the reserved bits are refused with an error, never
 *       cleared; RUN_VP refuses the same way a guest that set NT itself.
 * A SET that succeeds ends the pending completion of the last exit (below):
 * the VMM has decided the VP's state itself, so the next RUN_VP enters the
 * guest at RIP as it is, without stepping over the exit's instruction or
 * writing value into rax. A VMM that sets registers after an IO, HLT or
 * HYPERCALL exit and wants the completion does it in the same SET (RIP +=
 * instruction_length; rax for "in" and hypercalls). GET changes nothing.
 */
enum sidecar_vp_register {
	VP_RAX, VP_RCX, VP_RDX, VP_RBX, VP_RSP, VP_RBP, VP_RSI, VP_RDI,
	VP_R8, VP_R9, VP_R10, VP_R11, VP_R12, VP_R13, VP_R14, VP_R15,
	VP_RIP, VP_RFLAGS,
	VP_FS_BASE, VP_GS_BASE,
	VP_FCW, VP_MXCSR,
	VP_XMM0, /* VP_XMM_LOW(0); VP_XMM_HIGH(15) is the last name */
	VP_REGISTER_COUNT = VP_XMM0 + 32
};
#define VP_GENERAL_REGISTERS (VP_RFLAGS + 1) /* rax .. rflags */
#define VP_XMM_LOW(n) (VP_XMM0 + 2 * (n))
#define VP_XMM_HIGH(n) (VP_XMM0 + 2 * (n) + 1)
#define VP_FPU_AREA_MAX 1024 /* bytes: XSAVE's x87 + SSE + AVX need 832 */
#define SIDECAR_MAX_REGISTERS 32

struct sidecar_registers {
	uint32_t count; /* <= SIDECAR_MAX_REGISTERS */
	uint32_t names[SIDECAR_MAX_REGISTERS];
	uint32_t reserved;
	uint64_t values[SIDECAR_MAX_REGISTERS];
};
_Static_assert(sizeof(struct sidecar_registers) == 392, "registers request");

#define TRANSLATE_WRITE 0x1 /* ask whether the GVA is writable too */
struct sidecar_translate {
	uint64_t gva;    /* in */
	uint32_t access; /* in: TRANSLATE_WRITE */
	uint32_t writable; /* out: 1 if every level allows writes */
	uint64_t gpa;    /* out */
};
_Static_assert(sizeof(struct sidecar_translate) == 24, "translate request");

/* Why RUN_VP returned (book/design.md). */
enum sidecar_vp_exit_reason {
	VP_EXIT_NONE = 0,
	VP_EXIT_IO = 1,        /* in/out: port, size, write, value */
	VP_EXIT_HLT = 2,       /* the guest executed hlt */
	VP_EXIT_HYPERCALL = 3, /* vmcall: rax is the call, value the result to return */
	VP_EXIT_MMIO = 4,      /* a page fault outside guest memory: address, write */
	VP_EXIT_EXCEPTION = 5, /* any other exception: vector, error_code */
	VP_EXIT_STOPPED = 6,   /* the client asked the VP to stop (STOP) */
};

/*
 * The exit, written by RUN_VP. On the next RUN_VP the sidecar completes an
 * IO, HLT or HYPERCALL exit the way hardware would: it steps over the
 * instruction (rip += instruction_length) and, for "in" and hypercalls,
 * puts value (which the VMM may write meanwhile) in rax - unless a
 * SET_VP_REGISTERS came in between, which ends the completion (above).
 */
struct sidecar_vp_exit {
	uint32_t reason;
	uint32_t vector;     /* EXCEPTION, MMIO (14) */
	uint64_t error_code; /* EXCEPTION, MMIO */
	uint64_t rip;        /* the guest instruction that exited */
	uint64_t address;    /* MMIO: the GVA */
	uint32_t instruction_length;
	uint16_t port;       /* IO */
	uint8_t size;        /* IO: 1, 2 or 4 bytes */
	uint8_t write;       /* IO: 1 for out; MMIO: 1 for a write */
	uint64_t value;      /* IO out: the value written; in/hypercall: the answer */
};
_Static_assert(sizeof(struct sidecar_vp_exit) == 48, "vp exit");

struct sidecar_command_page {
	uint32_t command;
	uint32_t error;     /* 1: the command failed; error_text says why */
	uint64_t completed; /* commands this CPU has finished, ever */
	char error_text[112];
	struct sidecar_vp_memory memory; /* RUN_VP, TRANSLATE_GVA */
	uint8_t reserved[24];
	union {
		struct sidecar_registers registers;
		struct sidecar_translate translate;
		struct sidecar_vp_exit exit;
		struct sidecar_trespass trespass;
		uint8_t raw[SIDECAR_PAGE - 192];
	} request;
};
_Static_assert(__builtin_offsetof(struct sidecar_command_page, memory) == 128, "cmd memory");
_Static_assert(__builtin_offsetof(struct sidecar_command_page, request) == 192, "cmd request");
_Static_assert(sizeof(struct sidecar_command_page) == SIDECAR_PAGE, "command page");

/* The BSP entry: returns 0 when it started, or -1 with output->error set. */
typedef int (*sidecar_entry_fn)(const struct sidecar_params *params);

#endif
