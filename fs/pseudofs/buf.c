/* Growable text buffers for generated files (see buf.h). */
#include "fs/pseudofs/buf.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

#define PFS_BUF_FIRST 256

void pfs_buf_init(struct pfs_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}

void pfs_buf_free(struct pfs_buf *b)
{
	kfree(b->data);
	pfs_buf_init(b);
}

/* Make room for n more bytes plus a NUL (kvsnprintf always writes one). */
static bool pfs_grow(struct pfs_buf *b, size_t n)
{
	size_t want = b->len + n + 1, cap = b->cap ? b->cap : PFS_BUF_FIRST;
	char *p;

	if (b->err)
		return false;
	if (want <= b->cap)
		return true;
	if (want > PFS_BUF_MAX) {
		b->err = -EFBIG;
		return false;
	}
	while (cap < want)
		cap *= 2;
	if (cap > PFS_BUF_MAX)
		cap = PFS_BUF_MAX;
	p = kmalloc(cap, GFP_KERNEL);
	if (!p) {
		b->err = -ENOMEM;
		return false;
	}
	if (b->len)
		memcpy(p, b->data, b->len);
	kfree(b->data);
	b->data = p;
	b->cap = cap;
	return true;
}

void *pfs_reserve(struct pfs_buf *b, size_t n)
{
	return pfs_grow(b, n) ? b->data + b->len : NULL;
}

void pfs_commit(struct pfs_buf *b, size_t n)
{
	if (!b->err)
		b->len += n;
}

void pfs_write(struct pfs_buf *b, const void *p, size_t n)
{
	void *dst = pfs_reserve(b, n);

	if (dst) {
		memcpy(dst, p, n);
		pfs_commit(b, n);
	}
}

void pfs_printf(struct pfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!pfs_grow(b, 0))
		return;
	va_start(ap, fmt);
	n = kvsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		/* Did not fit: grow to the length it told us, format again. */
		if (!pfs_grow(b, (size_t)n))
			return;
		va_start(ap, fmt);
		kvsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}
