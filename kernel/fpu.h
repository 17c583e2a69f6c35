/*
 * fpu.h - kernel/fpu.c: the VP's FPU/SSE state. fpu_probe on the BSP, once
 * (what CPUID offers, the save area's size); fpu_init on every AP (CR0,
 * CR4, XCR0, the VP's initial state); fpu_enter/fpu_exit around the guest;
 * fpu_registers: GET/SET_VP_REGISTERS over every register name.
 */
#ifndef FPU_H
#define FPU_H

#include "diag.h"
#include "percpu.h"

void fpu_probe(void);
void fpu_init(struct percpu *pc);
/* "sidecar: VP FPU state by XSAVEOPT, 832 bytes, XCR0 0x7" */
void fpu_print_summary(void);
void fpu_enter(struct vp_state *vp);
void fpu_exit(struct vp_state *vp);
int fpu_registers(struct vp_state *vp, struct sidecar_registers *req, bool set, struct diag *d);

#endif
