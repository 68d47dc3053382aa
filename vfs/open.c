/*
 * open(2): resolving (and perhaps creating) the name, the checks Linux
 * makes in the order it makes them, connecting device nodes to their
 * drivers, O_TRUNC.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/string.h"

/* Create nd->last in nd->cur as a regular file, or find what is there.
 * *out: the dentry (held); *created says which. */
static int open_create(struct nameidata *nd, u32 flags, u32 mode,
		       struct dentry **out, bool *created)
{
	struct dentry *dir = nd->cur.dentry, *d;
	struct inode *di = d_inode(dir), *inode;
	int err;

	*created = false;
	mutex_lock(&di->i_mutex);
	d = lookup_locked(dir, nd->last, nd->last_len);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		goto out_unlock;
	}
	if (d_inode(d)) {
		err = (flags & O_EXCL) ? -EEXIST : 0;
		goto out_result;
	}
	if (!di->i_nlink) {
		err = -ENOENT;
		goto out_result;
	}
	err = may_modify_dir(nd->ctx, di, NULL);
	if (!err)
		err = mnt_want_write(&nd->cur);
	if (!err && !di->i_op->mknod)
		err = -EACCES;
	if (err)
		goto out_result;
	err = di->i_op->mknod(di, d->d_name, d->d_len,
			      S_IFREG | (mode & 07777 & ~fs_umask(nd->ctx)), 0,
			      nd->ctx->fsuid, nd->ctx->fsgid, &inode);
	if (!err) {
		d_instantiate(d, inode);
		*created = true;
	}
out_result:
	if (err)
		dput(d);
	else
		*out = d;
out_unlock:
	mutex_unlock(&di->i_mutex);
	return err;
}

static int open_truncate(struct file *f)
{
	struct inode *inode = f->f_inode;
	struct vfs_attr attr = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME };
	int err;

	if (!inode->i_op || !inode->i_op->setattr)
		return -EINVAL;
	attr.mtime = attr.ctime = vfs_now();
	mutex_lock(&inode->i_mutex);
	err = inode->i_op->setattr(inode, &attr);
	mutex_unlock(&inode->i_mutex);
	return err;
}

/* Checks and setup common to every open of a resolved path. */
static struct file *do_open(const struct vfs_ctx *ctx, const struct path *p,
			    u32 flags, bool created)
{
	struct inode *inode = d_inode(p->dentry);
	u32 mode = inode->i_mode;
	u32 acc = flags & O_ACCMODE;
	bool writing = acc != O_RDONLY;
	struct file *f;
	int err, mask = 0;

	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
			return ERR_PTR(-ENOTDIR);
		f = file_alloc(p, inode, flags);
		return f ? f : ERR_PTR(-ENOMEM);
	}
	if (S_ISLNK(mode))
		return ERR_PTR(-ELOOP);
	if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
		return ERR_PTR(-ENOTDIR);
	if (S_ISDIR(mode) && (writing || (flags & (O_CREAT | O_TRUNC))))
		return ERR_PTR(-EISDIR);
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (writing || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	if (!created) {
		err = inode_permission(ctx, inode, mask);
		if (err)
			return ERR_PTR(err);
	}
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && (p->mnt->mnt_flags & MS_NODEV))
		return ERR_PTR(-EACCES);
	if ((mask & MAY_WRITE) && (S_ISREG(mode) || S_ISDIR(mode))) {
		err = mnt_want_write(p);
		if (err)
			return ERR_PTR(err);
	}
	f = file_alloc(p, inode, flags);
	if (!f)
		return ERR_PTR(-ENOMEM);
	if (S_ISCHR(mode)) {
		f->f_op = chrdev_fops(inode->i_rdev);
		if (!f->f_op) {
			err = -ENXIO;
			goto out_put;
		}
	} else if (S_ISBLK(mode)) {
		f->f_op = &blkdev_fops;
	}
	if (f->f_op && f->f_op->open) {
		err = f->f_op->open(inode, f);
		if (err) {
			/* Not opened: no release for it. */
			f->f_op = NULL;
			goto out_put;
		}
	}
	if ((flags & O_TRUNC) && writing && S_ISREG(mode) && !created) {
		err = open_truncate(f);
		if (err)
			goto out_put;
	}
	return f;

out_put:
	file_put(f);
	return ERR_PTR(err);
}

struct file *vfs_open_path(const struct vfs_ctx *ctx, const struct path *p,
			   u32 flags)
{
	return do_open(ctx, p, flags & ~O_CREAT, false);
}

static int open_check_flags(u32 flags)
{
	if ((flags & O_ACCMODE) == O_ACCMODE && !(flags & O_PATH))
		return -EINVAL;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	return 0;
}

struct file *vfs_open(const struct vfs_ctx *ctx, struct file *at,
		      const char *name, u32 flags, u32 mode)
{
	struct nameidata nd;
	struct dentry *d = NULL;
	struct path p;
	struct file *f;
	bool created;
	int err;

	err = open_check_flags(flags);
	if (err)
		return ERR_PTR(err);
	if (!(flags & O_CREAT) || (flags & O_PATH)) {
		u32 lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;

		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		/* O_NOFOLLOW on a final symlink: resolve it as itself, and
		 * refuse it in do_open (-ELOOP), as Linux does. */
		err = vfs_lookup(ctx, at, name, lf, &p);
		if (err)
			return ERR_PTR(err);
		f = do_open(ctx, &p, flags & ~O_CREAT, false);
		path_put(&p);
		return f;
	}

	err = nd_init(&nd, ctx, at, name, 0);
	for (;;) {
		if (!err)
			err = nd_walk_parent(&nd);
		if (err)
			break;
		if (nd.last_dot || nd.last_slash) {
			err = -EISDIR;
			break;
		}
		err = open_create(&nd, flags, mode, &d, &created);
		if (err)
			break;
		if (S_ISLNK(d_inode(d)->i_mode) && !(flags & O_EXCL)) {
			/* Create through a final symlink: go on at its target. */
			if (flags & O_NOFOLLOW) {
				dput(d);
				err = -ELOOP;
				break;
			}
			err = nd_follow_link(&nd, d, "");
			dput(d);
			continue;
		}
		p.mnt = nd.cur.mnt;
		p.dentry = d;
		mnt_get(p.mnt);
		follow_mounts(&p);
		f = do_open(ctx, &p, flags, created);
		path_put(&p);
		nd_free(&nd);
		return f;
	}
	nd_free(&nd);
	return ERR_PTR(err);
}
