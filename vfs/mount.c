/*
 * The mount tree: attaching super blocks at dentries, crossing mount
 * points during lookup, umount, sync.
 *
 * mount_mutex serialises mount, umount and sync (they sleep: fill_super
 * reads the disk). mount_lock (a spinlock) protects the list of mounts,
 * each mnt_count, and d_mounted, so path walks cross mount points without
 * sleeping. Lock order: mount_mutex -> mount_lock -> dcache lock.
 *
 * Mounts are few, so finding the mount on a dentry scans the list; the
 * scan only happens for dentries whose d_mounted count says something is
 * mounted there.
 */
#include "vfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

static struct mutex mount_mutex = MUTEX_INIT(mount_mutex, "mount_mutex");
static struct spinlock mount_lock = SPINLOCK_INIT("mount");
static struct list_node mounts = LIST_INIT(mounts);
static struct mount *root_mount;

#define MNT_FLAGS_KEPT (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* umount2 flags: Linux's values (glibc's sys/mount.h; no uapi header has
 * them). MNT_FORCE only matters to network file systems: accepted. */
#define UMOUNT_FORCE    0x1
#define UMOUNT_NOFOLLOW 0x8

struct mount *vfs_root_mount(void)
{
	return root_mount;
}

void mnt_get(struct mount *m)
{
	spin_lock(&mount_lock);
	m->mnt_count++;
	spin_unlock(&mount_lock);
}

static void mnt_free(struct mount *m)
{
	dput(m->mnt_root);
	kfree(m->mnt_source);
	kfree(m->mnt_path);
	kfree(m);
}

void mnt_put(struct mount *m)
{
	u32 left;

	spin_lock(&mount_lock);
	left = --m->mnt_count;
	spin_unlock(&mount_lock);
	/* Attached mounts keep a reference of the tree: 0 means detached. */
	if (!left)
		mnt_free(m);
}

/* The mount on (parent, d), held, or NULL. */
static struct mount *lookup_mnt(struct mount *parent, struct dentry *d)
{
	struct mount *m, *found = NULL;

	spin_lock(&mount_lock);
	list_for_each_entry(m, &mounts, mnt_node) {
		if (m->mnt_parent == parent && m->mnt_mountpoint == d) {
			m->mnt_count++;
			found = m;
			break;
		}
	}
	spin_unlock(&mount_lock);
	return found;
}

void follow_mounts(struct path *p)
{
	struct mount *m;

	while (READ_ONCE(p->dentry->d_mounted)) {
		m = lookup_mnt(p->mnt, p->dentry);
		if (!m)
			break;
		dget(m->mnt_root);
		path_put(p);
		p->mnt = m;
		p->dentry = m->mnt_root;
	}
}

bool path_up(struct path *p)
{
	struct dentry *parent;
	struct mount *up;

	if (p->dentry != p->mnt->mnt_root) {
		parent = d_get_parent(p->dentry);
		dput(p->dentry);
		p->dentry = parent;
		return true;
	}
	/* At the root of a mount: its mount point, in the parent mount. */
	spin_lock(&mount_lock);
	up = p->mnt->mnt_parent;
	if (up) {
		up->mnt_count++;
		parent = dget(p->mnt->mnt_mountpoint);
	}
	spin_unlock(&mount_lock);
	if (!up)
		return false;
	path_put(p);
	p->mnt = up;
	p->dentry = parent;
	return true;
}

void follow_dotdot(struct path *p, const struct path *root)
{
	bool crossed;

	/* A mount root's ".." is its mount point's "..": keep climbing. */
	do {
		if (p->dentry == root->dentry && p->mnt == root->mnt)
			break;
		crossed = p->dentry == p->mnt->mnt_root;
	} while (path_up(p) && crossed);
	follow_mounts(p);
}

int mnt_want_write(const struct path *p)
{
	if ((p->mnt->mnt_flags & MS_RDONLY) ||
	    (p->dentry->d_sb->s_flags & SB_RDONLY))
		return -EROFS;
	return 0;
}

/* A new mount of sb at mountpoint (NULL: the namespace root); sb's
 * s_mounts reference is the caller's. Caller holds mount_mutex. */
static int attach_mount(const struct path *mountpoint, struct super_block *sb,
			u32 flags, const char *source, const char *where)
{
	struct mount *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return -ENOMEM;
	m->mnt_source = kmalloc(strlen(source) + 1, GFP_KERNEL);
	m->mnt_path = kmalloc(strlen(where) + 1, GFP_KERNEL);
	if (!m->mnt_source || !m->mnt_path) {
		kfree(m->mnt_source);
		kfree(m->mnt_path);
		kfree(m);
		return -ENOMEM;
	}
	memcpy(m->mnt_source, source, strlen(source) + 1);
	memcpy(m->mnt_path, where, strlen(where) + 1);
	m->mnt_sb = sb;
	m->mnt_flags = flags & MNT_FLAGS_KEPT;
	m->mnt_root = dget(sb->s_root);
	m->mnt_count = 1;
	if (mountpoint) {
		mnt_get(mountpoint->mnt);
		m->mnt_parent = mountpoint->mnt;
		m->mnt_mountpoint = dget(mountpoint->dentry);
	} else {
		m->mnt_mountpoint = dget(sb->s_root);
	}
	sb->s_mounts++;
	spin_lock(&mount_lock);
	list_add_tail(&m->mnt_node, &mounts);
	if (mountpoint)
		m->mnt_mountpoint->d_mounted++;
	else
		root_mount = m;
	spin_unlock(&mount_lock);
	return 0;
}

/* A super block for type: the shared one of a singleton type if it is
 * mounted already, else a new one. Caller holds mount_mutex. */
static struct super_block *get_sb(struct file_system_type *type,
				  struct block_device *bdev, const char *data,
				  u32 flags)
{
	struct mount *m;

	if (type->fs_flags & FS_SINGLETON) {
		list_for_each_entry(m, &mounts, mnt_node)
			if (m->mnt_sb->s_type == type)
				return m->mnt_sb;
	}
	return vfs_fill_sb(type, bdev, data, flags);
}

int mount_rootfs(void)
{
	struct file_system_type *type = vfs_find_fs("tmpfs");
	struct super_block *sb;
	int err;

	if (!type)
		return -ENODEV;
	mutex_lock(&mount_mutex);
	sb = get_sb(type, NULL, NULL, 0);
	if (IS_ERR(sb)) {
		err = (int)PTR_ERR(sb);
		goto out_unlock;
	}
	err = attach_mount(NULL, sb, 0, "rootfs", "/");
	if (err)
		vfs_kill_sb(sb);
out_unlock:
	mutex_unlock(&mount_mutex);
	return err;
}

/* The block device behind the node at source (held), or ERR_PTR. */
static struct block_device *mount_source_bdev(const struct vfs_ctx *ctx,
					      const char *source)
{
	struct block_device *bd;
	struct path p;
	struct inode *i;
	int err;

	if (!source || !*source)
		return ERR_PTR(-EINVAL);
	err = vfs_lookup(ctx, NULL, source, LOOKUP_FOLLOW, &p);
	if (err)
		return ERR_PTR(err);
	i = d_inode(p.dentry);
	if (!S_ISBLK(i->i_mode))
		bd = ERR_PTR(-ENOTBLK);
	else if (p.mnt->mnt_flags & MS_NODEV)
		bd = ERR_PTR(-EACCES);
	else
		bd = blkdev_get(i->i_rdev) ?: ERR_PTR(-ENXIO);
	path_put(&p);
	return bd;
}

int mount_bdev_at(const struct vfs_ctx *ctx, struct file_system_type *type,
		  struct block_device *bdev, const char *source, const char *target,
		  u32 flags, const char *data)
{
	struct super_block *sb;
	struct path mp;
	char *where;
	int err;

	err = vfs_lookup(ctx, NULL, target, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &mp);
	if (err)
		goto out_put_bdev;
	where = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!where) {
		err = -ENOMEM;
		goto out_put_mp;
	}
	err = vfs_path_name(vfs_kernel_ctx(), &mp, where, PATH_MAX);
	if (err < 0)
		goto out_free_where;
	mutex_lock(&mount_mutex);
	if (d_dropped(mp.dentry)) {
		err = -ENOENT;
		goto out_unlock;
	}
	sb = get_sb(type, bdev, data, flags);
	bdev = NULL;            /* the super block owns it now */
	if (IS_ERR(sb)) {
		err = (int)PTR_ERR(sb);
		goto out_unlock;
	}
	err = attach_mount(&mp, sb, flags, source && *source ? source : type->name,
			   where);
	if (err && !sb->s_mounts)
		vfs_kill_sb(sb);
out_unlock:
	mutex_unlock(&mount_mutex);
out_free_where:
	kfree(where);
out_put_mp:
	path_put(&mp);
out_put_bdev:
	if (bdev)
		block_put(bdev);
	return err;
}

int vfs_mount(const struct vfs_ctx *ctx, const char *source, const char *target,
	      const char *fstype, u32 flags, const char *data)
{
	struct file_system_type *type;
	struct block_device *bdev = NULL;

	if (ctx->fsuid != 0)
		return -EPERM;
	if (flags & (MS_REMOUNT | MS_BIND | MS_MOVE))
		return -EINVAL;
	if (!fstype || !(type = vfs_find_fs(fstype)))
		return -ENODEV;
	if (type->fs_flags & FS_REQUIRES_DEV) {
		bdev = mount_source_bdev(ctx, source);
		if (IS_ERR(bdev))
			return (int)PTR_ERR(bdev);
	}
	return mount_bdev_at(ctx, type, bdev, source, target, flags, data);
}

int vfs_umount(const struct vfs_ctx *ctx, const char *target, u32 flags)
{
	struct mount *m, *child;
	struct super_block *sb;
	struct path p;
	int err;

	if (ctx->fsuid != 0)
		return -EPERM;
	if (flags & ~(UMOUNT_FORCE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	err = vfs_lookup(ctx, NULL, target,
			 (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	m = p.mnt;
	if (p.dentry != m->mnt_root) {
		path_put(&p);
		return -EINVAL;
	}
	mutex_lock(&mount_mutex);
	spin_lock(&mount_lock);
	err = 0;
	if (!m->mnt_parent) {
		err = -EBUSY;
	} else if (m->mnt_count != 2) {
		/* Besides the tree's and ours: open files, working dirs. */
		err = -EBUSY;
	} else {
		list_for_each_entry(child, &mounts, mnt_node)
			if (child->mnt_parent == m)
				err = -EBUSY;
	}
	if (!err) {
		list_del(&m->mnt_node);
		m->mnt_mountpoint->d_mounted--;
		m->mnt_count--;
	}
	spin_unlock(&mount_lock);
	if (err) {
		mutex_unlock(&mount_mutex);
		path_put(&p);
		return err;
	}
	sb = m->mnt_sb;
	dput(m->mnt_mountpoint);
	mnt_put(m->mnt_parent);
	path_put(&p);           /* the last reference: frees m */
	if (--sb->s_mounts == 0)
		vfs_kill_sb(sb);
	mutex_unlock(&mount_mutex);
	return 0;
}

void vfs_sync_all(void)
{
	struct mount *m;
	struct super_block *sb;

	/* The list only changes under mount_mutex, so it can be walked
	 * while sync_fs sleeps. A shared super block syncs once per mount. */
	mutex_lock(&mount_mutex);
	list_for_each_entry(m, &mounts, mnt_node) {
		sb = m->mnt_sb;
		if (sb->s_op->sync_fs && !(sb->s_flags & SB_RDONLY))
			sb->s_op->sync_fs(sb, true);
	}
	mutex_unlock(&mount_mutex);
}

bool vfs_bdev_mounted(const struct block_device *bd)
{
	struct mount *m;
	bool found = false;

	spin_lock(&mount_lock);
	list_for_each_entry(m, &mounts, mnt_node)
		found |= m->mnt_sb->s_bdev == bd;
	spin_unlock(&mount_lock);
	return found;
}

void vfs_for_each_mount(const struct vfs_ctx *ctx,
			void (*fn)(const char *source, const char *path,
				   const char *fstype, u32 ms_flags, void *arg),
			void *arg)
{
	struct path root;
	struct mount *m, *up;

	fs_get_root(ctx, &root);
	spin_lock(&mount_lock);
	list_for_each_entry(m, &mounts, mnt_node) {
		for (up = m; up && up != root.mnt; up = up->mnt_parent)
			;
		if (!up)
			continue;
		fn(m->mnt_source, m->mnt_path, m->mnt_sb->s_type->name,
		   m->mnt_flags | ((m->mnt_sb->s_flags & SB_RDONLY) ? MS_RDONLY : 0),
		   arg);
	}
	spin_unlock(&mount_lock);
	path_put(&root);
}
