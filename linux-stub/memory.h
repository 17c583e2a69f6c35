/*
 * memory.h - linux-stub/memory.c: zeroed, page-aligned pages of usable RAM
 * (e820), never freed.
 */
#ifndef MEMORY_H
#define MEMORY_H

#include <stddef.h>

/* NULL when there are not n free pages in a row. */
void *stub_alloc_pages(size_t n);

#endif
