/*
 * trampoline.h - the data block at the start of the AP trampoline page.
 *
 * The trampoline (labs/01-apstart/trampoline.asm) is assembled as a flat
 * binary that runs wherever it is copied: a free page below 1 MiB. The
 * sidecar starts its CPUs with it, and linux-stub its own. The
 * first 96 bytes are data the BSP fills in after copying it there; the
 * assembly lays them out with the same offsets, and the BSP checks the magic
 * before trusting them. Addresses the assembly stores are relative to the
 * page; the BSP adds the page's address ("relocates" them).
 */
#ifndef TRAMPOLINE_H
#define TRAMPOLINE_H

#include <stddef.h>
#include <stdint.h>

#define TRAMPOLINE_MAGIC 0x504d5254 /* "TRMP" */
#define TRAMPOLINE_X2APIC 0x1        /* flags: the AP switches to x2APIC mode */

struct __attribute__((packed)) trampoline_data {
	uint8_t jump[4];        /* 0: jmp over this block */
	uint32_t magic;         /* 4 */
	uint16_t gdt_limit;     /* 8: the operand of lgdt */
	uint32_t gdt_base;      /* relocated */
	uint16_t pad0;
	uint32_t pm32_offset;   /* 16: far pointer to the 32-bit code, relocated */
	uint16_t pm32_selector;
	uint16_t pad1;
	uint32_t lm64_offset;   /* 24: far pointer to the 64-bit code, relocated */
	uint16_t lm64_selector;
	uint16_t pad2;
	uint32_t cr3;           /* 32: the sidecar's page tables (below 4 GiB) */
	uint32_t slot_count;    /* 36: entries in slots */
	uint64_t slots;         /* 40: struct ap_slot[]: APIC ID -> stack, percpu */
	uint64_t entry;         /* 48: ap_main */
	uint32_t flags;         /* 56: TRAMPOLINE_X2APIC */
	uint32_t pad3;          /* 60 */
	uint64_t gdt[4];        /* 64: null, 32-bit code 0x08, 64-bit code 0x10, data 0x18 */
};
_Static_assert(sizeof(struct trampoline_data) == 96, "trampoline data block");
/* The offsets trampoline.asm's labels stand for (it cannot include C). */
_Static_assert(__builtin_offsetof(struct trampoline_data, cr3) == 32 &&
		       __builtin_offsetof(struct trampoline_data, slot_count) == 36 &&
		       __builtin_offsetof(struct trampoline_data, slots) == 40 &&
		       __builtin_offsetof(struct trampoline_data, entry) == 48 &&
		       __builtin_offsetof(struct trampoline_data, flags) == 56 &&
		       __builtin_offsetof(struct trampoline_data, gdt) == 64,
	       "trampoline.asm's data block");

/* One entry of the table the trampoline searches for its own APIC ID: the
 * sidecar's and linux-stub's BSPs fill it, each AP reads its stack and its
 * argument from it. trampoline.asm steps through it SLOT_SIZE (24) bytes at
 * a time and loads [slot + 8] into rsp and [slot + 16] into rdi. */
struct ap_slot {
	uint32_t apic_id;
	uint32_t reserved;
	uint64_t stack_top;
	uint64_t percpu; /* the AP's argument: its struct percpu, or linux-stub's stub_cpu */
};
_Static_assert(sizeof(struct ap_slot) == 24 && __builtin_offsetof(struct ap_slot, stack_top) == 8 &&
		       __builtin_offsetof(struct ap_slot, percpu) == 16,
	       "trampoline.asm's SLOT_SIZE and slot offsets");

#endif
