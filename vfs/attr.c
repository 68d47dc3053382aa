/*
 * Attributes: stat/statx/statfs read them; chmod, chown, utimensat,
 * truncate and access check the caller's rights and change them through
 * i_op->setattr under the inode's i_mutex.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

static void fill_stat(struct inode *i, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = i->i_sb->s_dev;
	st->st_ino = i->i_ino;
	st->st_nlink = i->i_nlink;
	st->st_mode = i->i_mode;
	st->st_uid = i->i_uid;
	st->st_gid = i->i_gid;
	st->st_rdev = i->i_rdev;
	st->st_size = (long)i->i_size;
	st->st_blksize = i->i_sb->s_blocksize;
	st->st_blocks = (long)i->i_blocks;
	st->st_atime = i->i_atime.sec;
	st->st_atime_nsec = i->i_atime.nsec;
	st->st_mtime = i->i_mtime.sec;
	st->st_mtime_nsec = i->i_mtime.nsec;
	st->st_ctime = i->i_ctime.sec;
	st->st_ctime_nsec = i->i_ctime.nsec;
}

int vfs_fstat(struct file *f, struct stat *st)
{
	fill_stat(f->f_inode, st);
	return 0;
}

int vfs_fstatat(const struct vfs_ctx *ctx, struct file *at, const char *name,
		u32 at_flags, struct stat *st)
{
	struct path p;
	int err;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if (at && (at_flags & AT_EMPTY_PATH) && name && !*name)
		return vfs_fstat(at, st);
	err = vfs_lookup_at(ctx, at, name, at_flags, true, &p);
	if (err)
		return err;
	fill_stat(d_inode(p.dentry), st);
	path_put(&p);
	return 0;
}

static void fill_statx_time(struct statx_timestamp *t, struct vfs_time v)
{
	t->tv_sec = v.sec;
	t->tv_nsec = v.nsec;
}

int vfs_statx(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 at_flags, struct statx *stx)
{
	struct inode *i;
	struct path p;
	int err;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
			 AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if (at && (at_flags & AT_EMPTY_PATH) && name && !*name) {
		p = at->f_path;
		i = at->f_inode;
		p.mnt = NULL;
		p.dentry = NULL;
	} else {
		err = vfs_lookup_at(ctx, at, name, at_flags, true, &p);
		if (err)
			return err;
		i = d_inode(p.dentry);
	}
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = i->i_sb->s_blocksize;
	stx->stx_nlink = i->i_nlink;
	stx->stx_uid = i->i_uid;
	stx->stx_gid = i->i_gid;
	stx->stx_mode = (u16)i->i_mode;
	stx->stx_ino = i->i_ino;
	stx->stx_size = i->i_size;
	stx->stx_blocks = i->i_blocks;
	fill_statx_time(&stx->stx_atime, i->i_atime);
	fill_statx_time(&stx->stx_mtime, i->i_mtime);
	fill_statx_time(&stx->stx_ctime, i->i_ctime);
	stx->stx_rdev_major = MAJOR(i->i_rdev);
	stx->stx_rdev_minor = MINOR(i->i_rdev);
	stx->stx_dev_major = MAJOR(i->i_sb->s_dev);
	stx->stx_dev_minor = MINOR(i->i_sb->s_dev);
	path_put(&p);
	return 0;
}

int vfs_statfs(const struct vfs_ctx *ctx, const char *name, struct statfs *st)
{
	struct super_block *sb;
	struct path p;
	int err = vfs_lookup(ctx, NULL, name, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	sb = p.dentry->d_sb;
	memset(st, 0, sizeof(*st));
	st->f_type = (long)sb->s_magic;
	st->f_bsize = sb->s_blocksize;
	st->f_frsize = sb->s_blocksize;
	st->f_namelen = NAME_MAX;
	st->f_flags = p.mnt->mnt_flags | ((sb->s_flags & SB_RDONLY) ? MS_RDONLY : 0);
	err = sb->s_op->statfs ? sb->s_op->statfs(sb, st) : 0;
	path_put(&p);
	return err;
}

/* Apply attr to the inode at p (the caller checked the rights). */
static int setattr_path(const struct path *p, struct vfs_attr *attr)
{
	struct inode *i = d_inode(p->dentry);
	int err = mnt_want_write(p);

	if (err)
		return err;
	if (!i->i_op || !i->i_op->setattr)
		return -EPERM;
	attr->valid |= ATTR_CTIME;
	attr->ctime = vfs_now();
	mutex_lock(&i->i_mutex);
	err = i->i_op->setattr(i, attr);
	mutex_unlock(&i->i_mutex);
	return err;
}

static bool is_owner(const struct vfs_ctx *ctx, struct inode *i)
{
	return ctx->fsuid == 0 || ctx->fsuid == i->i_uid;
}

static bool in_group_of(const struct vfs_ctx *ctx, u32 gid)
{
	if (ctx->fsgid == gid)
		return true;
	for (u32 n = 0; n < ctx->ngroups; n++)
		if (ctx->groups[n] == gid)
			return true;
	return false;
}

static int chmod_path(const struct vfs_ctx *ctx, const struct path *p, u32 mode)
{
	struct inode *i = d_inode(p->dentry);
	struct vfs_attr attr = { .valid = ATTR_MODE, .mode = mode & 07777 };

	if (!is_owner(ctx, i))
		return -EPERM;
	/* A non-member cannot give a file set-group-ID (Linux clears it). */
	if (ctx->fsuid != 0 && !in_group_of(ctx, i->i_gid))
		attr.mode &= ~(u32)S_ISGID;
	return setattr_path(p, &attr);
}

int vfs_chmod(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 mode, u32 at_flags)
{
	struct path p;
	int err;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup_at(ctx, at, name, at_flags, true, &p);
	if (err)
		return err;
	/* Linux does not change a symlink's mode. */
	err = S_ISLNK(d_inode(p.dentry)->i_mode) ? -EOPNOTSUPP
						 : chmod_path(ctx, &p, mode);
	path_put(&p);
	return err;
}

int vfs_fchmod(const struct vfs_ctx *ctx, struct file *f, u32 mode)
{
	if (!f->f_path.dentry)
		return -EBADF;
	return chmod_path(ctx, &f->f_path, mode);
}

static int chown_path(const struct vfs_ctx *ctx, const struct path *p, u32 uid, u32 gid)
{
	struct inode *i = d_inode(p->dentry);
	struct vfs_attr attr = { 0 };

	if (uid != (u32)-1 && uid != i->i_uid) {
		if (ctx->fsuid != 0)
			return -EPERM;
		attr.valid |= ATTR_UID;
		attr.uid = uid;
	}
	if (gid != (u32)-1 && gid != i->i_gid) {
		/* The owner may pick one of their groups; root any. */
		if (ctx->fsuid != 0 &&
		    (ctx->fsuid != i->i_uid || !in_group_of(ctx, gid)))
			return -EPERM;
		attr.valid |= ATTR_GID;
		attr.gid = gid;
	}
	/* Changing the owner of an executable drops set-user/group-ID. */
	if (!S_ISDIR(i->i_mode) && !S_ISLNK(i->i_mode) &&
	    (i->i_mode & (S_ISUID | S_ISGID)) && (attr.valid & (ATTR_UID | ATTR_GID))) {
		attr.valid |= ATTR_MODE;
		attr.mode = i->i_mode & 07777 & ~(u32)S_ISUID;
		if (i->i_mode & S_IXGRP)
			attr.mode &= ~(u32)S_ISGID;
	}
	if (uid != (u32)-1 || gid != (u32)-1)
		if (!attr.valid && !is_owner(ctx, i))
			return -EPERM;
	return setattr_path(p, &attr);
}

int vfs_chown(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 uid, u32 gid, u32 at_flags)
{
	struct path p;
	int err;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup_at(ctx, at, name, at_flags, true, &p);
	if (err)
		return err;
	err = chown_path(ctx, &p, uid, gid);
	path_put(&p);
	return err;
}

int vfs_fchown(const struct vfs_ctx *ctx, struct file *f, u32 uid, u32 gid)
{
	if (!f->f_path.dentry)
		return -EBADF;
	return chown_path(ctx, &f->f_path, uid, gid);
}

static bool time_valid(const struct __kernel_timespec *t)
{
	return t->tv_nsec == VFS_UTIME_NOW || t->tv_nsec == VFS_UTIME_OMIT ||
	       (t->tv_nsec >= 0 && t->tv_nsec < 1000000000);
}

int vfs_utimens(const struct vfs_ctx *ctx, struct file *at, const char *name,
		const struct __kernel_timespec *times, u32 at_flags)
{
	struct vfs_attr attr = { 0 };
	struct vfs_time now = vfs_now();
	struct inode *i;
	struct path p;
	bool explicit = false;
	int err;

	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times && (!time_valid(&times[0]) || !time_valid(&times[1])))
		return -EINVAL;
	if (!name && at) {
		p = at->f_path;
		if (!p.dentry)
			return -EBADF;
		path_get(&p);
	} else {
		err = vfs_lookup_at(ctx, at, name, at_flags, true, &p);
		if (err)
			return err;
	}
	i = d_inode(p.dentry);
	for (int n = 0; n < 2; n++) {
		struct vfs_time *t = n ? &attr.mtime : &attr.atime;
		long ns = times ? times[n].tv_nsec : VFS_UTIME_NOW;

		if (ns == VFS_UTIME_OMIT)
			continue;
		attr.valid |= n ? ATTR_MTIME : ATTR_ATIME;
		if (ns == VFS_UTIME_NOW) {
			*t = now;
		} else {
			t->sec = times[n].tv_sec;
			t->nsec = (u32)ns;
			explicit = true;
		}
	}
	/* Setting explicit times needs ownership; "now" also write access. */
	err = 0;
	if (explicit ? !is_owner(ctx, i)
		     : (!is_owner(ctx, i) && inode_permission(ctx, i, MAY_WRITE)))
		err = explicit ? -EPERM : -EACCES;
	if (!err && attr.valid)
		err = setattr_path(&p, &attr);
	path_put(&p);
	return err;
}

int vfs_truncate(const struct vfs_ctx *ctx, const char *name, u64 size)
{
	struct vfs_attr attr = { .valid = ATTR_SIZE | ATTR_MTIME, .size = size };
	struct inode *i;
	struct path p;
	int err;

	if ((s64)size < 0)
		return -EINVAL;
	err = vfs_lookup(ctx, NULL, name, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	i = d_inode(p.dentry);
	if (S_ISDIR(i->i_mode))
		err = -EISDIR;
	else if (!S_ISREG(i->i_mode))
		err = -EINVAL;
	else if (size > i->i_sb->s_maxbytes)
		err = -EFBIG;
	else
		err = inode_permission(ctx, i, MAY_WRITE);
	if (!err) {
		attr.mtime = vfs_now();
		err = setattr_path(&p, &attr);
	}
	path_put(&p);
	return err;
}

int vfs_access(const struct vfs_ctx *ctx, struct file *at, const char *name,
	       int mode, u32 at_flags)
{
	struct inode *i;
	struct path p;
	int err;

	if (mode & ~7)
		return -EINVAL;
	if (at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup_at(ctx, at, name, at_flags, true, &p);
	if (err)
		return err;
	i = d_inode(p.dentry);
	/* R_OK/W_OK/X_OK share MAY_*'s values. */
	err = mode ? inode_permission(ctx, i, mode) : 0;
	if (!err && (mode & MAY_WRITE) && (S_ISREG(i->i_mode) || S_ISDIR(i->i_mode)))
		err = mnt_want_write(&p);
	path_put(&p);
	return err;
}
