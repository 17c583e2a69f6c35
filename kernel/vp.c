/*
 * vp.c - running a VP: RUN_VP and TRANSLATE_GVA, and the way back from ring 3.
 *
 * Runs on the sidecar CPU that owns the VP (vp_run from the command
 * dispatcher, trap_handler on every interrupt and exception). The order of a
 * RUN_VP:
 *   1. copy the guest memory description out of the command page and check
 *      it: whole pages, at most SIDECAR_VP_MEMORY_MAX bytes, and nowhere near
 *      the sidecar's own memory; then map it, and the scratch pages, into
 *      this CPU's window for as long as the command runs (kernel/paging.c);
 *   2. build the real page tables from the guest's: the VP's PML4 is this
 *      CPU's own (its lower half holds the guest's entries while the command
 *      runs), the levels below come from the VMM's scratch pages; guest
 *      mappings become user pages at host address base + GPA, and PML4
 *      entries 0 and 511 stay the sidecar's own, supervisor-only, so
 *      interrupts still find our code and stack but the guest cannot touch
 *      them;
 *   3. finish the previous exit (step over in/out/hlt/vmcall, put the VMM's
 *      answer in rax), then check that iretq can return to the registers:
 *      RIP canonical, RFLAGS only the guest's bits (kernel/vp_regs.c);
 *   4. with interrupts off, check for STOP one last time, load the guest's
 *      FPU/SSE state and segment bases (kernel/fpu.c), then enter ring 3
 *      (vp_enter); an IPI that lands after the check stays pending and
 *      fires the moment the guest runs, so a STOP is never lost;
 *   5. the guest exits through trap_handler: save its FPU state and its
 *      registers, decode the exit (lab 4's decoder), return to step 4's
 *      caller (vp_leave).
 */
#include "vp.h"
#include "console.h"
#include "fault.h"
#include "fpu.h"
#include "lab_sidecar.h"
#include "lab_vp.h"
#include "paging.h"
#include "percpu.h"
#include "protect.h"
#include "start.h"
#include "trap.h"
#include "vectors.h"
#include "vp_regs.h"
#include "x86.h"

#define MAX_INSTRUCTION 15        /* SDM vol. 2 2.3.11: an instruction is at most 15 bytes */

_Static_assert(__builtin_offsetof(struct vp_state, kernel_rsp) == 488, "vp_entry.asm");
_Static_assert(__builtin_offsetof(struct vp_state, shadow_cr3) == 496, "vp_entry.asm");

/* This CPU's own page tables (kernel/paging.c): the VP runs on them too. */
static uint64_t kernel_cr3(void)
{
	return paging_root();
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Is [base, base+size) clear of everything the sidecar owns? */
static int clear_of_sidecar(const char *what, uint64_t base, uint64_t size, struct diag *d)
{
	struct {
		const char *name;
		uint64_t base, size;
	} own[4 + SIDECAR_MAX_NODES] = {
		{"the sidecar image", SIDECAR_IMAGE_BASE, SIDECAR_IMAGE_MAX},
		{"the parameter pages", params_page, SIDECAR_PARAM_PAGES * PAGE_SIZE},
		{"the output pages", (uint64_t)output, SIDECAR_OUTPUT_PAGES * PAGE_SIZE},
		{"the trampoline", params->trampoline_page, PAGE_SIZE},
	};
	uint32_t n = 4;
	for (uint32_t i = 0; i < params->node_count; i++)
		if (params->nodes[i].memory_size)
			own[n++] = (typeof(own[0])){"a node's sidecar pages", params->nodes[i].memory_base,
						   params->nodes[i].memory_size};
	for (uint32_t i = 0; i < n; i++)
		if (overlaps(base, size, own[i].base, own[i].size))
			return diag_fail(d, E_RANGE, "%s 0x%lx-0x%lx overlaps %s at 0x%lx", what,
					 (unsigned long)base, (unsigned long)(base + size - 1),
					 own[i].name, (unsigned long)own[i].base);
	return 0;
}

int vp_memory_check(const struct sidecar_vp_memory *m, struct vp_memory_view *view,
		    struct diag *d)
{
	if (m->size == 0 || m->base % PAGE_SIZE || m->size % PAGE_SIZE)
		return diag_fail(d, E_INVAL, "guest memory 0x%lx size 0x%lx is not whole pages",
				 (unsigned long)m->base, (unsigned long)m->size);
	if (m->base < MiB(1) || m->size > SIDECAR_VP_MEMORY_MAX || m->base + m->size < m->base ||
	    (m->base + m->size) >> 52)
		return diag_fail(d, E_RANGE,
				 "guest memory 0x%lx size 0x%lx: not above 1 MiB or over %u KiB",
				 (unsigned long)m->base, (unsigned long)m->size,
				 SIDECAR_VP_MEMORY_MAX / 1024);
	if (m->page_table % PAGE_SIZE || m->page_table >= m->size || m->size - m->page_table < PAGE_SIZE)
		return diag_fail(d, E_RANGE, "guest page table at GPA 0x%lx is outside guest memory",
				 (unsigned long)m->page_table);
	int r = clear_of_sidecar("guest memory", m->base, m->size, d);
	if (r)
		return r;
	/* Where this CPU sees it while the command runs (vp_memory_map). */
	*view = (struct vp_memory_view){(uint8_t *)(WINDOW_BASE + WIN_GUEST * PAGE_SIZE), m->size,
					m->page_table};
	return 0;
}

/* Map the checked guest memory into this CPU's window. */
static void vp_memory_map(struct percpu *pc, const struct sidecar_vp_memory *m)
{
	paging_map_run(pc, WIN_GUEST, m->base, m->size / PAGE_SIZE);
}

static int check_scratch(const struct sidecar_vp_memory *m, struct diag *d)
{
	uint64_t size = (uint64_t)m->scratch_pages * PAGE_SIZE;
	if (m->scratch_pages < 4 || m->scratch_pages > SIDECAR_VP_SCRATCH_MAX || m->scratch % PAGE_SIZE ||
	    m->scratch < MiB(1) || m->scratch + size < m->scratch || (m->scratch + size) >> 52)
		return diag_fail(d, E_RANGE, "scratch 0x%lx (%u pages) must be 4..%u pages above 1 MiB",
				 (unsigned long)m->scratch, m->scratch_pages, SIDECAR_VP_SCRATCH_MAX);
	if (overlaps(m->scratch, size, m->base, m->size))
		return diag_fail(d, E_RANGE, "scratch pages overlap guest memory");
	return clear_of_sidecar("scratch", m->scratch, size, d);
}

/* Step 2: the real page tables, from the guest's, in the scratch pages. The
 * tables hold physical addresses; this CPU writes and reads them through its
 * window (scratch and guest: where paging_map_run put them). */
struct shadow {
	const struct sidecar_vp_memory *m;
	uint32_t used;
	struct diag *d;
	uint8_t *scratch, *guest; /* window addresses */
	uint64_t pa;              /* the page shadow_page() gave last */
};

static uint64_t *shadow_page(struct shadow *s)
{
	if (s->used == s->m->scratch_pages)
		return NULL;
	s->pa = s->m->scratch + PAGE_SIZE * s->used;
	uint64_t *p = (uint64_t *)(s->scratch + PAGE_SIZE * s->used++);
	memset(p, 0, PAGE_SIZE);
	return p;
}

static const uint64_t *guest_table(const struct shadow *s, uint64_t entry)
{
	uint64_t gpa = entry & PTE_ADDR;
	if (gpa + PAGE_SIZE > s->m->size)
		return NULL;
	return (const uint64_t *)(s->guest + gpa);
}

/* Copy one level (4 = PML4 ... 1 = PT) of guest table into shadow table. */
static int shadow_level(struct shadow *s, const uint64_t *guest, uint64_t *real, int level,
			uint64_t gva_base)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t e = guest[i];
		if (!(e & PTE_P))
			continue;
		uint64_t gva = gva_base | i << (12 + 9 * (level - 1));
		if (level == 4 && (i == 0 || i >= 256))
			return diag_fail(s->d, E_RANGE,
					 "guest maps GVA 0x%lx, which the sidecar reserves (use 0x%llx..0x%llx)",
					 (unsigned long)gva, SIDECAR_GUEST_GVA_MIN, SIDECAR_GUEST_GVA_LIMIT);
		if (level > 1 && (e & PTE_PS) && level < 4)
			return diag_fail(s->d, E_UNSUPPORTED, "guest maps GVA 0x%lx with a large page",
					 (unsigned long)gva);
		if (level == 1) {
			uint64_t gpa = e & PTE_ADDR;
			if (gpa + PAGE_SIZE > s->m->size)
				return diag_fail(s->d, E_RANGE,
						 "guest maps GVA 0x%lx to GPA 0x%lx, outside its memory",
						 (unsigned long)gva, (unsigned long)gpa);
			/* The guest's NX bit too, where the CPU has one (kernel/protect.c). */
			real[i] = (s->m->base + gpa) | PTE_P | PTE_U | (e & PTE_W) |
				  (e & protect_nx_bit());
			continue;
		}
		const uint64_t *next_guest = guest_table(s, e);
		if (!next_guest)
			return diag_fail(s->d, E_RANGE, "guest page table for GVA 0x%lx is outside its memory",
					 (unsigned long)gva);
		uint64_t *next_real = shadow_page(s);
		if (!next_real)
			return diag_fail(s->d, E_NOMEM, "guest page tables need more than %u scratch pages",
					 s->m->scratch_pages);
		/* W at an upper level only if the guest's has it: the leaf's W is
		 * ANDed with every level's by the MMU, as for the guest's tables. */
		real[i] = s->pa | PTE_P | PTE_U | (e & PTE_W) | (e & protect_nx_bit());
		int r = shadow_level(s, next_guest, next_real, level - 1, gva);
		if (r)
			return r;
	}
	return 0;
}

static int build_shadow(struct percpu *pc, const struct sidecar_vp_memory *m, struct diag *d)
{
	struct shadow s = {m, 0, d, paging_map_run(pc, WIN_SCRATCH, m->scratch, m->scratch_pages),
			   pc->vp.memory.base, 0};
	/* The root is this CPU's PML4: entries 0 and 511 are ours, supervisor
	 * only, for interrupts and exits; the guest fills 1..255 (the rest it
	 * may not map), and paging_unmap_run() clears them when we are done. */
	const uint64_t *guest = (const uint64_t *)(s.guest + m->page_table);
	int r = shadow_level(&s, guest, pc->pml4, 4, 0);
	if (r)
		return r;
	pc->vp.shadow_cr3 = kernel_cr3();
	return 0;
}

/* Step 3: the previous exit's instruction is done now. */
static void complete_pending(struct percpu *pc, const struct sidecar_vp_exit *answer)
{
	uint64_t *regs = pc->vp.regs;
	struct sidecar_vp_exit *last = &pc->vp.exit;
	switch (pc->vp.pending) {
	case VP_EXIT_IO:
		if (!last->write) {
			uint64_t mask = last->size == 4 ? 0xffffffffull : (1ull << (8 * last->size)) - 1;
			/* SDM: a 32-bit in zero-extends into rax; 8/16-bit ones merge. */
			regs[VP_RAX] = last->size == 4 ? (answer->value & mask)
						       : (regs[VP_RAX] & ~mask) | (answer->value & mask);
		}
		regs[VP_RIP] += last->instruction_length;
		break;
	case VP_EXIT_HYPERCALL:
		regs[VP_RAX] = answer->value;
		regs[VP_RIP] += last->instruction_length;
		break;
	case VP_EXIT_HLT:
		regs[VP_RIP] += last->instruction_length;
		break;
	}
	pc->vp.pending = 0;
}

static int vp_run_mapped(struct percpu *pc, struct sidecar_command_page *page,
			 const struct sidecar_vp_memory *m, struct diag *d);

int vp_run(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	struct sidecar_vp_memory m = page->memory; /* one copy: the client may change the page */
	int r = vp_memory_check(&m, &pc->vp.memory, d);
	if (!r)
		r = check_scratch(&m, d);
	if (r)
		return r;
	vp_memory_map(pc, &m);
	r = vp_run_mapped(pc, page, &m, d);
	paging_unmap_run(pc); /* guest memory is mapped only while the command runs */
	return r;
}

static int vp_run_mapped(struct percpu *pc, struct sidecar_command_page *page,
			 const struct sidecar_vp_memory *m, struct diag *d)
{
	struct sidecar_vp_exit answer = page->request.exit;
	int r = build_shadow(pc, m, d);
	if (r)
		return r;
	complete_pending(pc, &answer);

	/* RIP canonical, RFLAGS only the guest's bits (kernel/vp_regs.c):
	 * checked here, before iretq, whoever set them - the VMM's SET, its
	 * recovery, the completion just done, or the guest's own popf. */
	uint64_t *regs = pc->vp.regs;
	r = vp_check_entry(regs, d);
	if (r)
		return r;
	regs[VP_RFLAGS] = vp_entry_rflags(regs[VP_RFLAGS]);
	memset(&pc->vp.exit, 0, sizeof(pc->vp.exit));

	cli();
	uint32_t s = __atomic_load_n(&pc->control->cpu_status[pc->slot], __ATOMIC_ACQUIRE);
	if (s == CPU_STATUS_STOP || s == CPU_STATUS_REMOVE) {
		pc->vp.exit.reason = VP_EXIT_STOPPED;
		pc->vp.exit.rip = regs[VP_RIP];
	} else {
		fpu_enter(&pc->vp); /* the guest's FPU/SSE state and segment bases */
		vp_enter(&pc->vp, &pc->tss);
	}
	__asm__ volatile("sti" ::: "memory");

	page->request.exit = pc->vp.exit;
	uint32_t reason = pc->vp.exit.reason;
	if (reason == VP_EXIT_IO || reason == VP_EXIT_HLT || reason == VP_EXIT_HYPERCALL)
		pc->vp.pending = reason;
	return 0;
}

int vp_translate_command(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	struct sidecar_vp_memory m = page->memory;
	uint64_t gva = page->request.translate.gva;
	struct vp_memory_view view;
	uint64_t gpa;
	bool writable;
	int r = vp_memory_check(&m, &view, d);
	if (r)
		return r;
	vp_memory_map(pc, &m);
	r = vp_translate(&view, gva, &gpa, &writable, d);
	paging_unmap_run(pc);
	if (r)
		return r;
	page->request.translate.gpa = gpa;
	page->request.translate.writable = writable;
	return 0;
}

/* Step 5: leaving ring 3. */
static void save_guest(struct percpu *pc, const struct trap_frame *f)
{
	uint64_t *r = pc->vp.regs;
	r[VP_RAX] = f->rax, r[VP_RCX] = f->rcx, r[VP_RDX] = f->rdx, r[VP_RBX] = f->rbx;
	r[VP_RSP] = f->rsp, r[VP_RBP] = f->rbp, r[VP_RSI] = f->rsi, r[VP_RDI] = f->rdi;
	r[VP_R8] = f->r8, r[VP_R9] = f->r9, r[VP_R10] = f->r10, r[VP_R11] = f->r11;
	r[VP_R12] = f->r12, r[VP_R13] = f->r13, r[VP_R14] = f->r14, r[VP_R15] = f->r15;
	r[VP_RIP] = f->rip, r[VP_RFLAGS] = f->rflags;
}

/* Read up to MAX_INSTRUCTION bytes at the guest's rip, page by page. */
static size_t fetch_code(const struct percpu *pc, uint64_t rip, uint8_t *code)
{
	size_t n = 0;
	while (n < MAX_INSTRUCTION) {
		uint64_t gpa;
		bool writable;
		if (vp_translate(&pc->vp.memory, rip + n, &gpa, &writable, NULL))
			break;
		size_t in_page = PAGE_SIZE - ((rip + n) & (PAGE_SIZE - 1));
		for (size_t i = 0; i < in_page && n < MAX_INSTRUCTION; i++)
			code[n++] = pc->vp.memory.base[gpa + i];
	}
	return n;
}

static __attribute__((noreturn)) void vp_exit(struct percpu *pc, const struct trap_frame *f,
					      uint32_t reason)
{
	struct sidecar_vp_exit *e = &pc->vp.exit;
	fpu_exit(&pc->vp); /* first: nothing of ours may run on the guest's FPU state */
	save_guest(pc, f);
	memset(e, 0, sizeof(*e));
	e->rip = f->rip;
	e->reason = reason;
	if (reason == VP_EXIT_EXCEPTION) {
		e->vector = (uint32_t)f->vector;
		e->error_code = f->error_code;
		if (f->vector == 14) { /* #PF: the guest touched what it may not */
			e->reason = VP_EXIT_MMIO;
			e->address = read_cr2();
			e->write = (f->error_code & 2) != 0;
		} else if (f->vector == 13 || f->vector == 6) {
			uint8_t code[MAX_INSTRUCTION];
			size_t n = fetch_code(pc, f->rip, code);
			struct sidecar_vp_exit decoded = *e;
			if (vp_decode_instruction(code, n, f->rax, f->rdx, &decoded) == 0) {
				decoded.rip = f->rip;
				*e = decoded;
			}
		}
	}
	write_cr3(kernel_cr3());
	vp_leave(pc->vp.kernel_rsp);
}

void trap_handler(struct trap_frame *f)
{
	bool from_guest = (f->cs & 3) == 3;
	struct percpu *pc = this_cpu();

	if (f->vector == 2)
		return; /* an NMI (a watchdog, a debugger): nothing for us to do */
	if (f->vector == TRAP_REQUEST) {
		ipi_request_interrupt(pc);
		uint32_t s = __atomic_load_n(&pc->control->cpu_status[pc->slot], __ATOMIC_ACQUIRE);
		if (from_guest && (s == CPU_STATUS_STOP || s == CPU_STATUS_REMOVE))
			vp_exit(pc, f, VP_EXIT_STOPPED); /* REMOVE stops the VP first (lab 6) */
		return; /* back to whatever ran: the halt loop, a command, or the guest */
	}
	if (!from_guest && f->vector == 14 && pc->own_tables)
		fault_contain(pc, read_cr2(), f->rip, (f->error_code & 2) != 0); /* kernel/fault.c */
	if (!from_guest)
		trap_panic(f);
	vp_exit(pc, f, VP_EXIT_EXCEPTION);
}
