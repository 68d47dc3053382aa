/*
 * rename(2). The hard part is locking two directories without deadlock
 * and without a directory being moved under its own subtree meanwhile:
 * a cross-directory rename first takes the super block's s_rename_mutex
 * (only such renames change ancestry, so with it held the tree's shape is
 * stable), then the directories ancestor first (unrelated ones by
 * address), then the source and target inodes by address. A rename
 * within one directory takes only that directory's lock.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/string.h"
#include <linux/fs.h>           /* RENAME_NOREPLACE */

static void lock_two(struct mutex *a, struct mutex *b)
{
	mutex_lock(a);
	if (b && b != a)
		mutex_lock(b);
}

static void unlock_two(struct mutex *a, struct mutex *b)
{
	if (b && b != a)
		mutex_unlock(b);
	mutex_unlock(a);
}

/* Lock the two parents: ancestor first, else by address. */
static void lock_dirs(struct dentry *d1, struct dentry *d2, struct mutex **first,
		      struct mutex **second)
{
	struct mutex *m1 = &d_inode(d1)->i_mutex, *m2 = &d_inode(d2)->i_mutex;

	if (d1 == d2) {
		*first = m1;
		*second = NULL;
	} else if (d_is_ancestor(d1, d2)) {
		*first = m1;
		*second = m2;
	} else if (d_is_ancestor(d2, d1)) {
		*first = m2;
		*second = m1;
	} else {
		*first = m1 < m2 ? m1 : m2;
		*second = m1 < m2 ? m2 : m1;
	}
	lock_two(*first, *second);
}

/* Linux's checks once both names are looked up (parents locked). */
static int rename_check(const struct vfs_ctx *ctx, struct nameidata *on,
			struct nameidata *nn, struct dentry *od, struct dentry *nd,
			u32 flags)
{
	struct inode *odir = d_inode(on->cur.dentry), *ndir = d_inode(nn->cur.dentry);
	struct inode *src = d_inode(od), *target = d_inode(nd);
	int err;

	if (!src)
		return -ENOENT;
	if (!S_ISDIR(src->i_mode) && (on->last_slash || nn->last_slash))
		return -ENOTDIR;
	if (target && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (S_ISDIR(src->i_mode)) {
		if (target && !S_ISDIR(target->i_mode))
			return -ENOTDIR;
		/* Not into itself or its own subtree. */
		if (d_is_ancestor(od, nn->cur.dentry))
			return -EINVAL;
		/* Over an ancestor of the source: it is not empty (and
		 * locking it after its descendant would invert the order). */
		if (target && d_is_ancestor(nd, on->cur.dentry))
			return -ENOTEMPTY;
	} else if (target && S_ISDIR(target->i_mode)) {
		return -EISDIR;
	}
	if (!ndir->i_nlink)
		return -ENOENT;
	err = may_modify_dir(ctx, odir, src);
	if (!err)
		err = may_modify_dir(ctx, ndir, target);
	/* A directory changing parent rewrites its "..". */
	if (!err && S_ISDIR(src->i_mode) && odir != ndir)
		err = inode_permission(ctx, src, MAY_WRITE);
	if (!err)
		err = mnt_want_write(&on->cur);
	if (!err && (READ_ONCE(od->d_mounted) || READ_ONCE(nd->d_mounted)))
		err = -EBUSY;
	if (!err && !odir->i_op->rename)
		err = -EPERM;
	return err;
}

static int do_rename(const struct vfs_ctx *ctx, struct nameidata *on,
		     struct nameidata *nn, u32 flags)
{
	struct dentry *odir_d = on->cur.dentry, *ndir_d = nn->cur.dentry;
	struct inode *odir = d_inode(odir_d), *ndir = d_inode(ndir_d);
	struct super_block *sb = odir->i_sb;
	struct mutex *first, *second, *c1 = NULL, *c2 = NULL;
	struct dentry *od = NULL, *nd = NULL;
	struct inode *src, *target;
	bool cross = odir_d != ndir_d;
	int err;

	if (cross)
		mutex_lock(&sb->s_rename_mutex);
	lock_dirs(odir_d, ndir_d, &first, &second);
	od = lookup_locked(odir_d, on->last, on->last_len);
	if (IS_ERR(od)) {
		err = (int)PTR_ERR(od);
		od = NULL;
		goto out_unlock;
	}
	nd = lookup_locked(ndir_d, nn->last, nn->last_len);
	if (IS_ERR(nd)) {
		err = (int)PTR_ERR(nd);
		nd = NULL;
		goto out_unlock;
	}
	src = d_inode(od);
	target = d_inode(nd);
	if (src && !S_ISDIR(src->i_mode) && (on->last_slash || nn->last_slash)) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	if (src && src == target) {
		/* Two names of one file: POSIX says do nothing. */
		err = 0;
		goto out_unlock;
	}
	err = rename_check(ctx, on, nn, od, nd, flags);
	if (err)
		goto out_unlock;
	c1 = &src->i_mutex;
	c2 = target ? &target->i_mutex : NULL;
	if (c2 && c2 < c1) {
		struct mutex *t = c1;

		c1 = c2;
		c2 = t;
	}
	lock_two(c1, c2);
	err = odir->i_op->rename(odir, od->d_name, od->d_len, src, ndir,
				 nd->d_name, nd->d_len, target);
	unlock_two(c1, c2);
	if (!err) {
		/* The new name's old entry (negative or replaced) goes, and
		 * the moved dentry takes its place. */
		d_drop(nd);
		if (target && S_ISDIR(target->i_mode))
			d_drop_children(nd);
		d_move(od, ndir_d, nn->last, nn->last_len);
	}
out_unlock:
	if (nd)
		dput(nd);
	if (od)
		dput(od);
	unlock_two(first, second);
	if (cross)
		mutex_unlock(&sb->s_rename_mutex);
	return err;
}

int vfs_rename(const struct vfs_ctx *ctx, struct file *old_at, const char *old_name,
	       struct file *new_at, const char *new_name, u32 flags)
{
	struct nameidata on, nn;
	int err, err2;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	err = nd_init(&on, ctx, old_at, old_name, 0);
	err2 = nd_init(&nn, ctx, new_at, new_name, 0);
	if (!err)
		err = err2;
	if (!err)
		err = nd_walk_parent(&on);
	if (!err)
		err = nd_walk_parent(&nn);
	if (!err && (on.last_dot || nn.last_dot))
		err = -EBUSY;
	if (!err && on.cur.mnt != nn.cur.mnt)
		err = -EXDEV;
	if (!err)
		err = do_rename(ctx, &on, &nn, flags);
	nd_free(&nn);
	nd_free(&on);
	return err;
}
