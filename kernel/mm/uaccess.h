/*
 * Touching user memory. The kernel reads and writes user addresses only
 * through these functions: a pointer into the kernel half is refused up
 * front, and a fault on a bad or unmapped user address is recovered
 * through the exception table (usercopy.S) and becomes -EFAULT. With SMAP
 * on, they are the only places where the kernel can touch user pages
 * (stac/clac around the access). They work on the address space loaded on
 * this CPU.
 */
#ifndef VIREO_MM_UACCESS_H
#define VIREO_MM_UACCESS_H

#include "kernel/lib/types.h"

/* Marks a user-space pointer (documentation only). */
#ifndef __user
#define __user
#endif

/* Is [p, p + n) entirely in the user half? */
bool access_ok(const void __user *p, size_t n);

/* 0, or -EFAULT if any byte could not be copied (then the destination
 * may hold a partial copy). */
int copy_from_user(void *dst, const void __user *src, size_t n);
int copy_to_user(void __user *dst, const void *src, size_t n);
/* 0, or -EFAULT. */
int clear_user(void __user *dst, size_t n);

/*
 * Copy a NUL-terminated string of at most count bytes (NUL included).
 * Returns its length without the NUL (the NUL is copied), count if there
 * was no NUL in the first count bytes (dst is then not terminated), or
 * -EFAULT.
 */
long strncpy_from_user(char *dst, const char __user *src, long count);

#endif
