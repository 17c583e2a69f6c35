/*
 * sidecar_host.c - hardware stand-ins for the protocol code on the host
 * (see sidecar_host.h for which real files link against these).
 */
#include <sched.h>
#include <time.h>

#include "sidecar_host.h"

int (*host_ipi_hook)(uint32_t apic_id, uint8_t vector);
uint64_t host_ipis_sent;
uint8_t *host_guest_base;
uint64_t host_guest_size;
uint32_t host_vp_spins = 64;

/* The local APIC: an ICR write goes to the hook; ESR reads 0 (no error). */
int lapic_send_icr(uint32_t apic_id, uint32_t icr_low, uint64_t timeout_us)
{
	(void)timeout_us;
	__atomic_add_fetch(&host_ipis_sent, 1, __ATOMIC_RELAXED);
	return host_ipi_hook ? host_ipi_hook(apic_id, (uint8_t)(icr_low & 0xff)) : 0;
}

uint32_t lapic_read(uint32_t reg)
{
	(void)reg;
	return 0;
}

void lapic_write(uint32_t reg, uint32_t value)
{
	(void)reg, (void)value;
}

void lapic_eoi(void)
{
}

uint64_t timer_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

void smp_wait(void)
{
	sched_yield();
}

void safe_halt_misused(const void *caller)
{
	(void)caller;
}

int vp_run(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	(void)d;
	uint32_t *status = &pc->control->cpu_status[pc->slot];
	struct sidecar_vp_exit exit = {.reason = VP_EXIT_HLT, .instruction_length = 1};
	for (uint32_t i = 0; i < host_vp_spins; i++) {
		uint32_t s = __atomic_load_n(status, __ATOMIC_ACQUIRE);
		if (s == CPU_STATUS_STOP || s == CPU_STATUS_REMOVE) {
			exit = (struct sidecar_vp_exit){.reason = VP_EXIT_STOPPED};
			break;
		}
		sched_yield();
	}
	exit.rip = pc->vp.regs[VP_RIP];
	pc->vp.exit = exit;
	page->request.exit = exit;
	return 0;
}

/* kernel/fault.c's TEST_TRESPASS needs page tables of the sidecar's own:
 * on the host it is refused, as in a boot without test_commands. */
int fault_trespass_command(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	(void)pc, (void)page;
	return diag_fail(d, E_UNSUPPORTED, "test commands are off (shim option test_commands)");
}

/* kernel/fpu.c's copies the FPU/SSE names between the register file and the
 * XSAVE area around lab 4's vp_registers() and vp_set_registers(); the host
 * has no such area: the register file alone. */
int fpu_registers(struct vp_state *vp, struct sidecar_registers *req, bool set, struct diag *d)
{
	return set ? vp_set_registers(vp, req, d) : vp_registers(vp->regs, req, false, d);
}

/* kernel/vp.c's version checks the memory against the sidecar's own pages
 * (vp_memory_check); here it must lie inside the host's guest buffer. */
int vp_translate_command(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	(void)pc;
	struct sidecar_vp_memory m = page->memory;
	uint64_t gva = page->request.translate.gva;
	if (m.size == 0 || m.size % SIDECAR_PAGE || m.size > host_guest_size ||
	    m.page_table % SIDECAR_PAGE || m.page_table >= m.size)
		return diag_fail(d, E_RANGE, "guest memory size 0x%lx page table 0x%lx",
				 (unsigned long)m.size, (unsigned long)m.page_table);
	struct vp_memory_view view = {host_guest_base, m.size, m.page_table};
	uint64_t gpa;
	bool writable;
	int r = vp_translate(&view, gva, &gpa, &writable, d);
	if (r)
		return r;
	page->request.translate.gpa = gpa;
	page->request.translate.writable = writable;
	return 0;
}
