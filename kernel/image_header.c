/*
 * image_header.c - the sidecar image's header: the first bytes of the flat
 * binary the shim loads from a GRUB module (struct sidecar_image_header,
 * include/sidecar.h). No CPU runs it; the shim reads it before anything
 * else (shim/start_sidecar.c: sidecar_image_check). kernel/kernel.ld puts
 * the .image_header section first and defines the sizes.
 */
#include "sidecar.h"
#include "start.h"

/* kernel/kernel.ld: where the image starts and how big it is, as symbols
 * whose addresses are the values. */
extern const char image_start[], image_file_size[], image_memory_size[];

__attribute__((section(".image_header"), used))
const struct sidecar_image_header sidecar_image_header = {
	.magic = SIDECAR_IMAGE_MAGIC,
	.abi_version = SIDECAR_ABI_VERSION,
	.header_size = sizeof(struct sidecar_image_header),
	.load_address = (uint64_t)image_start,
	.file_size = (uint64_t)image_file_size,
	.memory_size = (uint64_t)image_memory_size,
	.bsp_entry = (uint64_t)sidecar_start,
};
