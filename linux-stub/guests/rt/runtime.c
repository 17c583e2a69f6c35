/*
 * runtime.c - what a C guest calls: its console, hypercalls, and the four
 * memory functions the compiler may call by itself (rt/guest.h). Runs in
 * ring 3 on a sidecar CPU; every out and vmcall here is an exit to the VMM.
 */
#include "guest.h"

#define COM1 0x3f8

void guest_putc(char c)
{
	__asm__ volatile("outb %0, %1" : : "a"(c), "Nd"((uint16_t)COM1)); /* an IO exit */
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

void guest_put_u64(uint64_t v)
{
	char digits[20];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		guest_putc(digits[--n]);
}

uint64_t guest_hypercall(uint64_t call, uint64_t arg)
{
	uint64_t answer;
	__asm__ volatile("vmcall" : "=a"(answer) : "a"(call), "D"(arg) : "memory");
	return answer;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d <= s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
