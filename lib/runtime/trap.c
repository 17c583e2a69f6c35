/*
 * trap.c - the interrupt descriptor table and the default exception handler.
 *
 * SDM vol. 3A 6.14.1: a 64-bit IDT gate is 16 bytes: the handler's address
 * split in three, the code segment selector, an IST index, and a type byte
 * (0x8e = present, DPL 0, 64-bit interrupt gate, which also clears IF).
 * Until lab 2 gives each sidecar CPU its own IDT, one table serves every CPU
 * of an image.
 */
#include "trap.h"
#include "console.h"
#include "x86.h"

#define KERNEL_CS 0x10 /* the 64-bit code segment in every image's GDT */

struct __attribute__((packed)) idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM 6.14.1: 64-bit gates are 16 bytes");

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint8_t trap_stubs[]; /* lib/runtime/trap_entry.asm: 32 stubs, 16 bytes apart */

void idt_set_gate(void *table, unsigned vector, const void *handler)
{
	uint64_t h = (uint64_t)handler;
	((struct idt_gate *)table)[vector & 0xff] = (struct idt_gate){
		.offset_lo = h & 0xffff,
		.selector = KERNEL_CS,
		.type = 0x8e,
		.offset_mid = (h >> 16) & 0xffff,
		.offset_hi = h >> 32,
	};
}

void idt_load(const void *table)
{
	struct dtr d = {256 * sizeof(struct idt_gate) - 1, (uint64_t)table};
	__asm__ volatile("lidt %0" : : "m"(d));
}

const void *trap_stub(unsigned vector)
{
	return trap_stubs + 16 * vector;
}

void *trap_idt(void)
{
	return idt;
}

void trap_load(void)
{
	idt_load(idt);
}

void trap_init(void)
{
	for (unsigned v = 0; v < 32; v++)
		idt_set_gate(idt, v, trap_stub(v));
	trap_load();
}

__attribute__((weak)) void trap_handler(struct trap_frame *f)
{
	trap_panic(f);
}

void trap_panic(struct trap_frame *f)
{
	uint64_t cr2 = f->vector == 14 ? read_cr2() : 0;
	panic("%s (vector %lu) at rip 0x%lx, error 0x%lx, cr2 0x%lx, rsp 0x%lx", trap_name(f->vector),
	      f->vector, f->rip, f->error_code, cr2, f->rsp);
}
