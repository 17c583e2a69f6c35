/*
 * wake.h - linux-stub/wake.c: the monitor's "wake" command (lab 3's round trips),
 * and a sort the other measuring commands share.
 */
#ifndef WAKE_H
#define WAKE_H

#include <stddef.h>
#include <stdint.h>

int cmd_wake(int argc, char **argv);
/* Sort n numbers in place, smallest first. */
void sort_u64(uint64_t *v, size_t n);

#endif
