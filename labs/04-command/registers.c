/*
 * Lab 4 - GET_VP_REGISTERS and SET_VP_REGISTERS.
 *
 * Runs in the sidecar kernel, on the VP's CPU inside a command, interrupts on
 * (and the host's unit tests).
 *
 * The VP's registers live in the sidecar's private per-CPU page; the client
 * reads and writes them through the command page's request area: a count,
 * a list of register names (enum sidecar_vp_register) and a list of values.
 * That area is shared memory that the client may still be writing while we
 * read it, so we read each field once into a local, check it, and use only
 * the local. A count above SIDECAR_MAX_REGISTERS or an unknown name is an
 * error (with a message naming the count or the name and its position), and
 * then nothing is read or written at all: every name is checked before the
 * first register is touched. OpenHCL's sidecar (get_vp_registers and
 * set_vp_registers in sidecar/src/arch/x86_64/vp.rs) checks only the count
 * up front, then applies the registers one at a time and stops at the first
 * that fails, leaving the ones before it done, with the error in the
 * request's status.
 *
 * Implement: vp_registers() (declared in include/lab_vp.h).
 * Tests: unit suite "registers"; lab 4's boot tests (regs, run).
 */
#include "lab_vp.h"

int vp_registers(uint64_t regs[VP_REGISTER_COUNT], struct sidecar_registers *req, bool set,
		 struct diag *d)
{
	// TODO(lab 4): copy the named registers, trusting nothing in the page to stay put
	lab_todo(4, __func__);
}
