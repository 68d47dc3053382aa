/*
 * Per-process descriptor tables: the locking and file references around
 * the slot array of fdtable.c.
 *
 * files->lock (a mutex: growing the table allocates) protects the table
 * and the limit. A file found in the table is returned with its own
 * reference, so closing the descriptor in another thread never frees a
 * file still in use. Files are put after the lock is dropped: their
 * release may sleep.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/mm/kmalloc.h"

struct files *files_alloc(void)
{
	struct files *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	mutex_init(&t->lock, "files");
	atomic_set(&t->refs, 1);
	t->limit = FILES_DEFAULT_MAX;
	fdt_init(&t->t);
	return t;
}

struct files *files_copy(struct files *src)
{
	struct files *t = files_alloc();
	struct file *f;
	u32 n;

	if (!t)
		return NULL;
	mutex_lock(&src->lock);
	t->limit = src->limit;
	if (fdt_copy(&t->t, &src->t)) {
		mutex_unlock(&src->lock);
		fdt_free(&t->t);
		kfree(t);
		return NULL;
	}
	n = fdt_max_used(&t->t);
	for (u32 fd = 0; fd < n; fd++) {
		f = fdt_get(&t->t, fd);
		if (f)
			file_get(f);
	}
	mutex_unlock(&src->lock);
	return t;
}

void files_get(struct files *t)
{
	atomic_inc(&t->refs);
}

void files_put(struct files *t)
{
	struct file *f;
	u32 n;

	if (!atomic_dec_and_test(&t->refs))
		return;
	n = fdt_max_used(&t->t);
	for (u32 fd = 0; fd < n; fd++) {
		f = fdt_get(&t->t, fd);
		if (f)
			file_put(f);
	}
	fdt_free(&t->t);
	kfree(t);
}

int fd_install(struct files *t, struct file *file, u32 min, bool cloexec)
{
	int fd;

	mutex_lock(&t->lock);
	if (min >= t->limit) {
		mutex_unlock(&t->lock);
		return -EINVAL;
	}
	fd = fdt_find_free(&t->t, min, t->limit);
	if (fd >= 0)
		fdt_set(&t->t, (u32)fd, file, cloexec);
	mutex_unlock(&t->lock);
	return fd;
}

struct file *fd_get(struct files *t, int fd)
{
	struct file *f = NULL;

	if (fd < 0)
		return ERR_PTR(-EBADF);
	mutex_lock(&t->lock);
	f = fdt_get(&t->t, (u32)fd);
	if (f)
		file_get(f);
	mutex_unlock(&t->lock);
	return f ? f : ERR_PTR(-EBADF);
}

int fd_next(struct files *t, int fd)
{
	int found = -EBADF;
	u32 n;

	if (fd < 0)
		return -EBADF;
	mutex_lock(&t->lock);
	n = fdt_max_used(&t->t);
	for (u32 i = (u32)fd; i < n; i++) {
		if (fdt_get(&t->t, i)) {
			found = (int)i;
			break;
		}
	}
	mutex_unlock(&t->lock);
	return found;
}

int fd_close(struct files *t, int fd)
{
	struct file *f = NULL;

	if (fd < 0)
		return -EBADF;
	mutex_lock(&t->lock);
	if (fdt_get(&t->t, (u32)fd))
		f = fdt_set(&t->t, (u32)fd, NULL, false);
	mutex_unlock(&t->lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

int fd_dup_to(struct files *t, int oldfd, int newfd, bool cloexec)
{
	struct file *f, *old = NULL;
	int err;

	if (oldfd < 0 || newfd < 0)
		return -EBADF;
	mutex_lock(&t->lock);
	f = fdt_get(&t->t, (u32)oldfd);
	if (!f || (u32)newfd >= t->limit) {
		mutex_unlock(&t->lock);
		return -EBADF;
	}
	if (oldfd == newfd) {
		mutex_unlock(&t->lock);
		return newfd;
	}
	err = fdt_reserve(&t->t, (u32)newfd);
	if (err) {
		mutex_unlock(&t->lock);
		return err;
	}
	file_get(f);
	old = fdt_set(&t->t, (u32)newfd, f, cloexec);
	mutex_unlock(&t->lock);
	if (old)
		file_put(old);
	return newfd;
}

int fd_get_cloexec(struct files *t, int fd)
{
	int r = -EBADF;

	if (fd < 0)
		return r;
	mutex_lock(&t->lock);
	if (fdt_get(&t->t, (u32)fd))
		r = fdt_cloexec(&t->t, (u32)fd);
	mutex_unlock(&t->lock);
	return r;
}

int fd_set_cloexec(struct files *t, int fd, bool on)
{
	int r = -EBADF;

	if (fd < 0)
		return r;
	mutex_lock(&t->lock);
	if (fdt_get(&t->t, (u32)fd)) {
		fdt_set_cloexec(&t->t, (u32)fd, on);
		r = 0;
	}
	mutex_unlock(&t->lock);
	return r;
}

void files_close_on_exec(struct files *t)
{
	struct file *f;
	u32 n;

	mutex_lock(&t->lock);
	n = fdt_max_used(&t->t);
	for (u32 fd = 0; fd < n; fd++) {
		if (!fdt_cloexec(&t->t, fd) || !fdt_get(&t->t, fd))
			continue;
		f = fdt_set(&t->t, fd, NULL, false);
		/* Releasing may sleep: drop the lock around it. */
		mutex_unlock(&t->lock);
		file_put(f);
		mutex_lock(&t->lock);
		n = fdt_max_used(&t->t);
	}
	mutex_unlock(&t->lock);
}

int files_set_limit(struct files *t, u32 max)
{
	if (max > FILES_HARD_MAX)
		return -EINVAL;
	mutex_lock(&t->lock);
	t->limit = max;
	mutex_unlock(&t->lock);
	return 0;
}

u32 files_limit(struct files *t)
{
	u32 n;

	mutex_lock(&t->lock);
	n = t->limit;
	mutex_unlock(&t->lock);
	return n;
}
