/*
 * cmdline.c - reading and building kernel command lines.
 *
 * Follows Linux's next_arg() (lib/portable/cmdline.c in Linux): spaces separate
 * parameters, a double quote starts or ends a quoted part, and the quotes
 * are not part of the key or the value.
 */
#include "cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

bool cmdline_next(const char **cursor, struct cmdline_param *p)
{
	const char *s = *cursor;
	while (is_space(*s))
		s++;
	if (!*s) {
		*cursor = s;
		return false;
	}

	/* A parameter may open with a quote: "key=value with spaces". */
	bool leading_quote = *s == '"';
	if (leading_quote)
		s++;
	const char *start = s;
	const char *eq = NULL;
	bool in_quote = leading_quote;
	for (; *s; s++) {
		if (*s == '"')
			in_quote = !in_quote;
		else if (*s == '=' && !eq)
			eq = s;
		else if (is_space(*s) && !in_quote)
			break;
	}
	const char *end = s;
	*cursor = s;

	p->key = start;
	p->key_len = (eq ? eq : end) - start;
	p->value = NULL;
	p->value_len = 0;
	if (eq) {
		const char *v = eq + 1;
		const char *vend = end;
		if (v < vend && *v == '"')
			v++;
		if (vend > v && vend[-1] == '"')
			vend--;
		p->value = v;
		p->value_len = vend - v;
	} else if (leading_quote && p->key_len && start[p->key_len - 1] == '"') {
		p->key_len--;
	}
	return true;
}

bool cmdline_find(const char *cmdline, const char *key, struct cmdline_param *out)
{
	size_t n = strlen(key);
	bool found = false;
	struct cmdline_param p;
	const char *c = cmdline;
	while (cmdline_next(&c, &p)) {
		if (p.key_len == n && strncmp(p.key, key, n) == 0) {
			*out = p;
			found = true;
		}
	}
	return found;
}

int cmdline_append(char *buf, size_t size, const char *text, struct diag *d)
{
	size_t have = strnlen(buf, size);
	size_t add = strlen(text);
	size_t sep = have > 0 && add > 0;
	if (have == size || have + sep + add + 1 > size)
		return diag_fail(d, E_NOMEM, "cmdline: adding \"%s\" exceeds %zu bytes", text,
				 size - 1);
	if (sep)
		buf[have++] = ' ';
	memcpy(buf + have, text, add + 1);
	return 0;
}
