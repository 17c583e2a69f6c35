/*
 * linux_boot.h - shim/linux_boot.c (and shim/entry.asm's last jump): load
 * the "kernel" module by the Linux boot protocol and start it.
 */
#ifndef LINUX_BOOT_H
#define LINUX_BOOT_H

#include "shim.h"

/* Load the "kernel" module and jump to it; returns only on error (after
 * printing why). */
void shim_boot_linux(struct shim *s);
/* Choose and reserve the main kernel's place early. */
void shim_reserve_kernel(struct shim *s);

/* shim/entry.asm: into the kernel's 64-bit entry with the zero page in rsi. */
__attribute__((noreturn)) void boot_linux64(uint64_t entry, struct boot_params *bp);

#endif
