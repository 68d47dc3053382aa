/*
 * ext2 block and inode allocation: the per-group bitmaps, with the group
 * descriptor and superblock free counts kept exact alongside (e2fsck's
 * pass 5 compares all three).
 *
 * Blocks are allocated at or after a goal (the block before in the same
 * file, or the start of the inode's group), so a file's blocks stay near
 * each other and near its inode. A new directory goes to a group with
 * more free inodes than average and the most free blocks, a file to its
 * directory's group.
 */
#include "fs/ext2/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

u32 ext2_group_first_block(struct ext2_fs *fs, u32 group)
{
	return fs->first_data_block + group * fs->blocks_per_group;
}

static u32 ext2_group_blocks(struct ext2_fs *fs, u32 group)
{
	u32 left = fs->blocks_count - ext2_group_first_block(fs, group);

	return left < fs->blocks_per_group ? left : fs->blocks_per_group;
}

static bool bit_test(const u8 *map, u32 bit)
{
	return map[bit / 8] & (1u << (bit % 8));
}

/* First clear bit in [from, to), or to. */
static u32 bit_find_zero(const u8 *map, u32 from, u32 to)
{
	u32 i = from;

	while (i < to) {
		if (!(i % 8) && map[i / 8] == 0xff) {
			i += 8;
			continue;
		}
		if (!bit_test(map, i))
			return i;
		i++;
	}
	return to;
}

static struct buffer *ext2_read_bitmap(struct ext2_fs *fs, u32 blk, u32 group)
{
	if (!ext2_block_valid(fs, blk)) {
		ext2_corrupt(fs, "group %u bitmap block %u out of range", group, blk);
		return ERR_PTR(-EIO);
	}
	return bcache_read(fs->bdev, blk, fs->block_size);
}

int ext2_alloc_block(struct ext2_fs *fs, u32 goal, u32 *blk)
{
	u32 g0, start;

	if (!fs->sb->s_free_blocks_count)
		return -ENOSPC;
	if (!ext2_block_valid(fs, goal))
		goal = fs->first_data_block;
	g0 = (goal - fs->first_data_block) / fs->blocks_per_group;
	start = (goal - fs->first_data_block) % fs->blocks_per_group;
	for (u32 i = 0; i <= fs->groups; i++) {
		u32 g = (g0 + i) % fs->groups;
		u32 n = ext2_group_blocks(fs, g);
		struct buffer *gb, *bb;
		struct ext2_group_desc *gd = ext2_gd(fs, g, &gb);
		u32 bit;

		if (!gd->bg_free_blocks_count)
			continue;
		bb = ext2_read_bitmap(fs, gd->bg_block_bitmap, g);
		if (IS_ERR(bb))
			return PTR_ERR(bb);
		/* The goal's group is visited twice: from the goal on first,
		 * then (i == groups) from its start. */
		bit = bit_find_zero(bb->data, i == 0 ? MIN(start, n) : 0, n);
		if (bit == n) {
			bcache_release(bb);
			continue;
		}
		bb->data[bit / 8] |= 1u << (bit % 8);
		bcache_mark_dirty(bb);
		bcache_release(bb);
		gd->bg_free_blocks_count--;
		bcache_mark_dirty(gb);
		fs->sb->s_free_blocks_count--;
		ext2_sb_dirty(fs);
		*blk = ext2_group_first_block(fs, g) + bit;
		return 0;
	}
	return -ENOSPC;
}

int ext2_free_block(struct ext2_fs *fs, u32 blk)
{
	struct buffer *gb, *bb;
	struct ext2_group_desc *gd;
	u32 g, bit;

	if (!ext2_block_valid(fs, blk))
		return ext2_corrupt(fs, "freeing block %u out of range", blk);
	g = (blk - fs->first_data_block) / fs->blocks_per_group;
	bit = (blk - fs->first_data_block) % fs->blocks_per_group;
	gd = ext2_gd(fs, g, &gb);
	bb = ext2_read_bitmap(fs, gd->bg_block_bitmap, g);
	if (IS_ERR(bb))
		return PTR_ERR(bb);
	if (!bit_test(bb->data, bit)) {
		bcache_release(bb);
		return ext2_corrupt(fs, "freeing free block %u", blk);
	}
	bb->data[bit / 8] &= ~(1u << (bit % 8));
	bcache_mark_dirty(bb);
	bcache_release(bb);
	gd->bg_free_blocks_count++;
	bcache_mark_dirty(gb);
	fs->sb->s_free_blocks_count++;
	ext2_sb_dirty(fs);
	/* A write-back of what the block held would be wasted. */
	bcache_discard(fs->bdev, blk, fs->block_size);
	return 0;
}

/* The group for a new inode (see the top of the file), or -ENOSPC. */
static int ext2_pick_group(struct ext2_fs *fs, u32 dir, bool is_dir)
{
	u32 pg = (dir - 1) / fs->inodes_per_group;
	u32 avg = fs->sb->s_free_inodes_count / fs->groups;
	int best = -1;
	u32 best_free = 0;
	struct buffer *b;

	if (pg >= fs->groups)
		pg = 0;
	if (is_dir) {
		for (u32 g = 0; g < fs->groups; g++) {
			struct ext2_group_desc *gd = ext2_gd(fs, g, &b);

			if (gd->bg_free_inodes_count && gd->bg_free_inodes_count >= avg &&
			    (best < 0 || gd->bg_free_blocks_count > best_free)) {
				best = g;
				best_free = gd->bg_free_blocks_count;
			}
		}
		if (best >= 0)
			return best;
	}
	for (u32 i = 0; i < fs->groups; i++) {
		u32 g = (pg + i) % fs->groups;

		if (ext2_gd(fs, g, &b)->bg_free_inodes_count)
			return g;
	}
	return -ENOSPC;
}

int ext2_alloc_inode(struct ext2_fs *fs, u32 dir, bool is_dir, u32 *ino)
{
	int g0;

	if (!fs->sb->s_free_inodes_count)
		return -ENOSPC;
	g0 = ext2_pick_group(fs, dir, is_dir);
	if (g0 < 0)
		return g0;
	for (u32 i = 0; i < fs->groups; i++) {
		u32 g = (g0 + i) % fs->groups;
		struct buffer *gb, *bb;
		struct ext2_group_desc *gd = ext2_gd(fs, g, &gb);
		u32 first = g * fs->inodes_per_group;
		u32 from = fs->first_ino > first + 1 ? fs->first_ino - 1 - first : 0;
		u32 bit;

		if (!gd->bg_free_inodes_count || from >= fs->inodes_per_group)
			continue;
		bb = ext2_read_bitmap(fs, gd->bg_inode_bitmap, g);
		if (IS_ERR(bb))
			return PTR_ERR(bb);
		bit = bit_find_zero(bb->data, from, fs->inodes_per_group);
		if (bit == fs->inodes_per_group) {
			bcache_release(bb);
			continue;
		}
		bb->data[bit / 8] |= 1u << (bit % 8);
		bcache_mark_dirty(bb);
		bcache_release(bb);
		gd->bg_free_inodes_count--;
		if (is_dir)
			gd->bg_used_dirs_count++;
		bcache_mark_dirty(gb);
		fs->sb->s_free_inodes_count--;
		ext2_sb_dirty(fs);
		*ino = first + bit + 1;
		return 0;
	}
	return -ENOSPC;
}

int ext2_free_inode(struct ext2_fs *fs, u32 ino, bool is_dir)
{
	struct buffer *gb, *bb;
	struct ext2_group_desc *gd;
	u32 g, bit;

	if (ino < fs->first_ino || ino > fs->inodes_count)
		return ext2_corrupt(fs, "freeing inode %u out of range", ino);
	g = (ino - 1) / fs->inodes_per_group;
	bit = (ino - 1) % fs->inodes_per_group;
	gd = ext2_gd(fs, g, &gb);
	bb = ext2_read_bitmap(fs, gd->bg_inode_bitmap, g);
	if (IS_ERR(bb))
		return PTR_ERR(bb);
	if (!bit_test(bb->data, bit)) {
		bcache_release(bb);
		return ext2_corrupt(fs, "freeing free inode %u", ino);
	}
	bb->data[bit / 8] &= ~(1u << (bit % 8));
	bcache_mark_dirty(bb);
	bcache_release(bb);
	gd->bg_free_inodes_count++;
	if (is_dir && gd->bg_used_dirs_count)
		gd->bg_used_dirs_count--;
	bcache_mark_dirty(gb);
	fs->sb->s_free_inodes_count++;
	ext2_sb_dirty(fs);
	return 0;
}
