/*
 * gdt.c - each sidecar CPU's own GDT and TSS.
 *
 * The trampoline's GDT has what ring 0 needs. Running a VP in ring 3 needs
 * more (SDM vol. 3A 5.8 and 7.7): user code and data segments with DPL 3,
 * and a TSS whose rsp0 tells the CPU which stack to switch to when an
 * interrupt or exception arrives while the guest runs. The TSS is per CPU
 * (each CPU has its own kernel stack), so the GDT that points at it is too;
 * both live in the CPU's per-CPU page.
 * (The FPU's control bits in CR0 are kernel/fpu.c's.)
 */
#include "gdt.h"
#include "percpu.h"
#include "x86.h"

/*
 * Flat code and data descriptors (SDM vol. 3A 3.4.5): base 0, limit 0xfffff
 * in 4 KiB units (G), present. Byte 5 is the access byte: 0x9a code
 * (execute/read), 0x92 data (read/write), 0xfa and 0xf2 the same with DPL 3.
 * The flags nibble: 0xc for 32-bit (D=1, G=1), 0xa for 64-bit code (L=1, G=1).
 */
#define DESC_CODE32 0x00cf9a000000ffffull
#define DESC_KERNEL_CODE 0x00af9a000000ffffull
#define DESC_KERNEL_DATA 0x00cf92000000ffffull
#define DESC_USER_DATA 0x00cff2000000ffffull
#define DESC_USER_CODE 0x00affa000000ffffull

void gdt_init(struct percpu *pc)
{
	uint64_t tss = (uint64_t)&pc->tss;
	uint64_t limit = sizeof(pc->tss) - 1;

	memset(&pc->tss, 0, sizeof(pc->tss));
	pc->tss.iomap_base = sizeof(pc->tss); /* no I/O permission bitmap */
	pc->tss.rsp0 = pc->stack_top;

	pc->gdt[0] = 0;
	pc->gdt[1] = DESC_CODE32;      /* 0x08: 32-bit code (the trampoline's) */
	pc->gdt[2] = DESC_KERNEL_CODE; /* 0x10 */
	pc->gdt[3] = DESC_KERNEL_DATA; /* 0x18 */
	pc->gdt[4] = DESC_USER_DATA;   /* 0x20 */
	pc->gdt[5] = DESC_USER_CODE;   /* 0x28 */
	/* 0x30: a 16-byte system descriptor, type 9 = available 64-bit TSS. */
	pc->gdt[6] = (limit & 0xffff) | (tss & 0xffffff) << 16 | 0x89ull << 40 |
		     ((limit >> 16) & 0xf) << 48 | ((tss >> 24) & 0xff) << 56;
	pc->gdt[7] = tss >> 32;

	struct dtr d = {sizeof(pc->gdt) - 1, (uint64_t)pc->gdt};
	__asm__ volatile("lgdt %0" : : "m"(d));
	/* Reload CS with a far return, then the data segments and the TSS. */
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w1, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w2"
			 :
			 : "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}
