/*
 * vp.h - a VP's state on its sidecar CPU, and the pieces lab 4 writes.
 *
 * book/design.md: a VP is a guest context run in ring 3. Its registers
 * live here, in the sidecar's own per-CPU page (never in the shared command
 * page, where the client could change them under our feet); the client reads
 * and writes them with GET/SET_VP_REGISTERS. regs[] holds every name of
 * enum sidecar_vp_register: the general registers, RIP, RFLAGS and the
 * segment bases for good, the FPU/SSE ones as a copy of fpu_area made for
 * each register command (kernel/fpu.c).
 */
#ifndef VP_H
#define VP_H

#include "diag.h"
#include "sidecar.h"

/* The guest's memory as the sidecar sees it, after validation. */
struct vp_memory_view {
	uint8_t *base;       /* host pointer to GPA 0 (identity mapped) */
	uint64_t size;       /* bytes */
	uint64_t page_table; /* GPA of the guest's PML4 */
};

struct vp_state {
	uint64_t regs[VP_REGISTER_COUNT]; /* enum sidecar_vp_register order */
	struct sidecar_vp_exit exit;      /* the last exit */
	uint32_t pending;                 /* exit reason to complete on the next run, or 0 */
	uint32_t stop_requested;
	uint64_t kernel_rsp;              /* vp_enter's frame, for vp_leave */
	uint64_t shadow_cr3;              /* the real page tables built for this run */
	struct vp_memory_view memory;
	/* The FPU/SSE state (kernel/fpu.c): an FXSAVE or XSAVE area, whose
	 * instructions want it 16- and 64-byte aligned. */
	uint8_t fpu_area[VP_FPU_AREA_MAX] __attribute__((aligned(64)));
};

/* Page-table entry bits (SDM vol. 3A 4.5, Table 4-14 onwards). */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull

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

#endif
