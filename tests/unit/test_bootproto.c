/*
 * test_bootproto.c - suite "bootproto": the zero page and the command line
 * for a bzImage (lib/portable/bootproto.c).
 *
 * Documentation/arch/x86/boot.rst: the loader copies the image's setup
 * header into the zero page - exactly as far as the byte at 0x201 says -
 * then writes its own fields (type_of_loader, vid_mode, code32_start,
 * cmd_line_ptr, the ramdisk fields) and the e820 map; an initrd must end
 * below initrd_addr_max. The struct bzimage_info is filled here by hand, so
 * this suite tests the framework's file and not lab 0's parser. These paths
 * are also fuzzed (tests/fuzz/fuzz_bzimage.c).
 */
#include "bootproto.h"
#include "fixtures.h"

static uint8_t img[BZ_SIZE];
static struct boot_params bp;

static const struct e820_range ram[] = {
	{0x0, 0x9fc00, E820_RAM},
	{0x100000, 0x1ff00000, E820_RAM},
};

static struct bzimage_info info_for(uint8_t *image)
{
	bzimage_make(image);
	struct setup_header *h = bz_hdr(image);
	return (struct bzimage_info){.hdr = h, .version = h->version, .code_offset = BZ_SETUP_SIZE,
				     .code_size = BZ_CODE_SIZE, .alignment = MiB(2),
				     .relocatable = true, .cmdline_max = BZ_CMDLINE_SIZE};
}

static struct bootproto_load plan(void)
{
	return (struct bootproto_load){.load = 0x1000000, .cmdline_pa = 0x20000,
				       .rsdp_pa = 0xf5b90, .firmware = ram,
				       .nfirmware = ARRAY_SIZE(ram)};
}

START_TEST(header_copied_and_loader_fields_written)
{
	struct bzimage_info k = info_for(img);
	struct bootproto_load l = plan();
	struct diag d = {""};

	bz_hdr(img)->type_of_loader = 0x12;
	ck_assert_int_eq(bootproto_fill(&bp, &k, &l, &d), 0);
	ck_assert_uint_eq(bp.hdr.boot_flag, BOOT_FLAG_MAGIC);
	ck_assert_uint_eq(bp.hdr.header, SETUP_HDRS_MAGIC);
	ck_assert_uint_eq(bp.hdr.version, bz_hdr(img)->version);
	ck_assert_uint_eq(bp.hdr.type_of_loader, 0xff);
	ck_assert_uint_eq(bp.hdr.vid_mode, 0xffff);
	ck_assert_uint_eq(bp.hdr.code32_start, 0x1000000);
	ck_assert_uint_eq(bp.hdr.cmd_line_ptr, 0x20000);
	ck_assert_uint_eq(bp.acpi_rsdp_addr, 0xf5b90);
	ck_assert_uint_eq(bp.e820_entries, 2);
	ck_assert_uint_eq(bp.sentinel, 0);
}
END_TEST

START_TEST(header_copy_stops_where_the_jump_says)
{
	struct bzimage_info k = info_for(img);
	struct bootproto_load l = plan();
	struct diag d = {""};

	/* boot.rst: the header ends at 0x202 + the byte at 0x201. With 0x62
	 * it ends at 0x264, after init_size: handover_offset (0x264) and
	 * kernel_info_offset (0x268) are not copied. */
	img[0x201] = 0x62;
	bz_hdr(img)->init_size = 0x123000;
	bz_hdr(img)->handover_offset = 0xbeef;
	bz_hdr(img)->kernel_info_offset = 0xcafe;
	ck_assert_int_eq(bootproto_fill(&bp, &k, &l, &d), 0);
	ck_assert_uint_eq(bp.hdr.init_size, 0x123000);
	ck_assert_uint_eq(bp.hdr.handover_offset, 0);
	ck_assert_uint_eq(bp.hdr.kernel_info_offset, 0);
}
END_TEST

/* Found by tests/fuzz/fuzz_bzimage.c: with a jump offset of 0 the header
 * "ends" at 0x202, and the zero page lacked even "HdrS" and the version. */
START_TEST(refuses_a_header_that_ends_too_soon)
{
	static const uint8_t jumps[] = {0x00, 0x20, 0x61};
	for (size_t i = 0; i < ARRAY_SIZE(jumps); i++) {
		struct bzimage_info k = info_for(img);
		struct bootproto_load l = plan();
		struct diag d = {""};
		img[0x201] = jumps[i];
		ck_assert_diag(bootproto_fill(&bp, &k, &l, &d), E_INVAL, d, "setup header");
	}
}
END_TEST

START_TEST(initrd_fields_and_initrd_addr_max)
{
	struct bzimage_info k = info_for(img);
	struct bootproto_load l = plan();
	struct diag d = {""};

	bz_hdr(img)->initrd_addr_max = 0x37ffffff;
	l.initrd_start = 0x2000000, l.initrd_end = 0x2100000;
	ck_assert_int_eq(bootproto_fill(&bp, &k, &l, &d), 0);
	ck_assert_uint_eq(bp.hdr.ramdisk_image, 0x2000000);
	ck_assert_uint_eq(bp.hdr.ramdisk_size, 0x100000);

	l.initrd_start = 0x37f00000, l.initrd_end = 0x38000001; /* one byte too high */
	ck_assert_diag(bootproto_fill(&bp, &k, &l, &d), E_RANGE, d, "initrd_addr_max");
	l.initrd_start = 0x3000000, l.initrd_end = 0x2000000;
	ck_assert_diag(bootproto_fill(&bp, &k, &l, &d), E_INVAL, d, "initrd");
}
END_TEST

START_TEST(addresses_must_fit_32_bits)
{
	struct bzimage_info k = info_for(img);
	struct bootproto_load l = plan();
	struct diag d = {""};

	l.cmdline_pa = GiB(4);
	ck_assert_diag(bootproto_fill(&bp, &k, &l, &d), E_RANGE, d, "command line");
	l = plan();
	l.load = GiB(4) + MiB(16);
	ck_assert_diag(bootproto_fill(&bp, &k, &l, &d), E_RANGE, d, "load");
}
END_TEST

START_TEST(cmdline_takes_module_words_and_sidecar)
{
	char buf[64];
	struct diag d = {""};

	ck_assert_int_eq(bootproto_cmdline(buf, sizeof(buf), "kernel console=ttyS0 quiet", 0x400000, &d), 0);
	ck_assert_str_eq(buf, "console=ttyS0 quiet sidecar=0x400000");
	ck_assert_int_eq(bootproto_cmdline(buf, sizeof(buf), "kernel", 0, &d), 0);
	ck_assert_str_eq(buf, "");
	/* GRUB's escapes (a backslash before \, ' and ") are undone. */
	ck_assert_int_eq(bootproto_cmdline(buf, sizeof(buf), "kernel \"a=sh -c \\'x\\' \\\\n $y\"", 0,
					   &d), 0);
	ck_assert_str_eq(buf, "\"a=sh -c 'x' \\n $y\"");
	/* Too long for the kernel's cmdline_size: refused, never cut short. */
	ck_assert_int_lt(bootproto_cmdline(buf, 16, "kernel console=ttyS0 quiet", 0x400000, &d), 0);
	ck_assert_msg(d.msg[0] != '\0', "no message");
}
END_TEST

Suite *bootproto_suite(void)
{
	Suite *s = suite_create("bootproto");
	TCase *t = tcase_create("zero page");
	tcase_add_test(t, header_copied_and_loader_fields_written);
	tcase_add_test(t, header_copy_stops_where_the_jump_says);
	tcase_add_test(t, refuses_a_header_that_ends_too_soon);
	tcase_add_test(t, initrd_fields_and_initrd_addr_max);
	tcase_add_test(t, addresses_must_fit_32_bits);
	tcase_add_test(t, cmdline_takes_module_words_and_sidecar);
	suite_add_tcase(s, t);
	return s;
}
