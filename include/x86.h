/*
 * x86.h - the handful of instructions C cannot express, and the names of
 * the architecture's numbers every image uses (the page size, page-table
 * entry bits, MSRs).
 *
 * Each instruction is one inline asm statement with the operands the Intel
 * SDM volume 2 gives for it. "memory" clobbers keep the compiler from moving
 * memory accesses across the ones that order or depend on memory.
 */
#ifndef X86_H
#define X86_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096ull

/* Page-table entry bits (SDM vol. 3A 4.5, Table 4-14 onwards). */
#define PTE_P 0x1ull     /* present */
#define PTE_W 0x2ull     /* writable */
#define PTE_U 0x4ull     /* user (ring 3) may use it */
#define PTE_PWT 0x8ull   /* write-through */
#define PTE_PCD 0x10ull  /* cache disable */
#define PTE_PS 0x80ull   /* a large page (in a PDPTE or PDE) */
#define PTE_G 0x100ull   /* global */
#define PTE_ADDR 0x000ffffffffff000ull /* bits 51:12, the next table or the page */

#define MSR_GS_BASE 0xc0000101 /* IA32_GS_BASE: each image keeps its per-CPU pointer here */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/* This CPU's initial APIC ID: the full 32-bit x2APIC ID from CPUID leaf
 * 0BH (EDX; SDM vol. 3A 10.12.8.1) where the leaf exists (EBX non-zero),
 * else the 8-bit xAPIC ID in CPUID.01H:EBX[31:24] (10.4.6). */
static inline uint32_t cpu_apic_id(void)
{
	uint32_t eax, ebx, ecx, edx;
	cpuid(0, 0, &eax, &ebx, &ecx, &edx);
	if (eax >= 0xb) {
		cpuid(0xb, 0, &eax, &ebx, &ecx, &edx);
		if (ebx != 0)
			return edx;
	}
	cpuid(1, 0, &eax, &ebx, &ecx, &edx);
	return ebx >> 24;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

#define RFLAGS_IF (1ull << 9)

static inline bool interrupts_enabled(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags) : : "memory");
	return (flags & RFLAGS_IF) != 0;
}

/* Interrupts off, returning the RFLAGS to give back to irq_restore(): for
 * code that must not be interrupted but may be called either way. */
static inline uint64_t irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(flags) : "memory", "cc");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* A descriptor-table pointer for lgdt and lidt (SDM vol. 3A 3.5.1). */
struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

#endif
