/*
 * lab_boot.h - lab 0's API: the walkers of the boot parsers. They run in
 * the shim (mb2_walk, bzimage_parse, madt_walk), in linux-stub
 * (madt_walk) and on the host (the unit tests), on the BSP with interrupts
 * off; they touch nothing but the bytes they are given. Each is declared
 * beside the parser that calls it:
 *   mb2_walk()            include/mb2.h
 *   madt_walk()           include/acpi.h
 *   bzimage_parse()       include/bootparam.h
 */
#ifndef LAB_BOOT_H
#define LAB_BOOT_H

#include "lab.h"
#include "acpi.h"
#include "bootparam.h"
#include "mb2.h"

#endif
