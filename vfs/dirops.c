/*
 * Directory changes: mkdir, mknod, symlink, link, unlink, rmdir, and
 * readlink. Each resolves the parent directory, takes its i_mutex, looks
 * the last name up under it (so existence checks and the change are one
 * atomic step), checks Linux's rules in Linux's order, and calls the file
 * system. A removed inode's dentry is dropped, not made negative, so
 * whoever holds it keeps a valid inode.
 */
#include "vfs/internal.h"
#include "vfs/path.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/string.h"

struct dirop {
	struct nameidata nd;
	struct inode *dir;
	struct dentry *d;               /* the last name, held */
};

/* Resolve name's parent, lock it and look the last name up. dot_err is
 * returned for ".", ".." or "/" as the last component. */
static int dirop_begin(struct dirop *op, const struct vfs_ctx *ctx,
		       struct file *at, const char *name, int dot_err)
{
	int err = nd_init(&op->nd, ctx, at, name, 0);

	op->dir = NULL;
	op->d = NULL;
	if (!err)
		err = nd_walk_parent(&op->nd);
	if (!err && op->nd.last_dot)
		err = dot_err;
	if (err)
		return err;
	op->dir = d_inode(op->nd.cur.dentry);
	mutex_lock(&op->dir->i_mutex);
	op->d = lookup_locked(op->nd.cur.dentry, op->nd.last, op->nd.last_len);
	if (IS_ERR(op->d)) {
		err = (int)PTR_ERR(op->d);
		op->d = NULL;
	}
	return err;
}

static void dirop_end(struct dirop *op)
{
	if (op->d)
		dput(op->d);
	if (op->dir)
		mutex_unlock(&op->dir->i_mutex);
	nd_free(&op->nd);
}

/* The checks every create makes once the name is known to be free. */
static int may_create(struct dirop *op)
{
	int err;

	if (d_inode(op->d))
		return -EEXIST;
	if (!op->dir->i_nlink)
		return -ENOENT;
	err = may_modify_dir(op->nd.ctx, op->dir, NULL);
	return err ? err : mnt_want_write(&op->nd.cur);
}

int vfs_mkdir(const struct vfs_ctx *ctx, struct file *at, const char *name, u32 mode)
{
	struct dirop op;
	struct inode *inode;
	int err = dirop_begin(&op, ctx, at, name, -EEXIST);

	if (!err)
		err = may_create(&op);
	if (!err && !op.dir->i_op->mkdir)
		err = -EPERM;
	if (!err)
		err = op.dir->i_op->mkdir(op.dir, op.d->d_name, op.d->d_len,
					  mode & 07777 & ~fs_umask(ctx),
					  ctx->fsuid, ctx->fsgid, &inode);
	if (!err)
		d_instantiate(op.d, inode);
	dirop_end(&op);
	return err;
}

int vfs_mknod(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 mode, dev_t rdev)
{
	struct dirop op;
	struct inode *inode;
	int err;

	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	switch (mode & S_IFMT) {
	case S_IFCHR:
	case S_IFBLK:
		if (ctx->fsuid != 0)
			return -EPERM;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		rdev = 0;
		break;
	default:
		return -EINVAL;
	}
	err = dirop_begin(&op, ctx, at, name, -EEXIST);
	if (!err)
		err = may_create(&op);
	if (!err && op.nd.last_slash)
		err = -ENOENT;
	if (!err && !op.dir->i_op->mknod)
		err = -EPERM;
	if (!err)
		err = op.dir->i_op->mknod(op.dir, op.d->d_name, op.d->d_len,
					  (mode & S_IFMT) | (mode & 07777 & ~fs_umask(ctx)),
					  rdev, ctx->fsuid, ctx->fsgid, &inode);
	if (!err)
		d_instantiate(op.d, inode);
	dirop_end(&op);
	return err;
}

int vfs_symlink(const struct vfs_ctx *ctx, const char *target, struct file *at,
		const char *name)
{
	struct dirop op;
	struct inode *inode;
	long tlen = path_check_len(target);
	int err;

	if (tlen < 0)
		return (int)tlen;
	if (!tlen)
		return -ENOENT;
	err = dirop_begin(&op, ctx, at, name, -EEXIST);
	if (!err)
		err = may_create(&op);
	if (!err && op.nd.last_slash)
		err = -ENOENT;
	if (!err && !op.dir->i_op->symlink)
		err = -EPERM;
	if (!err)
		err = op.dir->i_op->symlink(op.dir, op.d->d_name, op.d->d_len,
					    target, ctx->fsuid, ctx->fsgid, &inode);
	if (!err)
		d_instantiate(op.d, inode);
	dirop_end(&op);
	return err;
}

int vfs_link(const struct vfs_ctx *ctx, struct file *old_at, const char *old_name,
	     struct file *new_at, const char *new_name, u32 at_flags)
{
	struct path old;
	struct inode *src;
	struct dirop op;
	int err;

	if (at_flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup_at(ctx, old_at, old_name, at_flags, false, &old);
	if (err)
		return err;
	src = d_inode(old.dentry);
	err = dirop_begin(&op, ctx, new_at, new_name, -EEXIST);
	if (!err && S_ISDIR(src->i_mode))
		err = -EPERM;
	if (!err)
		err = may_create(&op);
	if (!err && op.nd.cur.mnt != old.mnt)
		err = -EXDEV;
	if (!err && op.nd.last_slash)
		err = -ENOENT;
	if (!err && !op.dir->i_op->link)
		err = -EPERM;
	if (!err) {
		/* Directories before non-directories: src is not one. */
		mutex_lock(&src->i_mutex);
		if (!src->i_nlink)
			err = -ENOENT;
		else
			err = op.dir->i_op->link(src, op.dir, op.d->d_name, op.d->d_len);
		mutex_unlock(&src->i_mutex);
	}
	if (!err) {
		ihold(src);
		d_instantiate(op.d, src);
	}
	dirop_end(&op);
	path_put(&old);
	return err;
}

int vfs_unlink(const struct vfs_ctx *ctx, struct file *at, const char *name)
{
	struct dirop op;
	struct inode *victim = NULL;
	int err = dirop_begin(&op, ctx, at, name, -EISDIR);

	if (!err) {
		victim = d_inode(op.d);
		if (!victim)
			err = -ENOENT;
		else if (S_ISDIR(victim->i_mode))
			err = -EISDIR;
		else if (op.nd.last_slash)
			err = -ENOTDIR;
	}
	if (!err)
		err = may_modify_dir(ctx, op.dir, victim);
	if (!err)
		err = mnt_want_write(&op.nd.cur);
	if (!err && READ_ONCE(op.d->d_mounted))
		err = -EBUSY;
	if (!err && !op.dir->i_op->unlink)
		err = -EPERM;
	if (!err) {
		mutex_lock(&victim->i_mutex);
		err = op.dir->i_op->unlink(op.dir, op.d->d_name, op.d->d_len, victim);
		mutex_unlock(&victim->i_mutex);
	}
	if (!err)
		d_drop(op.d);
	dirop_end(&op);
	return err;
}

int vfs_rmdir(const struct vfs_ctx *ctx, struct file *at, const char *name)
{
	struct dirop op;
	struct inode *victim = NULL;
	int err = dirop_begin(&op, ctx, at, name, -EINVAL);

	if (err == -EINVAL && op.nd.last_dot) {
		/* rmdir("..") is ENOTEMPTY, rmdir("/") EBUSY, as on Linux. */
		if (op.nd.last_len == 2)
			err = -ENOTEMPTY;
		else if (!op.nd.last_len)
			err = -EBUSY;
	}
	if (!err) {
		victim = d_inode(op.d);
		if (!victim)
			err = -ENOENT;
		else if (!S_ISDIR(victim->i_mode))
			err = -ENOTDIR;
	}
	if (!err)
		err = may_modify_dir(ctx, op.dir, victim);
	if (!err)
		err = mnt_want_write(&op.nd.cur);
	if (!err && READ_ONCE(op.d->d_mounted))
		err = -EBUSY;
	if (!err && !op.dir->i_op->rmdir)
		err = -EPERM;
	if (!err) {
		mutex_lock(&victim->i_mutex);
		err = op.dir->i_op->rmdir(op.dir, op.d->d_name, op.d->d_len, victim);
		mutex_unlock(&victim->i_mutex);
	}
	if (!err) {
		d_drop(op.d);
		d_drop_children(op.d);
	}
	dirop_end(&op);
	return err;
}

int vfs_readlink(const struct vfs_ctx *ctx, struct file *at, const char *name,
		 char *buf, size_t size)
{
	struct inode *inode;
	struct path p;
	int err = vfs_lookup(ctx, at, name, name && *name ? 0 : LOOKUP_EMPTY, &p);

	if (err)
		return err;
	inode = d_inode(p.dentry);
	if (!S_ISLNK(inode->i_mode) || !inode->i_op || !inode->i_op->readlink)
		err = -EINVAL;
	else if (!size)
		err = -EINVAL;
	else
		err = inode->i_op->readlink(inode, buf, size);
	path_put(&p);
	return err;
}
