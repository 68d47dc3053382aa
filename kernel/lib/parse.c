/* Number parsing and glob matching: pure code, unit-tested on the host. */
#include "kernel/lib/string.h"
#include "kernel/lib/errno.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

int kstrtoull(const char *s, unsigned base, unsigned long long *out)
{
	unsigned long long v = 0;

	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		} else if (s[0] == '0' && s[1]) {
			base = 8;
			s++;
		} else {
			base = 10;
		}
	} else if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = digit_value(*s);

		if (d >= (int)base)
			return -EINVAL;
		if (v > (~0ULL - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

int kstrtoll(const char *s, unsigned base, long long *out)
{
	unsigned long long v;
	bool neg = false;
	int err;

	if (*s == '-') {
		neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	err = kstrtoull(s, base, &v);
	if (err)
		return err;
	if (neg) {
		if (v > (unsigned long long)INT64_MAX + 1)
			return -ERANGE;
		*out = (long long)(0 - v);
	} else {
		if (v > (unsigned long long)INT64_MAX)
			return -ERANGE;
		*out = (long long)v;
	}
	return 0;
}

bool glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	/* Iterative matcher: on mismatch, let the last '*' eat one more char. */
	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
