/*
 * fpu.c - the VP's FPU, SSE and AVX state: saved, restored, and named.
 *
 * A guest is ordinary compiled C, and compilers use SSE for floating point
 * and for copying memory, so the x87/SSE registers are part of a VP as much
 * as rax is. The sidecar itself never touches them (the Makefile builds it
 * with -mgeneral-regs-only), so the registers hold the guest's values from
 * the moment RUN_VP restores them until the exit saves them; all the
 * sidecar must do is keep a save area per VP and use it around the guest
 * (OpenHCL's sidecar does the same with fxrstor before, fxsave after each
 * dispatch: openhcl/sidecar/src/arch/x86_64/vp.rs).
 *
 * Which CPU runs what: fpu_probe() on the BSP, once, before any AP starts;
 * fpu_init() on every AP as it comes up; the rest on the CPU that owns the
 * VP, from vp.c (RUN_VP, the exit) and command.c (the register commands).
 *
 * The mechanisms (Intel SDM vol. 1 ch. 13, vol. 3A 2.5, 2.6 and ch. 13):
 *   FXSAVE/FXRSTOR: 512 bytes, x87 and SSE (CPUID.01H:EDX.FXSR[bit 24]);
 *     CR4.OSFXSR (bit 9) says the OS saves SSE state with them, and
 *     CR4.OSXMMEXCPT (bit 10) that it handles #XM for unmasked SSE faults.
 *   XSAVE/XRSTOR (CPUID.01H:ECX.XSAVE[bit 26]): the same 512 bytes, a
 *     64-byte header (XSTATE_BV: which components the area holds), then
 *     the components XCR0 enables - here x87 (bit 0), SSE (bit 1) and AVX
 *     (bit 2, its upper YMM halves) where CPUID.(EAX=0DH,ECX=0):EAX offers
 *     them; CR4.OSXSAVE (bit 18) allows XSETBV. The area's size comes from
 *     leaf 0DH too (the AVX component's offset and size in sub-leaf 2), and
 *     must fit VP_FPU_AREA_MAX or the sidecar uses FXSAVE. XSAVEOPT
 *     (CPUID.(EAX=0DH,ECX=1):EAX bit 0) may skip components the guest left
 *     in their initial state; it clears their XSTATE_BV bits instead, which
 *     the register copy below reads as "initial".
 *   CR0 (SDM vol. 3A 2.5 and Table 9-3): EM = 0 (an x87 is present), MP = 1
 *     (wait/fwait honour TS), TS = 0 (no lazy switching: nothing traps on
 *     first use), NE = 1 (x87 errors are #MF, not the PC's IRQ 13).
 *
 * Guest mistakes stay guest exits: an unmasked x87 or SSE exception is #MF
 * or #XM in ring 3, an exception exit like any other.
 */
#include "fpu.h"
#include "console.h"
#include "lab_vp.h"
#include "percpu.h"
#include "vp_regs.h"
#include "x86.h"

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE (1ull << 18)
#define CPUID1_ECX_XSAVE (1u << 26)
#define XCR0_X87 0x1ull
#define XCR0_SSE 0x2ull
#define XCR0_AVX 0x4ull

/* The legacy region, the same for FXSAVE and XSAVE (SDM vol. 1 Table 10-2). */
#define AREA_FCW 0
#define AREA_MXCSR 24
#define AREA_MXCSR_MASK 28
#define AREA_X87_END 160 /* FCW .. ST7: the x87 part */
#define AREA_XMM 160     /* XMM0, 16 bytes each */
#define AREA_XMM_END (AREA_XMM + 16 * 16)
#define FXSAVE_SIZE 512
#define XSAVE_HEADER 512 /* XSTATE_BV at +0, XCOMP_BV at +8: 64 bytes */
#define XSAVE_LEGACY_SIZE (FXSAVE_SIZE + 64)

/* What FNINIT and a reset leave (SDM vol. 1 Table 8-2 and 10.2.3.1). */
#define FCW_INIT 0x037f
#define MXCSR_INIT 0x1f80
#define MXCSR_MASK_DEFAULT 0xffbf /* SDM vol. 1 11.6.6: when FXSAVE stores 0 */

_Static_assert(__builtin_offsetof(struct vp_state, fpu_area) % 64 == 0, "XSAVE area alignment");

/* Set once by the BSP (fpu_probe) before any AP starts; read-only after. */
static bool use_xsave, use_xsaveopt;
static uint64_t xcr0;
static uint32_t area_size, mxcsr_mask = MXCSR_MASK_DEFAULT;

void fpu_probe(void)
{
	uint32_t a, b, c, d;
	/* Every x86-64 CPU has FXSAVE and SSE2 (SDM vol. 1 2.2.7): no check. */
	cpuid(1, 0, &a, &b, &c, &d);
	area_size = FXSAVE_SIZE;
	if (!(c & CPUID1_ECX_XSAVE))
		return;
	uint32_t offered;
	cpuid(0xd, 0, &offered, &b, &c, &d);
	uint64_t want = XCR0_X87 | XCR0_SSE | (offered & XCR0_AVX);
	uint32_t size = XSAVE_LEGACY_SIZE;
	if (want & XCR0_AVX) {
		cpuid(0xd, 2, &a, &b, &c, &d); /* the AVX component: EAX bytes at offset EBX */
		size = b + a;
	}
	if (size > VP_FPU_AREA_MAX) {
		kprintf("sidecar: XSAVE area of %u bytes is more than the %u a VP has: using FXSAVE\n",
			size, VP_FPU_AREA_MAX);
		return;
	}
	cpuid(0xd, 1, &a, &b, &c, &d);
	use_xsave = true;
	use_xsaveopt = a & 1;
	xcr0 = want;
	area_size = size;
}

static inline void fxsave(void *area)
{
	__asm__ volatile("fxsave64 %0" : "+m"(*(uint8_t(*)[FXSAVE_SIZE])area));
}

static inline void fxrstor(const void *area)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[FXSAVE_SIZE])area));
}

static inline void xsave(void *area, uint64_t mask)
{
	if (use_xsaveopt)
		__asm__ volatile("xsaveopt64 %0"
				 : "+m"(*(uint8_t(*)[VP_FPU_AREA_MAX])area)
				 : "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)));
	else
		__asm__ volatile("xsave64 %0"
				 : "+m"(*(uint8_t(*)[VP_FPU_AREA_MAX])area)
				 : "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)));
}

static inline void xrstor(const void *area, uint64_t mask)
{
	__asm__ volatile("xrstor64 %0"
			 :
			 : "m"(*(const uint8_t(*)[VP_FPU_AREA_MAX])area), "a"((uint32_t)mask),
			   "d"((uint32_t)(mask >> 32)));
}

static uint64_t *xstate_bv(struct vp_state *vp)
{
	return (uint64_t *)(vp->fpu_area + XSAVE_HEADER);
}

/* A fresh VP: FNINIT's x87 state, MXCSR's reset value, XMM registers zero.
 * With XSAVE, XSTATE_BV 0 says the same ("every component initial"), and
 * XRSTOR still loads MXCSR from the area (SDM vol. 1 13.8.1). */
static void reset_area(struct vp_state *vp)
{
	memset(vp->fpu_area, 0, sizeof(vp->fpu_area));
	*(uint16_t *)(vp->fpu_area + AREA_FCW) = FCW_INIT;
	*(uint32_t *)(vp->fpu_area + AREA_MXCSR) = MXCSR_INIT;
}

void fpu_init(struct percpu *pc)
{
	uint64_t cr0, cr4;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | (use_xsave ? CR4_OSXSAVE : 0);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	if (use_xsave) {
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
		uint32_t a, b, c, d;
		cpuid(0xd, 0, &a, &b, &c, &d); /* EBX: the size XCR0's components need now */
		if (b > area_size)
			panic("XSAVE area %u bytes for XCR0 0x%lx; fpu_probe sized it %u", b,
			      (unsigned long)xcr0, area_size);
	}
	/* MXCSR_MASK: the MXCSR bits this CPU has (SDM vol. 1 11.6.6). Every
	 * CPU stores the same value. */
	fxsave(pc->vp.fpu_area);
	uint32_t mask = *(uint32_t *)(pc->vp.fpu_area + AREA_MXCSR_MASK);
	__atomic_store_n(&mxcsr_mask, mask ? mask : MXCSR_MASK_DEFAULT, __ATOMIC_RELAXED);
	reset_area(&pc->vp);
}

void fpu_print_summary(void)
{
	const char *how = use_xsaveopt ? "XSAVEOPT" : use_xsave ? "XSAVE" : "FXSAVE";
	kprintf("sidecar: VP FPU state by %s, %u bytes, XCR0 0x%lx\n", how, area_size,
		(unsigned long)xcr0);
}

/* ---- around the guest (kernel/vp.c) ---------------------------------------- */

#define MSR_FS_BASE 0xc0000100
#define MSR_KERNEL_GS_BASE 0xc0000102 /* the guest's GS base while we run: swapgs */

/* Just before vp_enter, interrupts off: the guest's registers and bases.
 * XRSTOR loads every component in XCR0: those XSTATE_BV marks from the
 * area, the others in their initial state. */
void fpu_enter(struct vp_state *vp)
{
	if (use_xsave)
		xrstor(vp->fpu_area, xcr0);
	else
		fxrstor(vp->fpu_area);
	wrmsr(MSR_FS_BASE, vp->regs[VP_FS_BASE]);
	wrmsr(MSR_KERNEL_GS_BASE, vp->regs[VP_GS_BASE]);
}

/* At the exit, before the sidecar runs any other code of its own. */
void fpu_exit(struct vp_state *vp)
{
	if (use_xsave)
		xsave(vp->fpu_area, xcr0);
	else
		fxsave(vp->fpu_area);
	vp->regs[VP_FS_BASE] = rdmsr(MSR_FS_BASE);
	vp->regs[VP_GS_BASE] = rdmsr(MSR_KERNEL_GS_BASE);
}

/* ---- the register commands ------------------------------------------------- */

/* The area's FPU/SSE values into regs[], read as XSTATE_BV says: a component
 * XSAVEOPT found initial is not written, and reads as its initial value. */
static void area_to_regs(struct vp_state *vp)
{
	const uint8_t *a = vp->fpu_area;
	bool x87 = !use_xsave || (*xstate_bv(vp) & XCR0_X87);
	bool sse = !use_xsave || (*xstate_bv(vp) & XCR0_SSE);
	vp->regs[VP_FCW] = x87 ? *(const uint16_t *)(a + AREA_FCW) : FCW_INIT;
	vp->regs[VP_MXCSR] = *(const uint32_t *)(a + AREA_MXCSR);
	for (int n = 0; n < 16; n++) {
		const uint64_t *xmm = (const uint64_t *)(a + AREA_XMM + 16 * n);
		vp->regs[VP_XMM_LOW(n)] = sse ? xmm[0] : 0;
		vp->regs[VP_XMM_HIGH(n)] = sse ? xmm[1] : 0;
	}
}

static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* Check what a SET left in regs[] that hardware would refuse - WRMSR of a
 * non-canonical base and XRSTOR of a reserved MXCSR bit both #GP (SDM vol.
 * 2B WRMSR, vol. 1 13.8.1) - then write the FPU values into the area. */
static int regs_to_area(struct vp_state *vp, struct diag *d)
{
	uint64_t *r = vp->regs;
	uint32_t mask = __atomic_load_n(&mxcsr_mask, __ATOMIC_RELAXED);
	if (!canonical(r[VP_FS_BASE]) || !canonical(r[VP_GS_BASE]))
		return diag_fail(d, E_RANGE, "%s 0x%lx is not a canonical address",
				 canonical(r[VP_FS_BASE]) ? "GS base" : "FS base",
				 (unsigned long)(canonical(r[VP_FS_BASE]) ? r[VP_GS_BASE]
									    : r[VP_FS_BASE]));
	if (r[VP_FCW] > 0xffff)
		return diag_fail(d, E_RANGE, "FCW 0x%lx is more than 16 bits",
				 (unsigned long)r[VP_FCW]);
	if (r[VP_MXCSR] & ~(uint64_t)mask)
		return diag_fail(d, E_RANGE, "MXCSR 0x%lx sets bits outside MXCSR_MASK 0x%x",
				 (unsigned long)r[VP_MXCSR], mask);

	uint8_t *a = vp->fpu_area;
	if (use_xsave) {
		/* A component XSAVEOPT left out holds stale bytes: make it the
		 * initial state before writing into it, and mark both present. */
		uint64_t *bv = xstate_bv(vp);
		if (!(*bv & XCR0_X87)) {
			memset(a, 0, AREA_MXCSR);
			memset(a + AREA_MXCSR_MASK + 4, 0, AREA_X87_END - AREA_MXCSR_MASK - 4);
		}
		if (!(*bv & XCR0_SSE))
			memset(a + AREA_XMM, 0, AREA_XMM_END - AREA_XMM);
		*bv |= XCR0_X87 | XCR0_SSE;
	}
	*(uint16_t *)(a + AREA_FCW) = (uint16_t)r[VP_FCW];
	*(uint32_t *)(a + AREA_MXCSR) = (uint32_t)r[VP_MXCSR];
	for (int n = 0; n < 16; n++) {
		uint64_t *xmm = (uint64_t *)(a + AREA_XMM + 16 * n);
		xmm[0] = r[VP_XMM_LOW(n)];
		xmm[1] = r[VP_XMM_HIGH(n)];
	}
	return 0;
}

/*
 * GET or SET: lab 4's vp_registers() copies between the request and regs[];
 * around it, the FPU part of regs[] is refreshed from the area first. A SET
 * goes through vp_set_registers() (kernel/vp_regs.c: RIP and RFLAGS
 * checked, all or nothing, the pending completion ended), and then the FPU
 * values and segment bases are checked and written back to the area. A SET
 * with a value the hardware would refuse changes nothing: regs[] and the
 * pending completion go back to what they were.
 */
int fpu_registers(struct vp_state *vp, struct sidecar_registers *req, bool set, struct diag *d)
{
	area_to_regs(vp);
	if (!set)
		return vp_registers(vp->regs, req, false, d);
	uint64_t before[VP_REGISTER_COUNT];
	uint32_t pending = vp->pending;
	memcpy(before, vp->regs, sizeof(before));
	int r = vp_set_registers(vp, req, d);
	if (r)
		return r;
	r = regs_to_area(vp, d);
	if (r) {
		memcpy(vp->regs, before, sizeof(before));
		vp->pending = pending;
	}
	return r;
}
