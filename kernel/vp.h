/*
 * vp.h - kernel/vp.c (and kernel/vp_entry.asm): RUN_VP and TRANSLATE_GVA,
 * entering the guest in ring 3 and coming back. The VP's state is in
 * kernel/vp_state.h; lab 4's pieces (the page walk, the decoder, the
 * register copy) in include/lab_vp.h.
 */
#ifndef VP_H
#define VP_H

#include "diag.h"
#include "percpu.h"

/* RUN_VP and TRANSLATE_GVA: 0 or an error with d filled. */
int vp_run(struct percpu *pc, struct sidecar_command_page *page, struct diag *d);
int vp_translate_command(struct percpu *pc, struct sidecar_command_page *page, struct diag *d);
/* Check the guest memory a command names and make a view of it. */
int vp_memory_check(const struct sidecar_vp_memory *m, struct vp_memory_view *view,
		    struct diag *d);

/* kernel/vp_entry.asm: into ring 3 with vp's registers, and back. */
void vp_enter(struct vp_state *vp, struct tss *tss);
__attribute__((noreturn)) void vp_leave(uint64_t kernel_rsp);

#endif
