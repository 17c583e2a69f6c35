/*
 * mkbzimage - glue linux-stub's setup sectors and its 64-bit code into a
 * bzImage, and fill in the two header fields that depend on the code:
 *   syssize   (0x1f4) the code's size in 16-byte units,
 *   init_size (0x260) the memory the kernel needs from its load address
 *             (code + .bss), rounded up to a page.
 * (Documentation/arch/x86/boot.rst.) Linux's arch/x86/boot/tools/build.c
 * does the same job for Linux.
 *
 * usage: mkbzimage <setup.bin> <code.bin> <init_size> <out>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	unsigned char *buf = calloc(1, n + 16);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		exit(1);
	}
	fclose(f);
	*size = n;
	return buf;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s <setup.bin> <code.bin> <init_size> <out>\n", argv[0]);
		return 2;
	}
	size_t setup_size, code_size;
	unsigned char *setup = slurp(argv[1], &setup_size);
	unsigned char *code = slurp(argv[2], &code_size);
	unsigned long init_size = strtoul(argv[3], NULL, 0);

	if (setup_size != 1024 || setup[0x1fe] != 0x55 || setup[0x1ff] != 0xaa ||
	    memcmp(setup + 0x202, "HdrS", 4) != 0) {
		fprintf(stderr, "%s: not a 2-sector setup with a boot header\n", argv[1]);
		return 1;
	}
	size_t padded = (code_size + 15) & ~(size_t)15;
	if (init_size < padded)
		init_size = padded;
	init_size = (init_size + 4095) & ~4095ul;
	put32(setup + 0x1f4, (uint32_t)(padded / 16));
	put32(setup + 0x260, (uint32_t)init_size);

	FILE *out = fopen(argv[4], "wb");
	if (!out || fwrite(setup, 1, setup_size, out) != setup_size ||
	    fwrite(code, 1, padded, out) != padded || fclose(out) != 0) {
		perror(argv[4]);
		return 1;
	}
	return 0;
}
