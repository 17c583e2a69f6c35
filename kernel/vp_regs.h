/*
 * vp_regs.h - kernel/vp_regs.c: what the sidecar will load into a VP (RIP
 * canonical, RFLAGS the guest's own bits); SET_VP_REGISTERS, all or nothing.
 * Portable: the unit tests link it.
 */
#ifndef VP_REGS_H
#define VP_REGS_H

#include "diag.h"
#include "vp_state.h"

bool vp_rip_canonical(uint64_t rip);
uint64_t vp_entry_rflags(uint64_t rflags);
int vp_check_entry(const uint64_t regs[VP_REGISTER_COUNT], struct diag *d);
int vp_set_registers(struct vp_state *vp, struct sidecar_registers *req, struct diag *d);

#endif
