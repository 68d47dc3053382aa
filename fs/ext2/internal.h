/*
 * ext2 internals shared by the files of fs/ext2/.
 *
 * Metadata is changed in place in the buffer cache: an inode is a pointer
 * into its inode-table block (ext2_iget), a bitmap or directory block is
 * the buffer itself; each change ends with bcache_mark_dirty. fs->lock
 * (held by every public entry point) serializes all of it.
 */
#ifndef VIREO_FS_EXT2_INTERNAL_H
#define VIREO_FS_EXT2_INTERNAL_H

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2_ext_attr.h>
#ifdef HOST_TEST
#include <sys/stat.h>   /* glibc hides linux/stat.h's S_IF* behind its own */
#else
#include <linux/stat.h>
#endif

#include "fs/ext2/ext2.h"
#include "kernel/sched/mutex.h"
#include "vfs/buffer.h"

_Static_assert(sizeof(struct ext2_super_block) == 1024, "superblock is 1 KiB");
_Static_assert(sizeof(struct ext2_group_desc) == EXT2_MIN_DESC_SIZE,
	       "32-byte group descriptors without the 64bit feature");
_Static_assert(sizeof(struct ext2_inode) == EXT2_GOOD_OLD_INODE_SIZE,
	       "128-byte inode core");

struct ext2_fs {
	struct block_device *bdev;
	struct mutex lock;              /* every operation; see ext2.h */
	struct buffer *sb_buf;          /* block holding the superblock, held */
	struct ext2_super_block *sb;    /* inside sb_buf */
	u32 sb_off;                     /* of sb within sb_buf */
	struct buffer **gd_bufs;        /* group descriptor blocks, held */
	u32 nr_gd_blocks;
	u32 block_size;
	u32 sectors_per_block_shift;
	u32 inode_size;
	u32 groups;
	u32 blocks_per_group;
	u32 inodes_per_group;
	u32 inodes_per_block;
	u32 itable_blocks;              /* per group */
	u32 first_ino;
	u32 first_data_block;
	u32 blocks_count;
	u32 inodes_count;
	u32 addr_per_block;
	bool read_only;
	bool filetype;                  /* directory entries carry a type */
	bool (*busy)(void *ctx, u32 ino);
	void *busy_ctx;
};

/* super.c */
struct ext2_group_desc *ext2_gd(struct ext2_fs *fs, u32 group, struct buffer **bp);
void ext2_sb_dirty(struct ext2_fs *fs);
u32 ext2_now(void);
/* Log corruption (rate-limited only by its rarity) and return -EIO. */
int ext2_corrupt(struct ext2_fs *fs, const char *fmt, ...) __printf(2, 3);
bool ext2_block_valid(struct ext2_fs *fs, u32 blk);

/* alloc.c */
int ext2_alloc_block(struct ext2_fs *fs, u32 goal, u32 *blk);
int ext2_free_block(struct ext2_fs *fs, u32 blk);
int ext2_alloc_inode(struct ext2_fs *fs, u32 dir, bool is_dir, u32 *ino);
int ext2_free_inode(struct ext2_fs *fs, u32 ino, bool is_dir);
u32 ext2_group_first_block(struct ext2_fs *fs, u32 group);

/* inode.c */
struct ext2_inode *ext2_iget(struct ext2_fs *fs, u32 ino, struct buffer **bp);
void ext2_iput(struct buffer *b, bool dirty);
u64 ext2_isize(const struct ext2_inode *in);
u64 ext2_max_size(struct ext2_fs *fs);
void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *in, u64 size);
/* Physical block of logical block lblk (0: a hole). With alloc, holes
 * are filled (new blocks zeroed; *fresh set). The inode's buffer is
 * marked dirty when it changes. */
int ext2_bmap(struct ext2_fs *fs, u32 ino, struct ext2_inode *in, struct buffer *ib,
	      u64 lblk, bool alloc, u32 *pblk, bool *fresh);
int ext2_truncate_blocks(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
			 struct buffer *ib, u64 size);
/* Free the inode's blocks and the inode itself (links already 0). */
int ext2_delete_inode(struct ext2_fs *fs, u32 ino);
ssize_t ext2_read_locked(struct ext2_fs *fs, u32 ino, u64 off, void *buf,
			 size_t len, struct ext2_ra *ra);
ssize_t ext2_write_locked(struct ext2_fs *fs, u32 ino, u64 off, const void *buf,
			  size_t len);
/* A fresh inode: zeroed, mode, times, extra size; links 1. */
void ext2_init_inode(struct ext2_fs *fs, struct ext2_inode *in, u32 mode);
bool ext2_fast_symlink(struct ext2_fs *fs, const struct ext2_inode *in);

/* dir.c */
struct ext2_dirent_ref {
	struct buffer *b;               /* held */
	u32 off;                        /* entry's offset in b */
	u32 prev_off;                   /* previous entry in the block, or ~0u */
	u32 ino;
};
int ext2_dir_find(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		  struct ext2_dirent_ref *ref);
int ext2_dir_add(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		 u32 ino, u32 mode);
/* Remove the entry ref points at and release ref->b. */
void ext2_dir_remove(struct ext2_fs *fs, struct ext2_dirent_ref *ref);
int ext2_dir_empty(struct ext2_fs *fs, u32 dir);
/* Make the new directory's first block with "." and "..". */
int ext2_dir_init(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
		  struct buffer *ib, u32 parent);
/* Point dir's ".." at parent. */
int ext2_dir_set_parent(struct ext2_fs *fs, u32 dir, u32 parent);
int ext2_dir_get_parent(struct ext2_fs *fs, u32 dir, u32 *parent);
/* A change to a directory with an htree index drops the index: it is
 * not kept up to date, and a linear directory is always valid. */
void ext2_dir_touch(struct ext2_fs *fs, struct ext2_inode *din);
int ext2_readdir_locked(struct ext2_fs *fs, u32 dir, u64 *pos,
			ext2_filldir_t fn, void *ctx);
u8 ext2_mode_to_ft(u32 mode);

#endif
