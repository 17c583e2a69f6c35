/*
 * parse.c - numbers typed by people: on the shim's command line, in monitor
 * commands. Decimal, or hexadecimal after "0x"; sizes may end in K, M or G.
 */
#include "klib.h"
#include "numa.h"

bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned digit;
		char c = s[i];
		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - digit) / base)
			return false; /* overflow */
		v = v * base + digit;
	}
	*out = v;
	return true;
}

bool parse_size(const char *s, size_t len, uint64_t *out)
{
	unsigned shift = 0;
	if (len > 0) {
		switch (s[len - 1]) {
		case 'K':
		case 'k':
			shift = 10;
			break;
		case 'M':
		case 'm':
			shift = 20;
			break;
		case 'G':
		case 'g':
			shift = 30;
			break;
		}
	}
	if (shift)
		len--;
	uint64_t v;
	if (!parse_u64(s, len, &v) || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = v << shift;
	return true;
}

bool parse_cpu_list(const char *s, size_t len, bool *set)
{
	/* Comma-separated CPU indexes or ranges "a-b", as Linux's cpulist format
	 * (Documentation/admin-guide/kernel-parameters.rst, "cpu lists"). */
	size_t i = 0;
	if (len == 0)
		return false;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ',')
			j++;
		size_t dash = i;
		while (dash < j && s[dash] != '-')
			dash++;
		uint64_t lo, hi;
		if (!parse_u64(s + i, dash - i, &lo))
			return false;
		hi = lo;
		if (dash < j && !parse_u64(s + dash + 1, j - dash - 1, &hi))
			return false;
		if (lo > hi || hi >= MAX_CPUS)
			return false;
		for (uint64_t c = lo; c <= hi; c++)
			set[c] = true;
		i = j + 1;
		if (j + 1 == len && s[j] == ',')
			return false; /* a trailing comma */
	}
	return true;
}
