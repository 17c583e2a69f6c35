/*
 * memory.c - linux-stub's page allocator.
 *
 * Like Linux, linux-stub owns every byte the e820 map (boot_params.e820_table,
 * Documentation/arch/x86/zero-page.rst) calls usable RAM: the shim marked
 * what the sidecar uses as reserved, so nothing here can hand out a sidecar
 * page. We use RAM from the end of our own image (the linker's image_end,
 * which includes .bss) - and never below 16 MiB, where the boot loader and
 * the shim lived - up to 4 GiB, the end of our identity map (paging.c).
 *
 * The VMM is the only user: it allocates guest memory and scratch pages once
 * per sidecar CPU and keeps them, so pages are never freed and a bump
 * pointer per e820 range is all the allocator needs.
 */
#include "memory.h"
#include "console.h"
#include "stub.h"
#include "x86.h"


extern char image_end[]; /* linux-stub/stub.ld */

static struct {
	uint64_t next, end; /* free: [next, end) */
} ranges[E820_MAX_ENTRIES];
static uint32_t nranges;
static bool ready;

/* Clip [addr, addr + size) to what we may use, page aligned; 0 if empty. */
static bool usable(uint64_t addr, uint64_t size, uint64_t *start, uint64_t *end)
{
	uint64_t low = ALIGN_UP((uint64_t)image_end, PAGE_SIZE);
	if (low < MiB(16))
		low = MiB(16);
	*start = ALIGN_UP(addr > low ? addr : low, PAGE_SIZE);
	*end = ALIGN_DOWN(addr + size < GiB(4) ? addr + size : GiB(4), PAGE_SIZE);
	return addr + size > addr && *start < *end;
}

static void add_range(uint64_t start, uint64_t end)
{
	if (start < end && nranges < ARRAY_SIZE(ranges)) {
		ranges[nranges].next = start;
		ranges[nranges].end = end;
		nranges++;
	}
}

static void memory_init(void)
{
	/* An initrd (none in labs 0-6, but a loader may pass one) is ours to
	 * read, not to allocate over: leave it out. */
	uint64_t rd = stub.params.hdr.ramdisk_image | (uint64_t)stub.params.ext_ramdisk_image << 32;
	uint64_t rd_end = rd + (stub.params.hdr.ramdisk_size |
				(uint64_t)stub.params.ext_ramdisk_size << 32);

	for (uint32_t i = 0; i < stub.params.e820_entries && i < E820_MAX_ENTRIES; i++) {
		const struct e820_entry *e = &stub.params.e820_table[i];
		uint64_t start, end;
		if (e->type != E820_RAM || !usable(e->addr, e->size, &start, &end))
			continue;
		if (rd < rd_end && rd < end && start < rd_end) {
			add_range(start, ALIGN_DOWN(rd, PAGE_SIZE));
			add_range(ALIGN_UP(rd_end, PAGE_SIZE), end);
		} else {
			add_range(start, end);
		}
	}
	ready = true;
}

void *stub_alloc_pages(size_t n)
{
	if (!ready)
		memory_init();
	uint64_t bytes = (uint64_t)n * PAGE_SIZE;
	if (n == 0 || bytes / PAGE_SIZE != n)
		return NULL;
	for (uint32_t i = 0; i < nranges; i++) {
		if (ranges[i].end - ranges[i].next < bytes)
			continue;
		void *p = (void *)ranges[i].next;
		ranges[i].next += bytes;
		return memset(p, 0, bytes);
	}
	return NULL;
}
