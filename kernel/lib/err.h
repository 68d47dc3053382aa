/* Pointers that carry a negative errno (the top 4095 addresses). */
#ifndef VIREO_LIB_ERR_H
#define VIREO_LIB_ERR_H

#include "kernel/lib/compiler.h"

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline int IS_ERR(const void *p)
{
	return unlikely((unsigned long)p >= (unsigned long)-MAX_ERRNO);
}
static inline int IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }

#endif
