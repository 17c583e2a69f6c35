/*
 * bootparam.h - the Linux x86 boot protocol, the part a 64-bit loader uses.
 *
 * Documentation/arch/x86/boot.rst describes the "real-mode kernel header"
 * (struct setup_header, at offset 0x1f1 of a bzImage) and how a boot loader
 * fills it in; Documentation/arch/x86/zero-page.rst describes struct
 * boot_params, the 4 KiB "zero page" that holds a copy of the header and
 * everything else the kernel is told (memory map, command line, initrd,
 * ACPI RSDP). The offsets below are checked against those documents.
 */
#ifndef BOOTPARAM_H
#define BOOTPARAM_H

#include "e820.h"

#define SETUP_HEADER_OFFSET 0x1f1
#define BOOT_FLAG_MAGIC 0xaa55     /* boot.rst: boot_flag at 0x1fe */
#define SETUP_HDRS_MAGIC 0x53726448 /* "HdrS" at 0x202 */

/* loadflags (0x211) */
#define LOADED_HIGH 0x01 /* the protected-mode code is loaded at 0x100000 or above */
#define KEEP_SEGMENTS 0x40
#define CAN_USE_HEAP 0x80
/* xloadflags (0x236), protocol 2.12+ */
#define XLF_KERNEL_64 0x01 /* has the 64-bit entry point at code + 0x200 */
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02

struct __attribute__((packed)) setup_header {
	uint8_t setup_sects; /* 0x1f1: 512-byte setup sectors after the boot sector */
	uint16_t root_flags;
	uint32_t syssize; /* 0x1f4: protected-mode code size in 16-byte units */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag; /* 0x1fe: 0xaa55 */
	uint16_t jump;      /* 0x200 */
	uint32_t header;    /* 0x202: "HdrS" */
	uint16_t version;   /* 0x206: protocol version, e.g. 0x020f */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader; /* 0x210: 0xff = undefined loader */
	uint8_t loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image; /* 0x218 */
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr; /* 0x228 */
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment; /* 0x230 */
	uint8_t relocatable_kernel;
	uint8_t min_alignment;
	uint16_t xloadflags; /* 0x236 */
	uint32_t cmdline_size;
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;
	uint64_t pref_address; /* 0x258 */
	uint32_t init_size;    /* 0x260: memory the kernel needs from its load address */
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
};

struct __attribute__((packed)) boot_params {
	uint8_t screen_info[0x40];
	uint8_t apm_bios_info[0x14];
	uint8_t pad2[4];
	uint64_t tboot_addr;
	uint8_t ist_info[0x10];
	uint64_t acpi_rsdp_addr; /* 0x070, protocol 2.14 */
	uint8_t pad3[8];
	uint8_t hd0_info[16];
	uint8_t hd1_info[16];
	uint8_t sys_desc_table[16];
	uint8_t olpc_ofw_header[16];
	uint32_t ext_ramdisk_image; /* 0x0c0: high 32 bits */
	uint32_t ext_ramdisk_size;
	uint32_t ext_cmd_line_ptr;
	uint8_t pad4[0x74];
	uint8_t edid_info[0x80]; /* 0x140 */
	uint8_t efi_info[0x20];
	uint32_t alt_mem_k; /* 0x1e0 */
	uint32_t scratch;
	uint8_t e820_entries; /* 0x1e8 */
	uint8_t eddbuf_entries;
	uint8_t edd_mbr_sig_buf_entries;
	uint8_t kbd_status;
	uint8_t secure_boot;
	uint8_t pad5[2];
	uint8_t sentinel; /* 0x1ef: loaders that copy the header must leave 0 */
	uint8_t pad6[1];
	struct setup_header hdr; /* 0x1f1 */
	uint8_t pad7[0x290 - 0x1f1 - sizeof(struct setup_header)];
	uint32_t edd_mbr_sig_buffer[16];                /* 0x290 */
	struct e820_entry e820_table[E820_MAX_ENTRIES]; /* 0x2d0 */
	uint8_t pad8[48];
	uint8_t eddbuf[0x1ec]; /* 0xd00 */
	uint8_t pad9[276];
};

#define BP_OFFSET(f) __builtin_offsetof(struct boot_params, f)
_Static_assert(sizeof(struct setup_header) == 0x26c - 0x1f1, "setup_header ends at 0x26c");
_Static_assert(BP_OFFSET(acpi_rsdp_addr) == 0x070, "zero-page.rst: acpi_rsdp_addr");
_Static_assert(BP_OFFSET(ext_ramdisk_image) == 0x0c0, "zero-page.rst: ext_ramdisk_image");
_Static_assert(BP_OFFSET(ext_cmd_line_ptr) == 0x0c8, "zero-page.rst: ext_cmd_line_ptr");
_Static_assert(BP_OFFSET(e820_entries) == 0x1e8, "zero-page.rst: e820_entries");
_Static_assert(BP_OFFSET(sentinel) == 0x1ef, "zero-page.rst: sentinel");
_Static_assert(BP_OFFSET(hdr) == 0x1f1, "zero-page.rst: hdr");
_Static_assert(BP_OFFSET(hdr.cmd_line_ptr) == 0x228, "boot.rst: cmd_line_ptr");
_Static_assert(BP_OFFSET(hdr.pref_address) == 0x258, "boot.rst: pref_address");
_Static_assert(BP_OFFSET(e820_table) == 0x2d0, "zero-page.rst: e820_table");
_Static_assert(BP_OFFSET(eddbuf) == 0xd00, "zero-page.rst: eddbuf");
_Static_assert(sizeof(struct boot_params) == 4096, "the zero page is one page");

/*
 * What a loader needs to know about a bzImage (lib: bzimage.h users).
 * Lab 0 (labs/00-boot/bzimage.c) fills it from the image's setup header.
 */
struct bzimage_info {
	const struct setup_header *hdr; /* inside the image */
	uint16_t version;               /* boot protocol version */
	uint64_t setup_size;            /* bytes before the protected-mode code */
	uint64_t code_offset;           /* = setup_size */
	uint64_t code_size;             /* bytes of protected-mode code in the file */
	uint64_t init_size;             /* bytes the kernel needs where it is loaded */
	uint64_t alignment;             /* kernel_alignment (power of two) */
	uint64_t pref_address;
	bool relocatable;
	uint32_t cmdline_max; /* longest command line the kernel accepts */
};

/* The oldest protocol with a 64-bit entry point (xloadflags, boot.rst). */
#define BZIMAGE_MIN_VERSION 0x020c

int bzimage_parse(const void *image, size_t size, struct bzimage_info *out, struct diag *d);

#endif
