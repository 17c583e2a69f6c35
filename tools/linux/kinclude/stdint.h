/*
 * stdint.h for kernel builds - lets the sidecar driver include the ABI.
 *
 * include/sidecar.h, shared by every part of Sidecar OS, uses <stdint.h>.
 * A Linux module is built without the C library's headers (-nostdinc);
 * <linux/types.h> defines the same fixed-width types, so this is all the
 * module needs (tools/linux/Kbuild flags put this directory first).
 */
#ifndef SIDECAR_KERNEL_STDINT_H
#define SIDECAR_KERNEL_STDINT_H
#include <linux/types.h>
#endif
