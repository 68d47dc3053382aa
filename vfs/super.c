/*
 * File system types and super blocks.
 *
 * fs_types_lock (a spinlock) protects the list of registered types; types
 * are never unregistered. Super blocks are created by the mount code under
 * its mount_mutex, which also protects the s_mounts counts.
 */
#include "vfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

static struct spinlock fs_types_lock = SPINLOCK_INIT("fs_types");
static struct list_node fs_types = LIST_INIT(fs_types);
/* Anonymous device minors, as Linux's unnamed devices (major 0). */
static atomic_t anon_minor = ATOMIC_INIT(0);

int vfs_register_fs(struct file_system_type *type)
{
	struct file_system_type *t;

	spin_lock(&fs_types_lock);
	list_for_each_entry(t, &fs_types, node) {
		if (!strcmp(t->name, type->name)) {
			spin_unlock(&fs_types_lock);
			return -EBUSY;
		}
	}
	list_add_tail(&type->node, &fs_types);
	spin_unlock(&fs_types_lock);
	return 0;
}

struct file_system_type *vfs_find_fs(const char *name)
{
	struct file_system_type *t, *found = NULL;

	spin_lock(&fs_types_lock);
	list_for_each_entry(t, &fs_types, node) {
		if (!strcmp(t->name, name)) {
			found = t;
			break;
		}
	}
	spin_unlock(&fs_types_lock);
	return found;
}

void vfs_for_each_fs(void (*fn)(const struct file_system_type *t, void *ctx), void *ctx)
{
	struct list_node *n = &fs_types;

	for (;;) {
		spin_lock(&fs_types_lock);
		n = n->next;
		spin_unlock(&fs_types_lock);
		if (n == &fs_types)
			return;
		fn(list_entry(n, struct file_system_type, node), ctx);
	}
}

dev_t vfs_anon_dev(void)
{
	return MKDEV(0, (u32)atomic_add_return(&anon_minor, 1));
}

struct super_block *sb_alloc(struct file_system_type *type)
{
	struct super_block *sb = kzalloc(sizeof(*sb), GFP_KERNEL);

	if (!sb)
		return NULL;
	sb->s_type = type;
	sb->s_blocksize = 4096;
	sb->s_maxbytes = (u64)INT64_MAX;
	mutex_init(&sb->s_rename_mutex, "s_rename_mutex");
	list_init(&sb->s_inodes);
	list_init(&sb->s_node);
	return sb;
}

void sb_free(struct super_block *sb)
{
	kfree(sb);
}

struct super_block *vfs_fill_sb(struct file_system_type *type,
				struct block_device *bdev, const char *data,
				u32 flags)
{
	struct super_block *sb = sb_alloc(type);
	int err;

	if (!sb) {
		err = -ENOMEM;
		goto out_put_bdev;
	}
	sb->s_bdev = bdev;
	sb->s_dev = bdev ? blkdev_devt(bdev) : vfs_anon_dev();
	sb->s_flags = (flags & MS_RDONLY) ? SB_RDONLY : 0;
	err = type->fill_super(sb, bdev, data, flags);
	if (err)
		goto out_free_sb;
	if (!sb->s_root || !sb->s_op) {
		pr_err("vfs: %s: fill_super left no root\n", type->name);
		err = -EINVAL;
		goto out_free_sb;
	}
	return sb;

out_free_sb:
	sb_free(sb);
out_put_bdev:
	if (bdev)
		block_put(bdev);
	return ERR_PTR(err);
}

void vfs_kill_sb(struct super_block *sb)
{
	struct dentry *root = sb->s_root;

	dcache_prune_sb(sb);
	sb->s_root = NULL;
	dput(root);
	dcache_prune_sb(sb);
	if (sb->s_op->sync_fs && !(sb->s_flags & SB_RDONLY))
		sb->s_op->sync_fs(sb, true);
	if (sb->s_op->put_super)
		sb->s_op->put_super(sb);
	if (sb->s_bdev)
		block_put(sb->s_bdev);
	/* An inode still cached points at sb: keep sb (leaked, loudly)
	 * rather than leave it dangling. */
	if (!inode_is_sb_empty(sb)) {
		pr_err("vfs: %s: inodes still in use after umount\n",
		       sb->s_type->name);
		return;
	}
	sb_free(sb);
}
