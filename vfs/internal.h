/*
 * What the VFS files share among themselves and nobody else uses.
 */
#ifndef VIREO_VFS_INTERNAL_H
#define VIREO_VFS_INTERNAL_H

#include "vfs/vfs.h"
#include "vfs/fdtable.h"
#include <linux/mount.h>        /* MS_* */

/* ---- mounts (mount.c) ---- */
struct mount {
	struct mount *mnt_parent;       /* NULL for the namespace root */
	struct dentry *mnt_mountpoint;  /* in mnt_parent; held */
	struct dentry *mnt_root;        /* held */
	struct super_block *mnt_sb;
	u32 mnt_flags;                  /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	u32 mnt_count;                  /* path references + 1 while attached; mount lock */
	char *mnt_source;               /* "/dev/vda", "tmpfs" */
	char *mnt_path;                 /* where it was mounted, from the root */
	struct list_node mnt_node;      /* all mounts, mount order; mount lock */
};

void mnt_get(struct mount *m);
void mnt_put(struct mount *m);
/* Replace p by the root of what is mounted on it, repeatedly. */
void follow_mounts(struct path *p);
/* One step towards the namespace root (into the parent mount at a mount
 * root), following no mounts down: false if p is the namespace root. */
bool path_up(struct path *p);
/* p := its parent, never above root, crossing mounts upward. */
void follow_dotdot(struct path *p, const struct path *root);
/* -EROFS if writes through the mount are refused. */
int mnt_want_write(const struct path *p);
struct mount *vfs_root_mount(void);
/* Mount type at target with bdev (reference consumed; NULL if the type
 * needs none); source is the name /proc/mounts shows. */
int mount_bdev_at(const struct vfs_ctx *ctx, struct file_system_type *type,
		  struct block_device *bdev, const char *source, const char *target,
		  u32 flags, const char *data);
int mount_rootfs(void);

/* ---- super blocks (super.c) ---- */
struct super_block *sb_alloc(struct file_system_type *type);
void sb_free(struct super_block *sb);
/* A mounted instance: fill_super done; ERR_PTR on error (bdev consumed). */
struct super_block *vfs_fill_sb(struct file_system_type *type,
				struct block_device *bdev, const char *data,
				u32 flags);
/* Last mount gone: drop the tree and free the super block. */
void vfs_kill_sb(struct super_block *sb);

/* ---- inodes (inode.c) ---- */
void inode_cache_init(void);
bool inode_is_sb_empty(struct super_block *sb);

/* ---- dentries (dentry.c) ---- */
int dcache_init(void);
/* A child of parent, not yet hashed, negative. NULL if out of memory. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
/* The hashed child name of parent, held, or NULL. */
struct dentry *d_lookup(struct dentry *parent, const char *name, size_t len);
/* Hash d with inode (reference consumed; NULL: a negative entry). */
void d_add(struct dentry *d, struct inode *inode);
/* A negative d becomes positive (inode reference consumed). */
void d_instantiate(struct dentry *d, struct inode *inode);
/* Unhash: lookups no longer find it; holders keep a valid dentry. */
void d_drop(struct dentry *d);
/* Rename: d moves under new_parent as name. */
void d_move(struct dentry *d, struct dentry *new_parent, const char *name, size_t len);
/* Was d dropped (unlinked, renamed over)? Roots never are. */
bool d_dropped(struct dentry *d);
/* Unhash the cached names under a directory that was just removed. */
void d_drop_children(struct dentry *dir);
/* Drop every unused dentry of sb (umount). */
void dcache_prune_sb(struct super_block *sb);
/* d's parent, held (the dcache lock keeps d_parent stable while read). */
struct dentry *d_get_parent(struct dentry *d);
/* Is d (or an ancestor of d) anc? Stable under s_rename_mutex. */
bool d_is_ancestor(struct dentry *anc, struct dentry *d);
/* Copy d's name into buf (NAME_MAX + 1): its length. */
size_t d_name_copy(struct dentry *d, char *buf);

static inline struct inode *d_inode(const struct dentry *d)
{
	return READ_ONCE(d->d_inode);
}

/* ---- path walk (namei.c) ---- */
struct nameidata {
	const struct vfs_ctx *ctx;
	struct path root;
	struct path cur;
	u32 flags;
	int links;
	char *buf;                      /* PATH_MAX: what is left to walk */
	char *link;                     /* PATH_MAX: scratch for link targets */
	/* lookup_parent results: */
	char last[NAME_MAX + 1];
	size_t last_len;
	bool last_slash;                /* trailing '/' after last */
	bool last_dot;                  /* last is "." or ".." (or none: "/") */
};

int nd_init(struct nameidata *nd, const struct vfs_ctx *ctx, struct file *at,
	    const char *name, u32 flags);
void nd_free(struct nameidata *nd);
/* Walk all of nd->buf: nd->cur is the result. */
int nd_walk(struct nameidata *nd);
/* Walk all but the last component: nd->cur is its directory. */
int nd_walk_parent(struct nameidata *nd);
/* Splice a symlink's target in front of rest (both in nd): walking
 * continues from the link's directory (nd->cur) or the root. */
int nd_follow_link(struct nameidata *nd, struct dentry *link, const char *rest);
/* The child name of dir (dir->i_mutex held by the caller), held,
 * negative if absent: ERR_PTR on errors. */
struct dentry *lookup_locked(struct dentry *dir, const char *name, size_t len);
/* Resolve a path for an at_flags-style call (AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH, AT_SYMLINK_FOLLOW when follow_default is false). */
int vfs_lookup_at(const struct vfs_ctx *ctx, struct file *at, const char *name,
		  u32 at_flags, bool follow_default, struct path *out);
/* Search + write permission to change entries of dir, with the sticky
 * rule when victim is given (-EPERM for a non-owner in a sticky dir). */
int may_modify_dir(const struct vfs_ctx *ctx, struct inode *dir, struct inode *victim);

/* ---- process state (fs_struct.c) ---- */
struct fs_struct {
	struct spinlock lock;           /* root, cwd, umask, refs */
	u32 refs;
	u32 umask;
	struct path root;
	struct path cwd;
};

void fs_get_root(const struct vfs_ctx *ctx, struct path *out);
void fs_get_cwd(const struct vfs_ctx *ctx, struct path *out);
u32 fs_umask(const struct vfs_ctx *ctx);
int vfs_kernel_ctx_init(void);
/* Point the kernel's root and cwd at what "/" resolves to now (after a
 * root file system was mounted over the rootfs). */
int vfs_kernel_ctx_reroot(void);

/* ---- files (file.c, files.c) ---- */
struct files {
	struct mutex lock;              /* table, limit */
	atomic_t refs;
	u32 limit;
	struct fdtable t;
};

struct file *file_alloc(const struct path *p, struct inode *inode, u32 flags);

/* ---- devices (chrdev.c, blkdev.c) ---- */
const struct file_operations *chrdev_fops(dev_t dev);
/* Give bd's name a device number (no reference on bd is kept): the
 * dev_t, or 0 if memory is short. */
dev_t blkdev_add(struct block_device *bd);
extern const struct file_operations blkdev_fops;

/* Mount devtmpfs on dir (made first if create) and fill it. */
int mount_devfs(const char *dir, bool create);
int initramfs_unpack(const void *buf, size_t len);

#endif
