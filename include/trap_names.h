/*
 * trap_names.h - lib/trap_names.c: the SDM's name of each exception vector
 * ("page fault"), portable (the unit tests and sidecarctl use it too).
 */
#ifndef TRAP_NAMES_H
#define TRAP_NAMES_H

#include <stdint.h>

const char *trap_name(uint64_t vector);

#endif
