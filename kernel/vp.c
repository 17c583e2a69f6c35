/*
 * vp.c - running a VP: RUN_VP and TRANSLATE_GVA, and the way back from ring 3.
 *
 * Runs on the sidecar CPU that owns the VP (vp_run from the command
 * dispatcher, trap_handler on every interrupt and exception). The order of a
 * RUN_VP:
 *   1. copy the guest memory description out of the command page and check
 *      it: aligned, below 4 GiB, and nowhere near the sidecar's own memory;
 *   2. build the real page tables from the guest's (in the VMM's scratch
 *      pages): guest mappings become user pages at host address base + GPA,
 *      and PML4 entry 0 is the sidecar's own, supervisor-only, so interrupts
 *      still find our code and stack but the guest cannot touch them;
 *   3. finish the previous exit (step over in/out/hlt/vmcall, put the VMM's
 *      answer in rax);
 *   4. with interrupts off, check for STOP one last time, load the guest's
 *      FPU/SSE state and segment bases (kernel/fpu.c), then enter ring 3
 *      (vp_enter); an IPI that lands after the check stays pending and
 *      fires the moment the guest runs, so a STOP is never lost;
 *   5. the guest exits through trap_handler: save its FPU state and its
 *      registers, decode the exit (lab 4's decoder), return to step 4's
 *      caller (vp_leave).
 */
#include "kernel.h"
#include "console.h"
#include "trap.h"
#include "x86.h"

#define PAGE 4096ull
#define RFLAGS_USER_MASK 0xcd5ull /* CF PF AF ZF SF DF OF: the guest's to change */
#define RFLAGS_FIXED 0x202ull     /* bit 1 (always 1) and IF: interrupts stay on */
#define MAX_INSTRUCTION 15        /* SDM vol. 2 2.3.11: an instruction is at most 15 bytes */

_Static_assert(__builtin_offsetof(struct vp_state, kernel_rsp) == 488, "vp_entry.asm");
_Static_assert(__builtin_offsetof(struct vp_state, shadow_cr3) == 496, "vp_entry.asm");

/* The page tables every sidecar CPU runs on (kernel/paging.c): set once by
 * the BSP before any AP starts, read-only afterwards. */
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
		{"the parameter pages", (uint64_t)params, SIDECAR_PARAM_PAGES * PAGE},
		{"the output pages", (uint64_t)output, SIDECAR_OUTPUT_PAGES * PAGE},
		{"the trampoline", params->trampoline_page, PAGE},
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
	if (m->size == 0 || m->base % PAGE || m->size % PAGE)
		return diag_fail(d, E_INVAL, "guest memory 0x%lx size 0x%lx is not whole pages",
				 (unsigned long)m->base, (unsigned long)m->size);
	if (m->base < MiB(1) || m->size > GiB(1) || m->base >= GiB(4) || GiB(4) - m->base < m->size)
		return diag_fail(d, E_RANGE, "guest memory 0x%lx size 0x%lx is outside 1 MiB..4 GiB",
				 (unsigned long)m->base, (unsigned long)m->size);
	if (m->page_table % PAGE || m->page_table >= m->size || m->size - m->page_table < PAGE)
		return diag_fail(d, E_RANGE, "guest page table at GPA 0x%lx is outside guest memory",
				 (unsigned long)m->page_table);
	int r = clear_of_sidecar("guest memory", m->base, m->size, d);
	if (r)
		return r;
	*view = (struct vp_memory_view){(uint8_t *)m->base, m->size, m->page_table};
	return 0;
}

static int check_scratch(const struct sidecar_vp_memory *m, struct diag *d)
{
	uint64_t size = (uint64_t)m->scratch_pages * PAGE;
	if (m->scratch_pages < 4 || m->scratch_pages > 64 || m->scratch % PAGE ||
	    m->scratch < MiB(1) || m->scratch >= GiB(4) || GiB(4) - m->scratch < size)
		return diag_fail(d, E_RANGE, "scratch 0x%lx (%u pages) must be 4..64 pages below 4 GiB",
				 (unsigned long)m->scratch, m->scratch_pages);
	if (overlaps(m->scratch, size, m->base, m->size))
		return diag_fail(d, E_RANGE, "scratch pages overlap guest memory");
	return clear_of_sidecar("scratch", m->scratch, size, d);
}

/* Step 2: the real page tables, from the guest's, in the scratch pages. */
struct shadow {
	const struct sidecar_vp_memory *m;
	uint32_t used;
	struct diag *d;
};

static uint64_t *shadow_page(struct shadow *s)
{
	if (s->used == s->m->scratch_pages)
		return NULL;
	uint64_t *p = (uint64_t *)(s->m->scratch + PAGE * s->used++);
	memset(p, 0, PAGE);
	return p;
}

static const uint64_t *guest_table(const struct shadow *s, uint64_t entry)
{
	uint64_t gpa = entry & PTE_ADDR;
	if (gpa + PAGE > s->m->size)
		return NULL;
	return (const uint64_t *)(s->m->base + gpa);
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
			if (gpa + PAGE > s->m->size)
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
		real[i] = (uint64_t)next_real | PTE_P | PTE_U | (e & PTE_W) | (e & protect_nx_bit());
		int r = shadow_level(s, next_guest, next_real, level - 1, gva);
		if (r)
			return r;
	}
	return 0;
}

static int build_shadow(struct percpu *pc, const struct sidecar_vp_memory *m, struct diag *d)
{
	struct shadow s = {m, 0, d};
	uint64_t *pml4 = shadow_page(&s);
	const uint64_t *guest = (const uint64_t *)(m->base + m->page_table);
	int r = shadow_level(&s, guest, pml4, 4, 0);
	if (r)
		return r;
	/* Our own mappings, supervisor-only, for interrupts and exits. */
	pml4[0] = ((const uint64_t *)kernel_cr3())[0];
	pc->vp.shadow_cr3 = (uint64_t)pml4;
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

int vp_run(struct percpu *pc, struct sidecar_command_page *page, struct diag *d)
{
	struct sidecar_vp_memory m = page->memory; /* one copy: the client may change the page */
	struct sidecar_vp_exit answer = page->request.exit;
	int r = vp_memory_check(&m, &pc->vp.memory, d);
	if (!r)
		r = check_scratch(&m, d);
	if (r)
		return r;
	r = build_shadow(pc, &m, d);
	if (r)
		return r;
	complete_pending(pc, &answer);

	uint64_t *regs = pc->vp.regs;
	regs[VP_RFLAGS] = (regs[VP_RFLAGS] & RFLAGS_USER_MASK) | RFLAGS_FIXED;
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
	(void)pc;
	int r = vp_memory_check(&m, &view, d);
	if (!r)
		r = vp_translate(&view, gva, &gpa, &writable, d);
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
		size_t in_page = PAGE - ((rip + n) & (PAGE - 1));
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
	if (!from_guest)
		trap_panic(f);
	vp_exit(pc, f, VP_EXIT_EXCEPTION);
}
