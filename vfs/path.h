/*
 * Path strings, component by component (pure: no VFS objects, host tested).
 * A path is split at '/' (runs of slashes count as one); each component is
 * at most NAME_MAX bytes and the whole string shorter than PATH_MAX.
 */
#ifndef VIREO_VFS_PATH_H
#define VIREO_VFS_PATH_H

#include "kernel/lib/types.h"

struct path_comp {
	const char *name;       /* not NUL-terminated: len bytes */
	size_t len;
	bool last;              /* nothing but slashes follows */
	bool trailing_slash;    /* last, and at least one slash follows */
};

/* Take the next component of *p (leading slashes skipped), advancing *p
 * past it: 1 and *c; 0 if none is left; -ENAMETOOLONG if it is longer
 * than NAME_MAX (*p is then unchanged). */
int path_next_comp(const char **p, struct path_comp *c);

static inline bool path_comp_is_dot(const struct path_comp *c)
{
	return c->len == 1 && c->name[0] == '.';
}

static inline bool path_comp_is_dotdot(const struct path_comp *c)
{
	return c->len == 2 && c->name[0] == '.' && c->name[1] == '.';
}

/* The length of name, or -ENAMETOOLONG if it has no NUL in PATH_MAX. */
long path_check_len(const char *name);

/* Whether a name is usable in a directory ("", ".", "..", or one with '/'
 * or longer than NAME_MAX is not): 0, -EINVAL or -ENAMETOOLONG. */
int path_check_name(const char *name, size_t len);

#endif
