/* User memory access (see uaccess.h): range checks around usercopy.S. */
#include "kernel/mm/uaccess.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"

/* usercopy.S: each returns what it could not do (bytes left), or for the
 * string copy the length, max if no NUL, or -EFAULT. */
size_t uaccess_copy(void *dst, const void *src, size_t n);
size_t uaccess_clear(void *dst, size_t n);
long uaccess_strncpy(char *dst, const char *src, size_t max);

bool access_ok(const void __user *p, size_t n)
{
	return n <= USER_END && (uintptr_t)p <= USER_END - n;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!access_ok(src, n))
		return -EFAULT;
	return uaccess_copy(dst, (const void *)src, n) ? -EFAULT : 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!access_ok(dst, n))
		return -EFAULT;
	return uaccess_copy((void *)dst, src, n) ? -EFAULT : 0;
}

int clear_user(void __user *dst, size_t n)
{
	if (!access_ok(dst, n))
		return -EFAULT;
	return uaccess_clear((void *)dst, n) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, const char __user *src, long count)
{
	uintptr_t a = (uintptr_t)src;
	size_t max;
	long n;

	if (count <= 0)
		return 0;
	if (a >= USER_END)
		return -EFAULT;
	/* Never read past the user half, even if count allows it. */
	max = MIN((size_t)count, USER_END - a);
	n = uaccess_strncpy(dst, (const char *)src, max);
	if (n == (long)max && max < (size_t)count)
		return -EFAULT;         /* the string runs into the kernel half */
	return n;
}
