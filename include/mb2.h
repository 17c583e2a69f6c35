/*
 * mb2.h - the multiboot2 boot information, as GRUB hands it to the shim.
 *
 * Multiboot2 Specification (version 2.0), section 3.6 "Boot information"
 * (3.6.1 format, 3.6.2 basic tags structure): the information starts with u32 total_size and u32 reserved,
 * followed by tags. Every tag starts with u32 type and u32 size (size counts
 * the 8-byte tag header but not the padding), and every tag starts on an
 * 8-byte boundary. A tag of type 0 and size 8 ends the list.
 */
#ifndef MB2_H
#define MB2_H

#include "diag.h"

/* Multiboot2 spec 3.1.1: the magic in the OS image header and in %eax. */
#define MB2_HEADER_MAGIC 0xe85250d6u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Multiboot2 spec 3.6: tag types the shim reads. */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14, /* a copy of the ACPI 1.0 RSDP */
	MB2_TAG_ACPI_NEW = 15, /* a copy of the ACPI 2.0+ RSDP */
};

#define MB2_TAG_ALIGN 8

struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

/* 3.6.6 Modules: mod_start and mod_end are physical addresses. */
struct mb2_tag_module {
	uint32_t type, size;
	uint32_t mod_start;
	uint32_t mod_end;
	char string[]; /* NUL-terminated */
};

/* 3.6.8 Memory map: entry_size is a multiple of 8; entry_version is 0. */
struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type; /* 1 RAM, 3 ACPI reclaimable, 4 NVS, 5 bad RAM; else reserved */
	uint32_t reserved;
};

struct mb2_tag_mmap {
	uint32_t type, size;
	uint32_t entry_size;
	uint32_t entry_version;
	struct mb2_mmap_entry entries[];
};

_Static_assert(sizeof(struct mb2_info_header) == 8, "mb2 info header");
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2 module tag");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2 mmap tag");

/*
 * Lab 0 (labs/00-boot/mb2_walk.c): call fn once for every tag before the end
 * tag, in order. info points at the start of the information and at most
 * limit bytes of it may be read. Returns 0, the first non-zero value fn
 * returned, or a negative error (with d filled in) when the information is
 * malformed.
 */
typedef int (*mb2_tag_fn)(const struct mb2_tag *tag, void *ctx);
int mb2_walk(const void *info, size_t limit, mb2_tag_fn fn, void *ctx, struct diag *d);

/* What the shim needs from the information, checked (lib/portable/mb2.c). */
#define MB2_MAX_MODULES 8
#define MB2_MAX_MMAP 64

struct mb2_module {
	uint64_t start, end; /* [start, end) */
	const char *string;  /* points into the information */
};

struct mb2_memory {
	uint64_t base, length;
	uint32_t type;
};

struct mb2_parsed {
	const char *cmdline;     /* "" when GRUB gave none */
	const char *loader_name; /* "" when absent */
	uint32_t nmodules;
	struct mb2_module modules[MB2_MAX_MODULES];
	uint32_t nmemory;
	struct mb2_memory memory[MB2_MAX_MMAP];
	const void *rsdp; /* a copy of the RSDP inside the information, or NULL */
	uint32_t rsdp_len;
	bool rsdp_is_new; /* from tag 15 (ACPI 2.0+), preferred over tag 14 */
};

int mb2_parse(const void *info, size_t limit, struct mb2_parsed *out, struct diag *d);

/* The module whose string's first word is name ("kernel", "initrd"), or NULL. */
const struct mb2_module *mb2_find_module(const struct mb2_parsed *p, const char *name);

#endif
