/*
 * primes.c - a guest in C that does real work: it counts the primes below
 * 100000 and checks the count against the known one, pi(10^5) = 9592.
 *
 * A sieve of Eratosthenes over the odd numbers, one bit each. It crosses out
 * multiples of each prime p up to the square root of the bound, which it
 * computes in floating point: __builtin_sqrt of a double becomes SSE2's
 * sqrtsd (with -fno-math-errno, no libm call), and the printed root goes
 * through cvttsd2si - so the VP's SSE state must be its own. Every
 * character printed is an IO exit, between which the sidecar and the VMM
 * run their own code. The result goes to the VMM by main's return value
 * (rt/start.asm: the GUEST_CALL_RESULT hypercall).
 *
 * Runs on a sidecar CPU, in ring 3: `run <cpu> primes` in linux-stub,
 * `sidecarctl run <cpu> primes` under Linux.
 */
#include "guest.h"

#define BOUND 100000u
#define EXPECTED 9592u /* pi(100000): the primes below 10^5 */

static uint64_t composite[(BOUND / 2 + 63) / 64]; /* bit i: 2i + 1 is not prime */

static bool crossed(uint32_t odd)
{
	uint32_t i = odd / 2;
	return composite[i / 64] >> (i % 64) & 1;
}

static void cross(uint32_t odd)
{
	uint32_t i = odd / 2;
	composite[i / 64] |= 1ull << (i % 64);
}

/* The bound comes through a volatile so that the compiler cannot fold the
 * square root at compile time: the guest computes it. */
static volatile uint32_t bound = BOUND;

static uint32_t count_primes_below(uint32_t n, double *root)
{
	*root = __builtin_sqrt((double)n);
	uint32_t limit = (uint32_t)*root;
	for (uint32_t p = 3; p <= limit; p += 2)
		if (!crossed(p))
			for (uint32_t m = p * p; m < n; m += 2 * p)
				cross(m);
	uint32_t count = n > 2; /* 2, the one even prime */
	for (uint32_t odd = 3; odd < n; odd += 2)
		count += !crossed(odd);
	return count;
}

int main(void)
{
	uint32_t n = bound;
	double root;
	uint32_t count = count_primes_below(n, &root);
	uint64_t hundredths = (uint64_t)(root * 100.0);

	guest_puts("primes: ");
	guest_put_u64(count);
	guest_puts(" primes below ");
	guest_put_u64(n);
	guest_puts(" (sieved up to sqrt ");
	guest_put_u64(hundredths / 100);
	guest_putc('.');
	guest_putc((char)('0' + hundredths / 10 % 10));
	guest_putc((char)('0' + hundredths % 10));
	guest_puts(count == EXPECTED ? "), as expected\n" : "), expected 9592: WRONG\n");
	return count == EXPECTED ? 0 : 1;
}
