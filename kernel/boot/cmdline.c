/* Kernel command-line parsing; see cmdline.h for the grammar. */
#include "kernel/boot/cmdline.h"
#include "kernel/lib/string.h"
#include "kernel/lib/errno.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One token: runs to the next whitespace outside double quotes. */
static const char *token_end(const char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && is_space(*s))
			break;
	}
	return s;
}

bool cmdline_next(const char **cursor, struct cmdline_param *p)
{
	const char *s = *cursor, *end, *eq;

	while (is_space(*s))
		s++;
	if (!*s)
		return false;
	end = token_end(s);
	if (end - s == 2 && s[0] == '-' && s[1] == '-')
		return false;
	*cursor = end;

	/* A token quoted as a whole ("key=a b") is unwrapped. */
	if (*s == '"' && end - s >= 2 && end[-1] == '"') {
		s++;
		end--;
	}
	p->key = s;
	eq = s;
	while (eq < end && *eq != '=')
		eq++;
	p->key_len = (size_t)(eq - s);
	if (eq < end) {
		p->val = eq + 1;
		p->val_len = (size_t)(end - eq - 1);
	} else {
		p->val = NULL;
		p->val_len = 0;
	}
	return true;
}

/* Copy src[0..len) to dst without double quotes; returns chars written. */
static size_t unquote(char *dst, size_t dstsz, const char *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (src[i] == '"')
			continue;
		if (n + 1 < dstsz)
			dst[n] = src[i];
		n++;
	}
	if (dstsz)
		dst[n < dstsz ? n : dstsz - 1] = '\0';
	return n;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t valsz)
{
	struct cmdline_param p;
	const char *cur = cmdline;
	size_t klen = strlen(key);
	bool found = false;

	while (cmdline_next(&cur, &p)) {
		if (p.key_len != klen || strncmp(p.key, key, klen))
			continue;
		found = true;
		if (val && valsz) {
			if (p.val)
				unquote(val, valsz, p.val, p.val_len);
			else
				val[0] = '\0';
		}
	}
	return found;
}

long cmdline_get_long(const char *cmdline, const char *key, long def)
{
	char buf[32];
	long long v;

	if (!cmdline_get(cmdline, key, buf, sizeof(buf)))
		return def;
	if (kstrtoll(buf, 0, &v))
		return def;
	return (long)v;
}

int cmdline_init_argv(const char *cmdline, char *buf, size_t bufsz,
		      char **argv, int max)
{
	const char *s = cmdline, *end;
	size_t used = 0;
	int argc = 0;

	/* Find a lone "--". */
	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s)
			return 0;
		end = token_end(s);
		if (end - s == 2 && s[0] == '-' && s[1] == '-')
			break;
		s = end;
	}
	s = end;
	for (;;) {
		size_t n;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		end = token_end(s);
		if (argc >= max || used >= bufsz)
			return -E2BIG;
		n = unquote(buf + used, bufsz - used, s, (size_t)(end - s));
		if (used + n + 1 > bufsz)
			return -E2BIG;
		argv[argc++] = buf + used;
		used += n + 1;
		s = end;
	}
	return argc;
}
