/*
 * Path resolution: walking a name component by component through the
 * dentry cache, into the file systems on a miss, across mount points, up
 * through "..", and through symlinks.
 *
 * A walk holds a reference on the path it stands on and takes none of the
 * directory locks except, on a cache miss, the directory's i_mutex around
 * the file system's lookup (so a miss never races a create or unlink of
 * the same name, and the negative or positive result is cached once).
 * Symlinks are expanded in place: the target is spliced in front of what
 * is left of the name, so nested links need no recursion and the total
 * count (VFS_MAXSYMLINKS) bounds the work.
 */
#include "vfs/internal.h"
#include "vfs/path.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"

int nd_init(struct nameidata *nd, const struct vfs_ctx *ctx, struct file *at,
	    const char *name, u32 flags)
{
	long len = path_check_len(name);

	memset(nd, 0, sizeof(*nd));
	nd->ctx = ctx;
	nd->flags = flags;
	if (len < 0)
		return (int)len;
	if (!len && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	nd->buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!nd->buf)
		return -ENOMEM;
	memcpy(nd->buf, name, (size_t)len + 1);
	fs_get_root(ctx, &nd->root);
	if (name[0] == '/') {
		nd->cur = nd->root;
		path_get(&nd->cur);
	} else if (at) {
		if (!at->f_path.dentry)
			return len ? -ENOTDIR : -EBADF;
		nd->cur = at->f_path;
		path_get(&nd->cur);
	} else {
		fs_get_cwd(ctx, &nd->cur);
	}
	follow_mounts(&nd->cur);
	return 0;
}

void nd_free(struct nameidata *nd)
{
	path_put(&nd->cur);
	path_put(&nd->root);
	kfree(nd->buf);
	kfree(nd->link);
	nd->buf = nd->link = NULL;
}

/* A cached entry of dir, unless its file system disowns it (see
 * super_operations.d_revalidate); a mount point is always kept. */
static struct dentry *d_lookup_valid(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *d = d_lookup(dir, name, len);
	const struct super_operations *sop;

	if (!d)
		return NULL;
	sop = d->d_sb->s_op;
	if (!sop->d_revalidate || READ_ONCE(d->d_mounted) || sop->d_revalidate(d))
		return d;
	d_drop(d);
	dput(d);
	return NULL;
}

struct dentry *lookup_locked(struct dentry *dir, const char *name, size_t len)
{
	struct inode *inode = d_inode(dir), *child = NULL;
	struct dentry *d;
	int err;

	d = d_lookup_valid(dir, name, len);
	if (d)
		return d;
	if (!inode->i_op || !inode->i_op->lookup)
		return ERR_PTR(-ENOTDIR);
	d = d_alloc(dir, name, len);
	if (!d)
		return ERR_PTR(-ENOMEM);
	/* A removed directory has no entries, whatever its blocks say; its
	 * negative names are not cached (d_drop_children), or they would
	 * keep it from being freed. */
	if (!inode->i_nlink)
		return d;
	err = inode->i_op->lookup(inode, d->d_name, len, &child);
	if (err && err != -ENOENT) {
		dput(d);
		return ERR_PTR(err);
	}
	d_add(d, err ? NULL : child);
	return d;
}

static struct dentry *lookup_one(struct dentry *dir, const char *name, size_t len)
{
	struct inode *inode = d_inode(dir);
	struct dentry *d = d_lookup_valid(dir, name, len);

	if (d)
		return d;
	mutex_lock(&inode->i_mutex);
	d = lookup_locked(dir, name, len);
	mutex_unlock(&inode->i_mutex);
	return d;
}

int nd_follow_link(struct nameidata *nd, struct dentry *link, const char *rest)
{
	struct inode *inode = d_inode(link);
	size_t restlen = strlen(rest);
	char *tmp;
	int n;

	if (++nd->links > VFS_MAXSYMLINKS)
		return -ELOOP;
	if (!inode->i_op || !inode->i_op->readlink)
		return -EINVAL;
	if (!nd->link) {
		nd->link = kmalloc(PATH_MAX, GFP_KERNEL);
		if (!nd->link)
			return -ENOMEM;
	}
	n = inode->i_op->readlink(inode, nd->link, PATH_MAX - 1);
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	/* rest is "" or starts with '/', so it joins the target as is. */
	if ((size_t)n + restlen >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(nd->link + n, rest, restlen + 1);
	tmp = nd->buf;
	nd->buf = nd->link;
	nd->link = tmp;
	if (nd->buf[0] == '/') {
		path_put(&nd->cur);
		nd->cur = nd->root;
		path_get(&nd->cur);
		follow_mounts(&nd->cur);
	}
	return 0;
}

/* Walk nd->buf; with parent, stop before the last component and record
 * it in nd->last. */
static int walk(struct nameidata *nd, bool parent)
{
	const char *p = nd->buf;
	struct path_comp c;
	struct inode *dir, *ci;
	struct dentry *child;
	struct path next;
	int r;

	for (;;) {
		r = path_next_comp(&p, &c);
		if (r < 0)
			return r;
		if (r == 0) {
			if (parent) {
				nd->last_len = 0;
				nd->last[0] = 0;
				nd->last_dot = true;
				nd->last_slash = true;
			}
			return 0;
		}
		dir = d_inode(nd->cur.dentry);
		if (!S_ISDIR(dir->i_mode))
			return -ENOTDIR;
		r = inode_permission(nd->ctx, dir, MAY_EXEC);
		if (r)
			return r;
		if (parent && c.last) {
			memcpy(nd->last, c.name, c.len);
			nd->last[c.len] = 0;
			nd->last_len = c.len;
			nd->last_slash = c.trailing_slash;
			nd->last_dot = path_comp_is_dot(&c) || path_comp_is_dotdot(&c);
			return 0;
		}
		if (path_comp_is_dot(&c))
			continue;
		if (path_comp_is_dotdot(&c)) {
			follow_dotdot(&nd->cur, &nd->root);
			continue;
		}
		child = lookup_one(nd->cur.dentry, c.name, c.len);
		if (IS_ERR(child))
			return (int)PTR_ERR(child);
		ci = d_inode(child);
		if (!ci) {
			dput(child);
			return -ENOENT;
		}
		next.mnt = nd->cur.mnt;
		next.dentry = child;
		mnt_get(next.mnt);
		follow_mounts(&next);
		ci = d_inode(next.dentry);
		if (S_ISLNK(ci->i_mode) &&
		    (!c.last || c.trailing_slash || (nd->flags & LOOKUP_FOLLOW))) {
			r = nd_follow_link(nd, next.dentry, p);
			path_put(&next);
			if (r)
				return r;
			p = nd->buf;
			continue;
		}
		path_put(&nd->cur);
		nd->cur = next;
		if (c.trailing_slash && !S_ISDIR(ci->i_mode))
			return -ENOTDIR;
	}
}

int nd_walk(struct nameidata *nd)
{
	int err = walk(nd, false);

	if (!err && (nd->flags & LOOKUP_DIRECTORY) &&
	    !S_ISDIR(d_inode(nd->cur.dentry)->i_mode))
		err = -ENOTDIR;
	return err;
}

int nd_walk_parent(struct nameidata *nd)
{
	int err = walk(nd, true);

	if (!err && !S_ISDIR(d_inode(nd->cur.dentry)->i_mode))
		err = -ENOTDIR;
	return err;
}

int vfs_lookup(const struct vfs_ctx *ctx, struct file *at, const char *name,
	       u32 flags, struct path *out)
{
	struct nameidata nd;
	int err = nd_init(&nd, ctx, at, name, flags);

	if (!err)
		err = nd_walk(&nd);
	if (!err) {
		*out = nd.cur;
		nd.cur.mnt = NULL;
		nd.cur.dentry = NULL;
	}
	nd_free(&nd);
	return err;
}

int vfs_lookup_at(const struct vfs_ctx *ctx, struct file *at, const char *name,
		  u32 at_flags, bool follow_default, struct path *out)
{
	u32 flags = 0;

	if (follow_default ? !(at_flags & AT_SYMLINK_NOFOLLOW)
			   : (at_flags & AT_SYMLINK_FOLLOW))
		flags |= LOOKUP_FOLLOW;
	if ((at_flags & AT_EMPTY_PATH) || !name)
		flags |= LOOKUP_EMPTY;
	return vfs_lookup(ctx, at, name ? name : "", flags, out);
}

int may_modify_dir(const struct vfs_ctx *ctx, struct inode *dir, struct inode *victim)
{
	int err = inode_permission(ctx, dir, MAY_WRITE | MAY_EXEC);

	if (err)
		return err;
	/* Sticky directories (/tmp): only the owner of the entry or of the
	 * directory may remove or rename it. */
	if (victim && (dir->i_mode & S_ISVTX) && ctx->fsuid != 0 &&
	    ctx->fsuid != victim->i_uid && ctx->fsuid != dir->i_uid)
		return -EPERM;
	return 0;
}

char *vfs_getname(const char *user_name)
{
	char *buf = kmalloc(PATH_MAX, GFP_KERNEL);
	long n;

	if (!buf)
		return ERR_PTR(-ENOMEM);
	n = strncpy_from_user(buf, user_name, PATH_MAX);
	if (n < 0 || n == PATH_MAX) {
		kfree(buf);
		return ERR_PTR(n < 0 ? -EFAULT : -ENAMETOOLONG);
	}
	return buf;
}

void vfs_putname(char *name)
{
	kfree(name);
}
