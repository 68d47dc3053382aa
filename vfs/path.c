/*
 * Path component parsing. Kept free of VFS objects so the rules that
 * decide ENAMETOOLONG and trailing-slash handling are unit-tested on the
 * host (tests/unit/test_vfs_path.c).
 */
#include "vfs/path.h"
#include "kernel/lib/errno.h"
#include <linux/limits.h>

int path_next_comp(const char **p, struct path_comp *c)
{
	const char *s = *p, *e, *t;

	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	for (e = s; *e && *e != '/'; e++)
		if (e - s >= NAME_MAX)
			return -ENAMETOOLONG;
	for (t = e; *t == '/'; t++)
		;
	c->name = s;
	c->len = (size_t)(e - s);
	c->last = !*t;
	c->trailing_slash = c->last && t != e;
	*p = e;
	return 1;
}

long path_check_len(const char *name)
{
	for (long i = 0; i < PATH_MAX; i++)
		if (!name[i])
			return i;
	return -ENAMETOOLONG;
}

int path_check_name(const char *name, size_t len)
{
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (!len || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || !name[i])
			return -EINVAL;
	return 0;
}
