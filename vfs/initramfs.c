/*
 * Unpacking an initramfs (cpio newc, the boot module) into the rootfs,
 * through the ordinary VFS calls as the kernel's own root context. Like
 * Linux: a name is relative to "/", hard links (same ino and nlink > 1)
 * become links to the first name seen, a directory that exists already
 * just takes the archive's mode and owner. A malformed archive stops the
 * unpacking with a message naming the offset and the problem; what was
 * unpacked before it stays.
 */
#include "vfs/internal.h"
#include "vfs/cpio.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

/* A name seen with nlink > 1, for the entries that link to it. */
struct cpio_link {
	u32 ino, dev_major, dev_minor;
	char *path;
	struct cpio_link *next;
};

struct unpack {
	const struct vfs_ctx *ctx;
	char *path;                     /* PATH_MAX scratch */
	char *target;                   /* PATH_MAX scratch */
	struct cpio_link *links;
	u32 files, dirs, others;
};

static int write_data(struct unpack *u, const struct cpio_entry *e, u32 flags)
{
	struct file *f = vfs_open(u->ctx, NULL, u->path, flags, e->mode & 07777);
	u64 pos = 0;
	ssize_t n = 0;

	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	while (pos < e->size) {
		n = vfs_write(f, VFS_KBUF(e->data + pos), e->size - pos, &pos);
		if (n <= 0)
			break;
	}
	file_put(f);
	return n < 0 ? (int)n : (pos < e->size ? -EIO : 0);
}

/* A regular file; hard links to an earlier name become vfs_link. */
static int unpack_file(struct unpack *u, const struct cpio_entry *e)
{
	struct cpio_link *l;

	if (e->nlink > 1) {
		for (l = u->links; l; l = l->next) {
			if (l->ino == e->ino && l->dev_major == e->dev_major &&
			    l->dev_minor == e->dev_minor) {
				int err = vfs_link(u->ctx, NULL, l->path, NULL, u->path, 0);

				/* newc stores the data with the last name. */
				if (!err && e->size)
					err = write_data(u, e, O_WRONLY | O_TRUNC);
				return err;
			}
		}
		l = kmalloc(sizeof(*l), GFP_KERNEL);
		if (l)
			l->path = kmalloc(strlen(u->path) + 1, GFP_KERNEL);
		if (!l || !l->path) {
			kfree(l);
			return -ENOMEM;
		}
		memcpy(l->path, u->path, strlen(u->path) + 1);
		l->ino = e->ino;
		l->dev_major = e->dev_major;
		l->dev_minor = e->dev_minor;
		l->next = u->links;
		u->links = l;
	}
	vfs_unlink(u->ctx, NULL, u->path);      /* replace, as Linux does */
	return write_data(u, e, O_WRONLY | O_CREAT | O_EXCL);
}

static int unpack_entry(struct unpack *u, const struct cpio_entry *e)
{
	struct __kernel_timespec t[2];
	const char *name = e->name;
	size_t len = e->namelen;
	int err;

	for (;;) {
		if (len && name[0] == '/') {
			name++;
			len--;
		} else if (len >= 2 && name[0] == '.' && name[1] == '/') {
			name += 2;
			len -= 2;
		} else {
			break;
		}
	}
	if (!len || (len == 1 && name[0] == '.'))
		return 0;       /* the root itself */
	if (len + 2 > PATH_MAX)
		return -ENAMETOOLONG;
	u->path[0] = '/';
	memcpy(u->path + 1, name, len);
	u->path[len + 1] = 0;

	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		err = vfs_mkdir(u->ctx, NULL, u->path, e->mode & 07777);
		if (err == -EEXIST)
			err = vfs_chmod(u->ctx, NULL, u->path, e->mode & 07777, 0);
		u->dirs++;
		break;
	case S_IFREG:
		err = unpack_file(u, e);
		u->files++;
		break;
	case S_IFLNK:
		if (e->size == 0 || e->size >= PATH_MAX)
			return -EINVAL;
		memcpy(u->target, e->data, e->size);
		u->target[e->size] = 0;
		vfs_unlink(u->ctx, NULL, u->path);
		err = vfs_symlink(u->ctx, u->target, NULL, u->path);
		u->others++;
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		vfs_unlink(u->ctx, NULL, u->path);
		err = vfs_mknod(u->ctx, NULL, u->path, e->mode,
				MKDEV(e->rdev_major, e->rdev_minor));
		/* A node under a mounted devfs exists already: keep it. */
		if (err == -EEXIST)
			return 0;
		u->others++;
		break;
	default:
		return -EINVAL;
	}
	if (err)
		return err;
	err = vfs_chown(u->ctx, NULL, u->path, e->uid, e->gid, AT_SYMLINK_NOFOLLOW);
	if (err || S_ISDIR(e->mode) || S_ISLNK(e->mode))
		return err;
	t[0].tv_sec = t[1].tv_sec = (s64)e->mtime;
	t[0].tv_nsec = t[1].tv_nsec = 0;
	return vfs_utimens(u->ctx, NULL, u->path, t, AT_SYMLINK_NOFOLLOW);
}

int initramfs_unpack(const void *buf, size_t len)
{
	struct unpack u = { .ctx = vfs_kernel_ctx() };
	struct cpio_entry e;
	struct cpio_link *l;
	const char *why = NULL;
	size_t off = 0, at;
	int r, err = 0;

	u.path = kmalloc(PATH_MAX, GFP_KERNEL);
	u.target = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!u.path || !u.target) {
		err = -ENOMEM;
		goto out_free;
	}
	for (;;) {
		at = off;
		r = cpio_next(buf, len, &off, &e, &why);
		if (r <= 0) {
			if (r < 0) {
				pr_err("initramfs: malformed archive at offset %lu: %s\n",
				       (unsigned long)at, why);
				err = r;
			}
			break;
		}
		err = unpack_entry(&u, &e);
		if (err) {
			pr_err("initramfs: %.*s: error %d\n", (int)e.namelen, e.name, err);
			break;
		}
	}
	if (!err)
		pr_info("initramfs: unpacked %u files, %u directories, %u others\n",
			u.files, u.dirs, u.others);
out_free:
	while ((l = u.links)) {
		u.links = l->next;
		kfree(l->path);
		kfree(l);
	}
	kfree(u.path);
	kfree(u.target);
	return err;
}
