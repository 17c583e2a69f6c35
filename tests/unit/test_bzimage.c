/*
 * test_bzimage.c - suite "bzimage": reading a kernel's setup header (lab 0).
 *
 * Linux Documentation/arch/x86/boot.rst: a bzImage starts with the boot
 * sector and setup_sects more 512-byte sectors (0 means 4); the setup header
 * at 0x1f1 carries boot_flag 0xaa55 (0x1fe), "HdrS" (0x202), the protocol
 * version (0x206), loadflags, syssize (code size in 16-byte units) and, from
 * 2.12 on, xloadflags with XLF_KERNEL_64. bzimage_parse()
 * (labs/00-boot/bzimage.c) must fill struct bzimage_info from a good image
 * and refuse a bad one with a message naming what is wrong. fixtures.c
 * builds a minimal valid image; each test below breaks one field of it.
 */
#include "fixtures.h"

static uint8_t img[BZ_SIZE + 0x4000];

/* --- valid images ----------------------------------------------------------- */

START_TEST(valid_image_fills_every_field)
{
	struct bzimage_info bi;
	struct diag d = {""};

	bzimage_make(img);
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
	ck_assert_ptr_eq(bi.hdr, img + SETUP_HEADER_OFFSET);
	ck_assert_uint_eq(bi.version, 0x020f);
	ck_assert_uint_eq(bi.setup_size, BZ_SETUP_SIZE);
	ck_assert_uint_eq(bi.code_offset, BZ_SETUP_SIZE);
	ck_assert_uint_eq(bi.code_size, BZ_CODE_SIZE);
	ck_assert_uint_eq(bi.init_size, BZ_INIT_SIZE);
	ck_assert_uint_eq(bi.alignment, MiB(2));
	ck_assert_uint_eq(bi.pref_address, BZ_PREF_ADDRESS);
	ck_assert_msg(bi.relocatable, "relocatable_kernel is 1");
	ck_assert_uint_eq(bi.cmdline_max, BZ_CMDLINE_SIZE);
}
END_TEST

START_TEST(setup_sects_zero_means_four)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* boot.rst: "If this field is 0, the real value is 4." */
	bzimage_make(img);
	bz_hdr(img)->setup_sects = 0;
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
	ck_assert_uint_eq(bi.setup_size, 5 * 512);
	ck_assert_uint_eq(bi.code_offset, 5 * 512);
	ck_assert_uint_eq(bi.code_size, BZ_SIZE - 5 * 512);
}
END_TEST

START_TEST(code_follows_setup_sectors)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* Seven setup sectors: the code starts at (7 + 1) * 512, and the file is
	 * one sector of code shorter than it would be with four. */
	bzimage_make(img);
	bz_hdr(img)->setup_sects = 7;
	bz_hdr(img)->syssize = (BZ_SIZE - 8 * 512) / 16;
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
	ck_assert_uint_eq(bi.setup_size, 8 * 512);
	ck_assert_uint_eq(bi.code_offset, 8 * 512);
	ck_assert_uint_eq(bi.code_size, BZ_SIZE - 8 * 512);
}
END_TEST

START_TEST(init_size_covers_the_code)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* The kernel needs at least its own code where it is loaded, whatever
	 * init_size says. */
	static const uint32_t sizes[] = {0, BZ_CODE_SIZE / 2};
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		bzimage_make(img);
		bz_hdr(img)->init_size = sizes[i];
		ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
		ck_assert_msg(bi.init_size == BZ_CODE_SIZE,
			      "init_size %u: got %lu, expected the code size %u", sizes[i],
			      (unsigned long)bi.init_size, BZ_CODE_SIZE);
	}
}
END_TEST

START_TEST(syssize_exactly_the_code)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* The boundary: syssize counting every byte of code is fine, and so is
	 * trailing data after the code that syssize does not count. */
	bzimage_make(img);
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE + 512, &bi, &d), 0);
	ck_assert_uint_eq(bi.code_size, BZ_CODE_SIZE + 512);
}
END_TEST

START_TEST(unaligned_image)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* A GRUB module may start anywhere; the header has 16- and 32-bit fields
	 * at odd offsets anyway (0x1f1 + ...). */
	bzimage_make(img + 1);
	ck_assert_int_eq(bzimage_parse(img + 1, BZ_SIZE, &bi, &d), 0);
	ck_assert_uint_eq(bi.code_size, BZ_CODE_SIZE);
	ck_assert_uint_eq(bi.version, 0x020f);
}
END_TEST

/* --- what is not a usable kernel ------------------------------------------- */

START_TEST(rejects_too_small)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* Too short to hold the magic numbers. */
	bzimage_make(img);
	ck_assert_diag(bzimage_parse(img, 0x100, &bi, &d), E_INVAL, d);
	d.msg[0] = '\0';
	ck_assert_diag(bzimage_parse(img, 0, &bi, &d), E_INVAL, d);
}
END_TEST

START_TEST(rejects_truncated_header_without_overreading)
{
	/* The image ends - at the end of readable memory - inside the setup
	 * header: in the middle of the version field (0x206), right after it,
	 * and before xloadflags (0x236) or init_size (0x260). Nothing past the
	 * end may be read to find out. */
	static const size_t sizes[] = {0x206, 0x207, 0x208, 0x236, 0x26b};
	bzimage_make(img);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct bzimage_info bi;
		struct diag d = {""};
		uint8_t *p = guard_tail(sizes[i]);
		memcpy(p, img, sizes[i]);
		int r = bzimage_parse(p, sizes[i], &bi, &d);
		ck_assert_msg(r == E_INVAL, "%zu-byte image: returned %d, expected E_INVAL",
			      sizes[i], r);
		ck_assert_msg(d.msg[0], "%zu-byte image: no message", sizes[i]);
		guard_free(p, sizes[i]);
	}
}
END_TEST

START_TEST(rejects_bad_boot_flag)
{
	struct bzimage_info bi;
	struct diag d = {""};

	bzimage_make(img);
	bz_hdr(img)->boot_flag = 0x55aa; /* byte-swapped */
	ck_assert_diag(bzimage_parse(img, BZ_SIZE, &bi, &d), E_INVAL, d, "boot_flag");
}
END_TEST

START_TEST(rejects_missing_hdrs)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* A boot sector without a setup header: a pre-2.0 kernel, or a disk. */
	bzimage_make(img);
	memcpy(&bz_hdr(img)->header, "HDRS", 4);
	ck_assert_diag(bzimage_parse(img, BZ_SIZE, &bi, &d), E_INVAL, d, "HdrS");
}
END_TEST

START_TEST(rejects_old_protocol)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* 2.11 has no xloadflags, so no 64-bit entry point; 2.12 is the first. */
	bzimage_make(img);
	bz_hdr(img)->version = 0x020b;
	ck_assert_diag(bzimage_parse(img, BZ_SIZE, &bi, &d), E_UNSUPPORTED, d, "2.11", "20b",
		       "20B", "protocol", "version");
	bz_hdr(img)->version = BZIMAGE_MIN_VERSION;
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
	ck_assert_uint_eq(bi.version, BZIMAGE_MIN_VERSION);
}
END_TEST

/* Refusals where E_INVAL (malformed) and E_UNSUPPORTED (a valid image we
 * cannot boot) are both honest answers. */
static void assert_refused(int r, const struct diag *d, const char *word1, const char *word2)
{
	ck_assert_msg(r == E_UNSUPPORTED || r == E_INVAL,
		      "returned %d (%s), expected E_UNSUPPORTED or E_INVAL; diag \"%s\"", r,
		      diag_errname(r), d->msg);
	ck_assert_msg(diag_mentions(d, word1, word2, (const char *)NULL),
		      "diag \"%s\" mentions neither %s nor %s", d->msg, word1, word2);
}

START_TEST(rejects_no_64bit_entry)
{
	struct bzimage_info bi;
	struct diag d = {""};

	bzimage_make(img);
	bz_hdr(img)->xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_refused(bzimage_parse(img, BZ_SIZE, &bi, &d), &d, "XLF_KERNEL_64", "xloadflags");
}
END_TEST

START_TEST(rejects_not_loaded_high)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* LOADED_HIGH clear: a zImage, whose code goes at 0x10000. */
	bzimage_make(img);
	bz_hdr(img)->loadflags = CAN_USE_HEAP;
	assert_refused(bzimage_parse(img, BZ_SIZE, &bi, &d), &d, "LOADED_HIGH", "loadflags");
}
END_TEST

START_TEST(rejects_setup_larger_than_file)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* 20 setup sectors: 10752 bytes before the code, in a 6656-byte file. */
	bzimage_make(img);
	bz_hdr(img)->setup_sects = 20;
	ck_assert_diag(bzimage_parse(img, BZ_SIZE, &bi, &d), E_INVAL, d, "setup");

	/* Setup exactly the whole file: no code at all, even if syssize agrees. */
	bz_hdr(img)->setup_sects = BZ_SETUP_SECTS;
	bz_hdr(img)->syssize = 0;
	d.msg[0] = '\0';
	ck_assert_diag(bzimage_parse(img, BZ_SETUP_SIZE, &bi, &d), E_INVAL, d, "setup", "code");
}
END_TEST

START_TEST(rejects_truncated_code)
{
	struct bzimage_info bi;
	struct diag d = {""};

	/* syssize says one paragraph more than the file holds. */
	bzimage_make(img);
	bz_hdr(img)->syssize = BZ_CODE_SIZE / 16 + 1;
	ck_assert_diag(bzimage_parse(img, BZ_SIZE, &bi, &d), E_INVAL, d, "syssize");

	/* The same: a good image cut short by a sector. */
	bz_hdr(img)->syssize = BZ_CODE_SIZE / 16;
	d.msg[0] = '\0';
	ck_assert_diag(bzimage_parse(img, BZ_SIZE - 512, &bi, &d), E_INVAL, d, "syssize");
}
END_TEST

START_TEST(rejects_bad_alignment)
{
	static const uint32_t aligns[] = {0, 0x300000, 0x1001};
	for (size_t i = 0; i < ARRAY_SIZE(aligns); i++) {
		struct bzimage_info bi;
		struct diag d = {""};
		bzimage_make(img);
		bz_hdr(img)->kernel_alignment = aligns[i];
		ck_assert_diag(bzimage_parse(img, BZ_SIZE, &bi, &d), E_INVAL, d, "alignment");
	}
}
END_TEST

/* Found by tests/fuzz/fuzz_bzimage.c: a kernel that is not relocatable may
 * carry any kernel_alignment (boot.rst: the field counts only "if
 * relocatable_kernel is true"); the alignment reported must still be a
 * power of two, since struct bzimage_info promises one. */
START_TEST(fixed_kernel_ignores_kernel_alignment)
{
	struct bzimage_info bi;
	struct diag d = {""};

	bzimage_make(img);
	bz_hdr(img)->relocatable_kernel = 0;
	bz_hdr(img)->kernel_alignment = 0x2000007f;
	ck_assert_int_eq(bzimage_parse(img, BZ_SIZE, &bi, &d), 0);
	ck_assert_msg(!bi.relocatable, "relocatable_kernel is 0");
	ck_assert_msg(bi.alignment && !(bi.alignment & (bi.alignment - 1)),
		      "alignment 0x%lx is not a power of two", (unsigned long)bi.alignment);
}
END_TEST

Suite *bzimage_suite(void)
{
	Suite *s = suite_create("bzimage");

	TCase *valid = tcase_create("valid");
	tcase_add_test(valid, valid_image_fills_every_field);
	tcase_add_test(valid, setup_sects_zero_means_four);
	tcase_add_test(valid, code_follows_setup_sectors);
	tcase_add_test(valid, init_size_covers_the_code);
	tcase_add_test(valid, syssize_exactly_the_code);
	tcase_add_test(valid, unaligned_image);
	tcase_add_test(valid, fixed_kernel_ignores_kernel_alignment);
	suite_add_tcase(s, valid);

	TCase *bad = tcase_create("refused");
	tcase_add_test(bad, rejects_too_small);
	tcase_add_test(bad, rejects_truncated_header_without_overreading);
	tcase_add_test(bad, rejects_bad_boot_flag);
	tcase_add_test(bad, rejects_missing_hdrs);
	tcase_add_test(bad, rejects_old_protocol);
	tcase_add_test(bad, rejects_no_64bit_entry);
	tcase_add_test(bad, rejects_not_loaded_high);
	tcase_add_test(bad, rejects_setup_larger_than_file);
	tcase_add_test(bad, rejects_truncated_code);
	tcase_add_test(bad, rejects_bad_alignment);
	suite_add_tcase(s, bad);
	return s;
}
