/*
 * Descriptor slots. Lowest-first allocation is what POSIX requires of
 * open/dup; `hint` skips the low, usually full, part of the table so a
 * process with many open files does not rescan from 0 each time. The
 * arrays double when full (bounded by the caller's limit), so growth is
 * amortised and a small process keeps a small table.
 */
#include "vfs/fdtable.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

#define BITS_WORDS(n) (((n) + 63) / 64)

void fdt_init(struct fdtable *t)
{
	memset(t, 0, sizeof(*t));
}

void fdt_free(struct fdtable *t)
{
	kfree(t->slot);
	kfree(t->cloexec);
	fdt_init(t);
}

static int fdt_grow(struct fdtable *t, u32 want)
{
	u32 size = t->size ? t->size : FDT_MIN_SIZE;
	struct file **slot;
	u64 *bits;

	while (size < want)
		size *= 2;
	if (size <= t->size)
		return 0;
	slot = kzalloc(size * sizeof(*slot), GFP_KERNEL);
	bits = kzalloc(BITS_WORDS(size) * sizeof(*bits), GFP_KERNEL);
	if (!slot || !bits) {
		kfree(slot);
		kfree(bits);
		return -ENOMEM;
	}
	if (t->size) {
		memcpy(slot, t->slot, t->size * sizeof(*slot));
		memcpy(bits, t->cloexec, BITS_WORDS(t->size) * sizeof(*bits));
	}
	kfree(t->slot);
	kfree(t->cloexec);
	t->slot = slot;
	t->cloexec = bits;
	t->size = size;
	return 0;
}

int fdt_reserve(struct fdtable *t, u32 fd)
{
	return fd < t->size ? 0 : fdt_grow(t, fd + 1);
}

int fdt_find_free(struct fdtable *t, u32 min, u32 limit)
{
	u32 fd = min > t->hint ? min : t->hint;
	int err;

	for (; fd < t->size && fd < limit; fd++)
		if (!t->slot[fd])
			return (int)fd;
	if (fd >= limit)
		return -EMFILE;
	err = fdt_reserve(t, fd);
	return err ? err : (int)fd;
}

struct file *fdt_set(struct fdtable *t, u32 fd, struct file *f, bool cloexec)
{
	struct file *old = t->slot[fd];

	t->slot[fd] = f;
	fdt_set_cloexec(t, fd, f && cloexec);
	t->used += (f != NULL) - (old != NULL);
	if (!f && fd < t->hint)
		t->hint = fd;
	else if (f && fd == t->hint)
		while (t->hint < t->size && t->slot[t->hint])
			t->hint++;
	return old;
}

struct file *fdt_get(const struct fdtable *t, u32 fd)
{
	return fd < t->size ? t->slot[fd] : NULL;
}

bool fdt_cloexec(const struct fdtable *t, u32 fd)
{
	return fd < t->size && (t->cloexec[fd / 64] >> (fd % 64)) & 1;
}

void fdt_set_cloexec(struct fdtable *t, u32 fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

int fdt_copy(struct fdtable *dst, const struct fdtable *src)
{
	int err = fdt_grow(dst, src->size);

	if (err)
		return err;
	if (src->size) {
		memcpy(dst->slot, src->slot, src->size * sizeof(*src->slot));
		memcpy(dst->cloexec, src->cloexec,
		       BITS_WORDS(src->size) * sizeof(*src->cloexec));
	}
	dst->used = src->used;
	dst->hint = src->hint;
	return 0;
}

u32 fdt_max_used(const struct fdtable *t)
{
	u32 n = t->size;

	while (n && !t->slot[n - 1])
		n--;
	return n;
}
