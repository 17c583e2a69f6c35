/*
 * fixtures.h - building the data the parsers read, byte by byte.
 *
 * The parsers under test read what GRUB, the firmware and a kernel build
 * leave in memory: multiboot2 information (Multiboot2 spec 3.6), ACPI tables
 * (ACPI 6.5, 5.2) and bzImage files (Linux Documentation/arch/x86/boot.rst).
 * The unit tests need both valid instances of each and instances broken in
 * exactly one way. These helpers make the valid ones - correct sizes,
 * alignment, padding and checksums - so that each test only spells out the
 * one thing it breaks. They also fake the two memory situations the parsers
 * must survive: physical memory that is only partly there (struct acpi_mem)
 * and data that ends right before an unreadable page.
 */
#ifndef FIXTURES_H
#define FIXTURES_H

#include <check.h>

#include "acpi.h"
#include "bootparam.h"
#include "mb2.h"

/* Every suite, for main.c. */
Suite *mb2_suite(void);
Suite *protocol_suite(void);
Suite *madt_suite(void);
Suite *bzimage_suite(void);
Suite *acpi_suite(void);
Suite *machine_suite(void);
Suite *e820_suite(void);
Suite *bootproto_suite(void);
Suite *cmdline_suite(void);
Suite *physmem_suite(void);
Suite *params_suite(void);
Suite *vpregs_suite(void);
Suite *fmt_suite(void);
Suite *mklab_suite(void);
Suite *decode_suite(void);
Suite *gva_suite(void);
Suite *registers_suite(void);
Suite *vmm_suite(void);
Suite *numa_suite(void);
Suite *ipi_suite(void);
Suite *remove_suite(void);

/* --- checking explanations ------------------------------------------------ */

/* Does d.msg contain any of the words (a NULL-terminated list)? Different,
 * equally good messages may name a problem differently ("total_size" or
 * "total size"), so a test lists the words it accepts. */
bool diag_mentions(const struct diag *d, ...) __attribute__((sentinel));

/* The call returned err and left a message in d that mentions one of the
 * words; with no words, any non-empty message will do. */
#define ck_assert_diag(result, err, d, ...)                                                  \
	do {                                                                                 \
		int r_ = (result);                                                           \
		ck_assert_msg(r_ == (err), "returned %d (%s), expected %d (%s); diag: \"%s\"", \
			      r_, diag_errname(r_), (err), diag_errname(err), (d).msg);      \
		ck_assert_msg((d).msg[0] != '\0', "error %d left no message in diag", r_);   \
		ck_assert_msg(diag_mentions(&(d), ##__VA_ARGS__, (const char *)NULL),        \
			      "diag \"%s\" does not name the problem (expected: %s)", (d).msg, \
			      #__VA_ARGS__);                                                 \
	} while (0)

/* --- memory that ends at an unreadable page ------------------------------ */

/* n bytes (n <= 2 pages) whose last byte is followed by a PROT_NONE page, so
 * that reading even one byte past the end kills the test (Check reports a
 * signal). Used to prove a parser stays inside the bounds it was given. */
void *guard_tail(size_t n);
void guard_free(void *p, size_t n);

/* --- multiboot2 information (Multiboot2 spec 3.6) ------------------------- */

#define MB2_BUILDER_SIZE 4096

struct mb2_builder {
	_Alignas(MB2_TAG_ALIGN) uint8_t buf[MB2_BUILDER_SIZE];
	size_t len; /* bytes used so far, always a multiple of 8 */
};

/* Start with the 8-byte header (total_size and reserved). */
void mb2b_init(struct mb2_builder *b);
/* Append a tag of type with n payload bytes (size = 8 + n), padded so the
 * next tag starts on an 8-byte boundary (spec 3.6.2). Returns the tag, so a
 * test can break it afterwards. */
struct mb2_tag *mb2b_tag(struct mb2_builder *b, uint32_t type, const void *payload, size_t n);
/* A tag whose payload is a NUL-terminated string (command line, loader name). */
struct mb2_tag *mb2b_string(struct mb2_builder *b, uint32_t type, const char *s);
/* 3.6.6 a module tag; 3.6.8 a memory map tag with entry_size 24, version 0. */
struct mb2_tag_module *mb2b_module(struct mb2_builder *b, uint32_t start, uint32_t end,
				   const char *string);
struct mb2_tag_mmap *mb2b_mmap(struct mb2_builder *b, const struct mb2_mmap_entry *e, size_t n);
/* Set total_size to the bytes appended so far, with no end tag. */
void *mb2b_seal(struct mb2_builder *b);
/* Append the end tag (type 0, size 8) and seal: a complete information. */
void *mb2b_finish(struct mb2_builder *b);
/* A typical valid information: a command line, one module, a memory map. */
void *mb2b_typical(struct mb2_builder *b);

/* --- fake physical memory for ACPI (struct acpi_mem) ---------------------- */

#define FAKE_PHYS_SIZE 0x10000

struct fake_phys {
	uint64_t base; /* the physical address of mem[0] */
	size_t used;
	struct acpi_mem acpi; /* map() returns NULL outside [base, base + SIZE) */
	_Alignas(16) uint8_t mem[FAKE_PHYS_SIZE];
};

void phys_init(struct fake_phys *p, uint64_t base);
/* Copy n bytes to the next free 16-byte aligned address; return it. */
uint64_t phys_put(struct fake_phys *p, const void *data, size_t n);
/* The host pointer behind a physical address inside the fake memory. */
void *phys_at(struct fake_phys *p, uint64_t pa);

/* --- ACPI tables (ACPI 6.5, 5.2.6 header and checksum) -------------------- */

struct acpi_table {
	_Alignas(8) uint8_t data[4096];
	size_t len;
};

/* A header with signature sig followed by fixed - 36 zero bytes. */
void table_init(struct acpi_table *t, const char sig[4], size_t fixed);
void *table_add(struct acpi_table *t, const void *p, size_t n);
/* Set header.length to the bytes so far and make the checksum right. */
struct acpi_sdt_header *table_finish(struct acpi_table *t);
/* Recompute only the checksum (after a test changed a field on purpose). */
void table_fix_checksum(struct acpi_sdt_header *h);
/* Finish t and copy it into the fake memory; return its address. */
uint64_t phys_put_table(struct fake_phys *p, struct acpi_table *t);

/* 5.2.12 MADT: local APIC address 0xfee00000, flags PCAT_COMPAT. */
void madt_init(struct acpi_table *t);
void madt_add_lapic(struct acpi_table *t, uint8_t uid, uint8_t apic_id, uint32_t flags);
void madt_add_x2apic(struct acpi_table *t, uint32_t x2apic_id, uint32_t uid, uint32_t flags);
/* 5.2.12.3 I/O APIC (type 1, 12 bytes): not a processor. */
void madt_add_ioapic(struct acpi_table *t, uint8_t id, uint32_t address, uint32_t gsi_base);
#define MADT_TEST_LAPIC_ADDRESS 0xfee00000u

/* 5.2.16 SRAT. */
void srat_init(struct acpi_table *t);
void srat_add_cpu(struct acpi_table *t, uint8_t apic_id, uint32_t proximity, uint32_t flags);
void srat_add_memory(struct acpi_table *t, uint64_t base, uint64_t length, uint32_t proximity,
		     uint32_t flags);
void srat_add_x2apic(struct acpi_table *t, uint32_t x2apic_id, uint32_t proximity,
		     uint32_t flags);

/* 5.2.7 RSDT (32-bit entries) and 5.2.8 XSDT (64-bit entries). */
uint64_t phys_put_rsdt(struct fake_phys *p, const uint64_t *tables, size_t n);
uint64_t phys_put_xsdt(struct fake_phys *p, const uint64_t *tables, size_t n);

/* 5.2.5.3 RSDP: v1 (revision 0, 20 bytes checked) and v2 (revision 2, 36
 * bytes, both checksums). rsdp_fix recomputes both after a change. */
void rsdp_v1(struct acpi_rsdp *r, uint32_t rsdt);
void rsdp_v2(struct acpi_rsdp *r, uint32_t rsdt, uint64_t xsdt);
void rsdp_fix(struct acpi_rsdp *r);

/* Place madt and srat (srat may be NULL) in p behind an RSDT (xsdt false)
 * or an XSDT, and make rsdp point at it. Returns the RSDP's length. */
size_t acpi_place(struct fake_phys *p, struct acpi_table *madt, struct acpi_table *srat,
		  bool xsdt, struct acpi_rsdp *rsdp);

/* --- bzImage (Documentation/arch/x86/boot.rst) ---------------------------- */

#define BZ_SETUP_SECTS 4
#define BZ_SETUP_SIZE ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_CODE_SIZE 0x1000
#define BZ_SIZE (BZ_SETUP_SIZE + BZ_CODE_SIZE)
#define BZ_INIT_SIZE 0x20000
#define BZ_PREF_ADDRESS 0x1000000
#define BZ_CMDLINE_SIZE 2048

/* A minimal valid image of BZ_SIZE bytes: BZ_SETUP_SECTS setup sectors after
 * the boot sector, then BZ_CODE_SIZE bytes of code; protocol 2.15, 64-bit,
 * relocatable with 2 MiB alignment. img must hold BZ_SIZE bytes. */
void bzimage_make(uint8_t *img);
struct setup_header *bz_hdr(uint8_t *img);

#endif
