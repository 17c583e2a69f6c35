/*
 * e820.h - the memory map handed to the main kernel.
 *
 * Linux learns which physical memory it may use from boot_params.e820_table
 * (Documentation/arch/x86/zero-page.rst, offset 0x2d0, at most 128 entries
 * of 20 bytes). The shim builds it from GRUB's memory map and then marks
 * everything the sidecar owns as reserved, so Linux never touches it.
 */
#ifndef E820_H
#define E820_H

#include "diag.h"

/* ACPI 6.5 Table 15.1: address range types (the same numbers multiboot2 uses). */
enum {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
};

/* boot_params.e820_table's size: E820_MAX_ENTRIES_ZEROPAGE in Linux's
 * arch/x86/include/uapi/asm/bootparam.h, "part of the x86 boot protocol ABI". */
#define E820_MAX_ENTRIES 128

struct __attribute__((packed)) e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};
_Static_assert(sizeof(struct e820_entry) == 20, "e820 entry is 20 bytes");

struct e820_range {
	uint64_t addr, size;
	uint32_t type;
};

/*
 * Build a sorted map with no overlaps from the firmware's ranges (any order,
 * possibly overlapping) and the ranges to reserve on top. Where ranges
 * overlap the more restrictive type wins: reserved beats ACPI beats RAM.
 * Adjacent ranges of one type are merged. Returns the number of entries.
 */
int e820_build(struct e820_entry *out, size_t max, const struct e820_range *firmware,
	       size_t nfirmware, const struct e820_range *reserve, size_t nreserve,
	       struct diag *d);

/*
 * Append [addr, addr+size) of the given type to list (n entries of at most
 * max). A full list is an error that names the range: a reservation left
 * out would reach the main kernel as usable RAM, so none is ever dropped.
 */
int e820_add(struct e820_range *list, uint32_t *n, size_t max, uint64_t addr, uint64_t size,
	     uint32_t type, struct diag *d);

const char *e820_type_name(uint32_t type);

#endif
