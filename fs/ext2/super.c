/*
 * ext2 superblock and group descriptors: mount-time checks, sync,
 * unmount, statfs.
 *
 * Mount refuses anything it cannot handle safely, naming the reason:
 * an incompatible feature other than `filetype`, a revision above 1, a
 * block size above 4 KiB, geometry that does not add up (group counts,
 * inode counts, the device's size), or group metadata outside the file
 * system. Read-only-compatible features other than sparse_super and
 * large_file allow a read-only mount only.
 */
#include "fs/ext2/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"

#define EXT2_SB_OFFSET 1024             /* bytes from the device's start */
#define EXT2_RO_COMPAT_OK (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
			   EXT2_FEATURE_RO_COMPAT_LARGE_FILE)
#define EXT2_INCOMPAT_OK  EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_MAX_BLOCK_SIZE_OK 4096

u32 ext2_now(void)
{
	return (u32)(ktime_get_real() / 1000000000u);
}

int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("ext2 (%s): corrupt metadata: %s\n", fs->bdev->name, msg);
	return -EIO;
}

bool ext2_block_valid(struct ext2_fs *fs, u32 blk)
{
	return blk >= fs->first_data_block && blk < fs->blocks_count;
}

struct ext2_group_desc *ext2_gd(struct ext2_fs *fs, u32 group, struct buffer **bp)
{
	u32 per_block = fs->block_size / sizeof(struct ext2_group_desc);

	*bp = fs->gd_bufs[group / per_block];
	return (struct ext2_group_desc *)(*bp)->data + group % per_block;
}

void ext2_sb_dirty(struct ext2_fs *fs)
{
	fs->sb->s_wtime = ext2_now();
	bcache_mark_dirty(fs->sb_buf);
}

u32 ext2_root_ino(void)
{
	return EXT2_ROOT_INO;
}

/* Superblock checks; fills the geometry. -EINVAL with a log line. */
static int ext2_check_super(struct ext2_fs *fs, const struct ext2_super_block *sb,
			    bool *read_only)
{
	const char *dev = fs->bdev->name;
	u64 groups;

	if (sb->s_magic != EXT2_SUPER_MAGIC) {
		pr_err("ext2 (%s): no ext2 superblock (magic %#x)\n", dev, sb->s_magic);
		return -EINVAL;
	}
	if (sb->s_rev_level > EXT2_DYNAMIC_REV) {
		pr_err("ext2 (%s): revision %u unsupported\n", dev, sb->s_rev_level);
		return -EINVAL;
	}
	if (sb->s_log_block_size > 2) {
		pr_err("ext2 (%s): block size 2^%u KiB unsupported (1, 2, 4 KiB)\n",
		       dev, sb->s_log_block_size);
		return -EINVAL;
	}
	fs->block_size = EXT2_MIN_BLOCK_SIZE << sb->s_log_block_size;
	fs->addr_per_block = fs->block_size / sizeof(u32);
	if (sb->s_rev_level >= EXT2_DYNAMIC_REV) {
		u32 incompat = sb->s_feature_incompat;
		u32 ro = sb->s_feature_ro_compat;

		if (incompat & ~EXT2_INCOMPAT_OK) {
			pr_err("ext2 (%s): unsupported incompatible features %#x%s\n",
			       dev, incompat & ~EXT2_INCOMPAT_OK,
			       incompat & EXT3_FEATURE_INCOMPAT_RECOVER ?
			       " (journal needs recovery)" : "");
			return -EINVAL;
		}
		if ((ro & ~EXT2_RO_COMPAT_OK) && !*read_only) {
			pr_warn("ext2 (%s): read-only-compatible features %#x: mounting read-only\n",
				dev, ro & ~EXT2_RO_COMPAT_OK);
			*read_only = true;
		}
		fs->filetype = incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
		fs->inode_size = sb->s_inode_size;
		fs->first_ino = sb->s_first_ino;
	} else {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
	    (fs->inode_size & (fs->inode_size - 1))) {
		pr_err("ext2 (%s): bad inode size %u\n", dev, fs->inode_size);
		return -EINVAL;
	}
	fs->blocks_per_group = sb->s_blocks_per_group;
	fs->inodes_per_group = sb->s_inodes_per_group;
	fs->inodes_per_block = fs->block_size / fs->inode_size;
	fs->first_data_block = sb->s_first_data_block;
	fs->blocks_count = sb->s_blocks_count;
	fs->inodes_count = sb->s_inodes_count;
	if (!fs->blocks_per_group || fs->blocks_per_group > 8 * fs->block_size ||
	    !fs->inodes_per_group || fs->inodes_per_group > 8 * fs->block_size ||
	    fs->first_data_block != (fs->block_size == 1024 ? 1u : 0u) ||
	    fs->blocks_count <= fs->first_data_block + 1) {
		pr_err("ext2 (%s): bad geometry (%u blocks, %u per group, %u inodes per group, first data block %u)\n",
		       dev, fs->blocks_count, fs->blocks_per_group,
		       fs->inodes_per_group, fs->first_data_block);
		return -EINVAL;
	}
	if ((u64)fs->blocks_count * fs->block_size > block_size_bytes(fs->bdev)) {
		pr_err("ext2 (%s): %u blocks do not fit on the %lu-byte device\n",
		       dev, fs->blocks_count, (unsigned long)block_size_bytes(fs->bdev));
		return -EINVAL;
	}
	groups = (fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) /
		 fs->blocks_per_group;
	if (groups * fs->inodes_per_group != fs->inodes_count ||
	    fs->first_ino >= fs->inodes_count || fs->first_ino < EXT2_GOOD_OLD_FIRST_INO) {
		pr_err("ext2 (%s): inode counts do not add up (%u inodes, %lu groups of %u, first %u)\n",
		       dev, fs->inodes_count, (unsigned long)groups,
		       fs->inodes_per_group, fs->first_ino);
		return -EINVAL;
	}
	if (sb->s_free_blocks_count > fs->blocks_count ||
	    sb->s_free_inodes_count > fs->inodes_count) {
		pr_err("ext2 (%s): free counts exceed totals\n", dev);
		return -EINVAL;
	}
	fs->groups = groups;
	fs->itable_blocks = (fs->inodes_per_group * fs->inode_size + fs->block_size - 1) /
			    fs->block_size;
	fs->nr_gd_blocks = (fs->groups * sizeof(struct ext2_group_desc) + fs->block_size - 1) /
			   fs->block_size;
	if (fs->first_data_block + 1 + fs->nr_gd_blocks > fs->blocks_count) {
		pr_err("ext2 (%s): group descriptors past the end\n", dev);
		return -EINVAL;
	}
	if (sb->s_state & EXT2_ERROR_FS)
		pr_warn("ext2 (%s): file system has errors; run e2fsck\n", dev);
	return 0;
}

/* Every group's bitmaps and inode table must lie inside the file system. */
static int ext2_check_groups(struct ext2_fs *fs)
{
	for (u32 g = 0; g < fs->groups; g++) {
		struct buffer *b;
		struct ext2_group_desc *gd = ext2_gd(fs, g, &b);

		if (!ext2_block_valid(fs, gd->bg_block_bitmap) ||
		    !ext2_block_valid(fs, gd->bg_inode_bitmap) ||
		    !ext2_block_valid(fs, gd->bg_inode_table) ||
		    gd->bg_inode_table + (u64)fs->itable_blocks > fs->blocks_count ||
		    gd->bg_free_blocks_count > fs->blocks_per_group ||
		    gd->bg_free_inodes_count > fs->inodes_per_group) {
			pr_err("ext2 (%s): group %u descriptor is corrupt\n",
			       fs->bdev->name, g);
			return -EINVAL;
		}
	}
	return 0;
}

static void ext2_release_gds(struct ext2_fs *fs)
{
	for (u32 i = 0; i < fs->nr_gd_blocks && fs->gd_bufs[i]; i++)
		bcache_release(fs->gd_bufs[i]);
	kfree(fs->gd_bufs);
}

int ext2_mount(struct block_device *bd, bool *read_only, struct ext2_fs **out)
{
	struct ext2_inode *root;
	struct ext2_fs *fs;
	struct buffer *b;
	u16 root_mode;
	int err;

	if (block_size_bytes(bd) < 2 * EXT2_SB_OFFSET)
		return -EINVAL;
	fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return -ENOMEM;
	fs->bdev = bd;
	mutex_init(&fs->lock, "ext2");
	b = bcache_read(bd, 1, EXT2_SB_OFFSET);
	if (IS_ERR(b)) {
		err = PTR_ERR(b);
		goto out_free_fs;
	}
	err = ext2_check_super(fs, (struct ext2_super_block *)b->data, read_only);
	if (err) {
		bcache_release(b);
		goto out_free_fs;
	}
	if (fs->block_size == EXT2_SB_OFFSET) {
		fs->sb_buf = b;
	} else {
		/* The superblock lives inside block 0 from here on; drop the
		 * 1 KiB alias so no two buffers cover the same bytes. */
		bcache_forget(b);
		fs->sb_buf = bcache_read(bd, 0, fs->block_size);
		if (IS_ERR(fs->sb_buf)) {
			err = PTR_ERR(fs->sb_buf);
			goto out_free_fs;
		}
		fs->sb_off = EXT2_SB_OFFSET;
	}
	fs->sb = (struct ext2_super_block *)(fs->sb_buf->data + fs->sb_off);
	fs->read_only = *read_only;

	fs->gd_bufs = kzalloc(fs->nr_gd_blocks * sizeof(*fs->gd_bufs), GFP_KERNEL);
	if (!fs->gd_bufs) {
		err = -ENOMEM;
		goto out_release_sb;
	}
	for (u32 i = 0; i < fs->nr_gd_blocks; i++) {
		b = bcache_read(bd, fs->first_data_block + 1 + i, fs->block_size);
		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			goto out_release_gds;
		}
		fs->gd_bufs[i] = b;
	}
	err = ext2_check_groups(fs);
	if (err)
		goto out_release_gds;

	root = ext2_iget(fs, EXT2_ROOT_INO, &b);
	if (IS_ERR(root)) {
		err = -EINVAL;
		goto out_release_gds;
	}
	root_mode = root->i_mode;
	ext2_iput(b, false);
	if (!S_ISDIR(root_mode)) {
		pr_err("ext2 (%s): root inode is not a directory\n", bd->name);
		err = -EINVAL;
		goto out_release_gds;
	}
	if (!fs->read_only) {
		fs->sb->s_mtime = ext2_now();
		fs->sb->s_mnt_count++;
		ext2_sb_dirty(fs);
	}
	pr_info("ext2 (%s): mounted %s: %u blocks of %u bytes, %u inodes, rev %u%s\n",
		bd->name, fs->read_only ? "read-only" : "read-write",
		fs->blocks_count, fs->block_size, fs->inodes_count,
		fs->sb->s_rev_level, fs->filetype ? ", filetype" : "");
	*out = fs;
	return 0;

out_release_gds:
	ext2_release_gds(fs);
out_release_sb:
	bcache_release(fs->sb_buf);
out_free_fs:
	kfree(fs);
	return err;
}

/* Only the primary superblock and descriptors are kept current, as on
 * Linux: the backups' free counts are not meant to be exact. */
int ext2_sync(struct ext2_fs *fs)
{
	int err;

	mutex_lock(&fs->lock);
	err = bcache_sync(fs->bdev);
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_fsync(struct ext2_fs *fs, u32 ino)
{
	return ext2_sync(fs);
}

int ext2_unmount(struct ext2_fs *fs)
{
	int err = ext2_sync(fs);
	u32 held;

	ext2_release_gds(fs);
	bcache_release(fs->sb_buf);
	held = bcache_invalidate(fs->bdev);
	if (held)
		pr_warn("ext2 (%s): %u buffers still held at unmount\n",
			fs->bdev->name, held);
	kfree(fs);
	return err;
}

void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
	mutex_lock(&fs->lock);
	st->block_size = fs->block_size;
	st->blocks = fs->blocks_count;
	st->free_blocks = fs->sb->s_free_blocks_count;
	st->avail_blocks = st->free_blocks > fs->sb->s_r_blocks_count ?
			   st->free_blocks - fs->sb->s_r_blocks_count : 0;
	st->inodes = fs->inodes_count;
	st->free_inodes = fs->sb->s_free_inodes_count;
	st->name_max = EXT2_NAME_LEN;
	mutex_unlock(&fs->lock);
}

void ext2_set_busy_hook(struct ext2_fs *fs, bool (*busy)(void *ctx, u32 ino), void *ctx)
{
	mutex_lock(&fs->lock);
	fs->busy = busy;
	fs->busy_ctx = ctx;
	mutex_unlock(&fs->lock);
}
