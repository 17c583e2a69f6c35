/*
 * start_sidecar.h - shim/start_sidecar.c: start the sidecar kernel if
 * grub.cfg loaded one, and check a sidecar image's header.
 */
#ifndef START_SIDECAR_H
#define START_SIDECAR_H

#include "shim.h"

void shim_start_sidecar(struct shim *s);
int sidecar_image_check(const void *image, size_t size,
			const struct sidecar_image_header **out, struct diag *d);

#endif
