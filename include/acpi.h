/*
 * acpi.h - the ACPI tables the shim and linux-stub read.
 *
 * ACPI Specification 6.5: 5.2.5 RSDP, 5.2.6 the system description table
 * header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.12 MADT, 5.2.16 SRAT. All tables are
 * little-endian and byte-packed; a table is valid when all of its bytes,
 * checksum included, add up to zero modulo 256.
 */
#ifndef ACPI_H
#define ACPI_H

#include "diag.h"

/* Where a BIOS puts the RSDP (ACPI 6.5, 5.2.5.1): on a 16-byte boundary in
 * the read-only area 0xe0000-0xfffff. Its first 20 bytes (the ACPI 1.0
 * part, which every RSDP has) sum to zero. */
#define ACPI_BIOS_RSDP_START 0xe0000
#define ACPI_BIOS_RSDP_END   0x100000
#define ACPI_RSDP_V1_LENGTH  20

struct __attribute__((packed)) acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0 for ACPI 1.0, 2 for 2.0 and later */
	uint32_t rsdt_address;
	/* ACPI 2.0+ only: */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* over all `length` bytes */
	uint8_t reserved[3];
};

struct __attribute__((packed)) acpi_sdt_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
};

/* 5.2.12 MADT: the header, two fields, then interrupt controller structures,
 * each starting with u8 type and u8 length. */
struct __attribute__((packed)) acpi_madt {
	struct acpi_sdt_header header;
	uint32_t local_apic_address;
	uint32_t flags;
};

enum {
	MADT_LOCAL_APIC = 0,   /* 5.2.12.2 Processor Local APIC, 8 bytes */
	MADT_LOCAL_X2APIC = 9, /* 5.2.12.12 Processor Local x2APIC, 16 bytes */
};

/* Table 5.23 Local APIC flags. */
#define MADT_ENABLED 0x1
#define MADT_ONLINE_CAPABLE 0x2

struct __attribute__((packed)) madt_entry {
	uint8_t type;
	uint8_t length;
};

struct __attribute__((packed)) madt_local_apic {
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
};

struct __attribute__((packed)) madt_local_x2apic {
	uint8_t type, length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t processor_uid;
};

/* 5.2.16 SRAT: header, 12 reserved bytes, then affinity structures. */
struct __attribute__((packed)) acpi_srat {
	struct acpi_sdt_header header;
	uint32_t reserved1; /* must be 1 */
	uint64_t reserved2;
};

enum {
	SRAT_CPU_AFFINITY = 0,    /* 5.2.16.1, 16 bytes */
	SRAT_MEMORY_AFFINITY = 1, /* 5.2.16.2, 40 bytes */
	SRAT_X2APIC_AFFINITY = 2, /* 5.2.16.3, 24 bytes */
};
#define SRAT_ENABLED 0x1

struct __attribute__((packed)) srat_cpu_affinity {
	uint8_t type, length;
	uint8_t proximity_lo;
	uint8_t apic_id;
	uint32_t flags;
	uint8_t sapic_eid;
	uint8_t proximity_hi[3];
	uint32_t clock_domain;
};

struct __attribute__((packed)) srat_memory_affinity {
	uint8_t type, length;
	uint32_t proximity;
	uint16_t reserved1;
	uint64_t base;
	uint64_t length_bytes;
	uint32_t reserved2;
	uint32_t flags;
	uint64_t reserved3;
};

struct __attribute__((packed)) srat_x2apic_affinity {
	uint8_t type, length;
	uint16_t reserved1;
	uint32_t proximity;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t clock_domain;
	uint32_t reserved2;
};

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes (ACPI 5.2.5.3)");
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header is 36 bytes");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT fixed part");
_Static_assert(sizeof(struct madt_local_apic) == 8, "MADT type 0");
_Static_assert(sizeof(struct madt_local_x2apic) == 16, "MADT type 9");
_Static_assert(sizeof(struct acpi_srat) == 48, "SRAT fixed part");
_Static_assert(sizeof(struct srat_cpu_affinity) == 16, "SRAT type 0");
_Static_assert(sizeof(struct srat_memory_affinity) == 40, "SRAT type 1");
_Static_assert(sizeof(struct srat_x2apic_affinity) == 24, "SRAT type 2");

/*
 * Physical memory as the parser sees it. In the images memory is identity
 * mapped and map() checks the range is mapped; in the unit tests it points
 * into a buffer that pretends to be physical memory. map() returns NULL
 * when [pa, pa + len) cannot be read.
 */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t pa, size_t len);
	void *ctx;
};

/* Sum of the bytes; a valid table sums to 0. */
uint8_t acpi_sum(const void *p, size_t len);

/* Check an RSDP copy of len bytes; returns 0 and the root table's address. */
int acpi_check_rsdp(const void *rsdp, size_t len, uint64_t *root_pa, bool *is_xsdt,
		    struct diag *d);

/* The root table's entries (ACPI 6.5, 5.2.7 and 5.2.8): physical addresses
 * of the other tables, 4 bytes each in the RSDT, 8 in the XSDT, from offset
 * 36 (so an XSDT's are not 8-byte aligned). root->length must be at least
 * the header's size. */
size_t acpi_root_count(const struct acpi_sdt_header *root, bool is_xsdt);
uint64_t acpi_root_entry(const struct acpi_sdt_header *root, bool is_xsdt, size_t i);

/* Find the first table with this signature through the RSDT or XSDT; checks
 * each header, length and checksum it visits. */
int acpi_find_table(const struct acpi_mem *mem, uint64_t root_pa, bool is_xsdt,
		    const char sig[4], const struct acpi_sdt_header **out, struct diag *d);

/*
 * Lab 0 (labs/00-boot/madt_walk.c): call fn once for each enabled processor
 * in the MADT (Local APIC and Local x2APIC structures whose Enabled flag is
 * set), in table order. madt->header.length bytes may be read; the checksum
 * was already checked. Returns 0, fn's first non-zero result, or a negative
 * error with d filled in.
 */
struct madt_cpu {
	uint32_t apic_id;
	uint32_t processor_uid;
	bool x2apic; /* found in a Local x2APIC structure */
};
typedef int (*madt_cpu_fn)(const struct madt_cpu *cpu, void *ctx);
int madt_walk(const struct acpi_madt *madt, madt_cpu_fn fn, void *ctx, struct diag *d);

/* SRAT walk (lib/portable/acpi.c): enabled CPU and memory affinities in table order. */
struct srat_visitor {
	int (*cpu)(void *ctx, uint32_t apic_id, uint32_t proximity);
	int (*memory)(void *ctx, uint64_t base, uint64_t length, uint32_t proximity);
	void *ctx;
};
int srat_walk(const struct acpi_srat *srat, const struct srat_visitor *v, struct diag *d);

#endif
