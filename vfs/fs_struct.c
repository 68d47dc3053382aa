/*
 * Per-process namespace position: root, working directory, umask; the
 * kernel's own context; and turning a path back into a name (getcwd).
 *
 * fs->lock (a spinlock) protects root, cwd, umask and refs. Readers copy
 * a path out with a reference under the lock and use it after dropping
 * the lock, so chdir in one thread never pulls a directory from under a
 * lookup in another.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

static struct vfs_ctx kernel_ctx;

static void fs_set_path(const struct vfs_ctx *ctx, struct path *p, bool cwd);

const struct vfs_ctx *vfs_kernel_ctx(void)
{
	return &kernel_ctx;
}

int vfs_kernel_ctx_init(void)
{
	struct mount *root = vfs_root_mount();
	struct path p = { .mnt = root, .dentry = root->mnt_root };

	kernel_ctx.fs = fs_struct_alloc(&p);
	if (!kernel_ctx.fs)
		return -ENOMEM;
	/* Device nodes and unpacked files get exactly the modes asked for. */
	kernel_ctx.fs->umask = 0;
	return 0;
}

int vfs_kernel_ctx_reroot(void)
{
	struct path p, q;
	int err = vfs_lookup(&kernel_ctx, NULL, "/", LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	q = p;
	path_get(&q);
	fs_set_path(&kernel_ctx, &p, false);
	fs_set_path(&kernel_ctx, &q, true);
	return 0;
}

struct fs_struct *fs_struct_alloc(const struct path *root)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return NULL;
	fs->lock = (struct spinlock)SPINLOCK_INIT("fs_struct");
	fs->refs = 1;
	fs->umask = 022;
	fs->root = *root;
	fs->cwd = *root;
	path_get(&fs->root);
	path_get(&fs->cwd);
	return fs;
}

struct fs_struct *fs_struct_copy(struct fs_struct *fs)
{
	struct fs_struct *n = kzalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	n->lock = (struct spinlock)SPINLOCK_INIT("fs_struct");
	n->refs = 1;
	spin_lock(&fs->lock);
	n->umask = fs->umask;
	n->root = fs->root;
	n->cwd = fs->cwd;
	path_get(&n->root);
	path_get(&n->cwd);
	spin_unlock(&fs->lock);
	return n;
}

void fs_struct_get(struct fs_struct *fs)
{
	spin_lock(&fs->lock);
	fs->refs++;
	spin_unlock(&fs->lock);
}

void fs_struct_put(struct fs_struct *fs)
{
	u32 left;

	spin_lock(&fs->lock);
	left = --fs->refs;
	spin_unlock(&fs->lock);
	if (left)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	kfree(fs);
}

u32 fs_umask_swap(struct fs_struct *fs, u32 mask)
{
	u32 old;

	spin_lock(&fs->lock);
	old = fs->umask;
	fs->umask = mask & 0777;
	spin_unlock(&fs->lock);
	return old;
}

static struct fs_struct *ctx_fs(const struct vfs_ctx *ctx)
{
	return ctx->fs ? ctx->fs : kernel_ctx.fs;
}

static void fs_get_path(const struct vfs_ctx *ctx, struct path *out, bool cwd)
{
	struct fs_struct *fs = ctx_fs(ctx);

	spin_lock(&fs->lock);
	*out = cwd ? fs->cwd : fs->root;
	path_get(out);
	spin_unlock(&fs->lock);
}

void fs_get_root(const struct vfs_ctx *ctx, struct path *out)
{
	fs_get_path(ctx, out, false);
}

void fs_get_cwd(const struct vfs_ctx *ctx, struct path *out)
{
	fs_get_path(ctx, out, true);
}

u32 fs_umask(const struct vfs_ctx *ctx)
{
	return READ_ONCE(ctx_fs(ctx)->umask);
}

/* Install p (reference consumed) as ctx's cwd or root. */
static void fs_set_path(const struct vfs_ctx *ctx, struct path *p, bool cwd)
{
	struct fs_struct *fs = ctx_fs(ctx);
	struct path old;

	spin_lock(&fs->lock);
	if (cwd) {
		old = fs->cwd;
		fs->cwd = *p;
	} else {
		old = fs->root;
		fs->root = *p;
	}
	spin_unlock(&fs->lock);
	path_put(&old);
}

static int set_dir(const struct vfs_ctx *ctx, struct path *p, bool cwd)
{
	int err = inode_permission(ctx, d_inode(p->dentry), MAY_EXEC);

	if (err) {
		path_put(p);
		return err;
	}
	fs_set_path(ctx, p, cwd);
	return 0;
}

int vfs_chdir(const struct vfs_ctx *ctx, const char *name)
{
	struct path p;
	int err = vfs_lookup(ctx, NULL, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);

	return err ? err : set_dir(ctx, &p, true);
}

int vfs_fchdir(const struct vfs_ctx *ctx, struct file *dir)
{
	struct path p = dir->f_path;

	if (!p.dentry || !S_ISDIR(d_inode(p.dentry)->i_mode))
		return -ENOTDIR;
	path_get(&p);
	return set_dir(ctx, &p, true);
}

int vfs_chroot(const struct vfs_ctx *ctx, const char *name)
{
	struct path p;
	int err;

	if (ctx->fsuid != 0)
		return -EPERM;
	err = vfs_lookup(ctx, NULL, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	return err ? err : set_dir(ctx, &p, false);
}

/*
 * Build the name from the end of buf backwards, one component per step up
 * the tree, crossing mount points upward, stopping at ctx's root (or at
 * the namespace root, for a path outside a chroot).
 */
int vfs_path_name(const struct vfs_ctx *ctx, const struct path *p, char *buf,
		  size_t size)
{
	char name[NAME_MAX + 1];
	struct path root, cur = *p;
	size_t pos = size, len;
	int err = 0;

	if (!size)
		return -ERANGE;
	fs_get_root(ctx, &root);
	path_get(&cur);
	buf[--pos] = 0;
	for (;;) {
		if (cur.dentry == root.dentry && cur.mnt == root.mnt)
			break;
		if (cur.dentry != cur.mnt->mnt_root) {
			len = d_name_copy(cur.dentry, name);
			if (len + 1 > pos) {
				err = -ENAMETOOLONG;
				break;
			}
			pos -= len;
			memcpy(buf + pos, name, len);
			buf[--pos] = '/';
		}
		if (!path_up(&cur))
			break;
	}
	path_put(&cur);
	path_put(&root);
	if (err)
		return size >= PATH_MAX ? err : -ERANGE;
	if (pos == size - 1) {
		if (pos < 1)
			return -ERANGE;
		buf[--pos] = '/';
	}
	len = size - 1 - pos;
	memmove(buf, buf + pos, len + 1);
	return (int)len;
}

int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size)
{
	struct path cwd;
	int n;

	fs_get_cwd(ctx, &cwd);
	if (d_dropped(cwd.dentry)) {
		path_put(&cwd);
		return -ENOENT;
	}
	n = vfs_path_name(ctx, &cwd, buf, size);
	path_put(&cwd);
	return n < 0 ? n : n + 1;
}
