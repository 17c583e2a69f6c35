/*
 * vp_state.h - a VP's state on its sidecar CPU (types only).
 *
 * book/design.md: a VP is a guest context run in ring 3. Its registers
 * live here, in the sidecar's own per-CPU page (never in the shared command
 * page, where the client could change them under our feet); the client reads
 * and writes them with GET/SET_VP_REGISTERS. regs[] holds every name of
 * enum sidecar_vp_register: the general registers, RIP, RFLAGS and the
 * segment bases for good, the FPU/SSE ones as a copy of fpu_area made for
 * each register command (kernel/fpu.c).
 */
#ifndef VP_STATE_H
#define VP_STATE_H

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

#endif
