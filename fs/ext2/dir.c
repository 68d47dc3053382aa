/*
 * ext2 directories: blocks of variable-length entries (inode, rec_len,
 * name_len, file_type, name), each block's entries chained by rec_len to
 * its end. A removed entry is merged into the one before it, or, first in
 * its block, keeps its space with inode 0.
 *
 * Directories with an htree index (EXT2_INDEX_FL, the dir_index feature)
 * are read linearly: the index's own blocks look like empty entries, so
 * every name is found without the index. A change to such a directory
 * clears the flag rather than updating the index.
 *
 * Every entry is checked before use (rec_len alignment and bounds,
 * name_len within rec_len, inode number in range): a bad one is -EIO.
 */
#include "fs/ext2/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

#define DIRENT_MIN EXT2_DIR_REC_LEN(1)

/* Directory-entry file types, indexed by EXT2_FT_*, as mode type bits. */
static const u32 ext2_ft_mode[EXT2_FT_MAX] = {
	[EXT2_FT_UNKNOWN] = 0,
	[EXT2_FT_REG_FILE] = S_IFREG,
	[EXT2_FT_DIR] = S_IFDIR,
	[EXT2_FT_CHRDEV] = S_IFCHR,
	[EXT2_FT_BLKDEV] = S_IFBLK,
	[EXT2_FT_FIFO] = S_IFIFO,
	[EXT2_FT_SOCK] = S_IFSOCK,
	[EXT2_FT_SYMLINK] = S_IFLNK,
};

u8 ext2_mode_to_ft(u32 mode)
{
	for (u8 ft = 1; ft < EXT2_FT_MAX; ft++)
		if (ext2_ft_mode[ft] == (mode & S_IFMT))
			return ft;
	return EXT2_FT_UNKNOWN;
}

/* The entry at off in a directory block, checked; NULL if corrupt. */
static struct ext2_dir_entry_2 *ext2_dirent(struct ext2_fs *fs, u32 dir, struct buffer *b,
					    u64 lblk, u32 off)
{
	struct ext2_dir_entry_2 *de = (struct ext2_dir_entry_2 *)(b->data + off);
	u32 rec_len;

	if (off + DIRENT_MIN > fs->block_size)
		goto bad;
	rec_len = de->rec_len;
	if (rec_len < DIRENT_MIN || rec_len % 4 || off + rec_len > fs->block_size ||
	    EXT2_DIR_REC_LEN(de->name_len) > rec_len || de->inode > fs->inodes_count)
		goto bad;
	return de;
bad:
	ext2_corrupt(fs, "directory %u block %lu: bad entry at offset %u", dir,
		     (unsigned long)lblk, off);
	return NULL;
}

/* Block lblk of a directory, held; NULL for a hole. */
static struct buffer *ext2_dir_block(struct ext2_fs *fs, u32 dir, struct ext2_inode *in,
				     struct buffer *ib, u64 lblk)
{
	u32 pblk;
	int err = ext2_bmap(fs, dir, in, ib, lblk, false, &pblk, NULL);

	if (err)
		return ERR_PTR(err);
	if (!pblk)
		return NULL;
	return bcache_read(fs->bdev, pblk, fs->block_size);
}

static struct ext2_inode *ext2_dir_iget(struct ext2_fs *fs, u32 dir, struct buffer **ib)
{
	struct ext2_inode *in = ext2_iget(fs, dir, ib);

	if (!IS_ERR(in) && !S_ISDIR(in->i_mode)) {
		ext2_iput(*ib, false);
		return ERR_PTR(-ENOTDIR);
	}
	return in;
}

static u64 ext2_dir_blocks(struct ext2_fs *fs, const struct ext2_inode *in)
{
	return in->i_size / fs->block_size;
}

int ext2_dir_find(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		  struct ext2_dirent_ref *ref)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_dir_iget(fs, dir, &ib);
	int err = -ENOENT;
	u64 n;

	if (IS_ERR(in))
		return PTR_ERR(in);
	n = ext2_dir_blocks(fs, in);
	for (u64 lblk = 0; lblk < n && err == -ENOENT; lblk++) {
		struct buffer *b = ext2_dir_block(fs, dir, in, ib, lblk);
		u32 prev = ~0u;

		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			break;
		}
		if (!b)
			continue;
		for (u32 off = 0; off < fs->block_size;) {
			struct ext2_dir_entry_2 *de = ext2_dirent(fs, dir, b, lblk, off);

			if (!de) {
				err = -EIO;
				break;
			}
			if (de->inode && de->name_len == len && !memcmp(de->name, name, len)) {
				ref->b = b;
				ref->off = off;
				ref->prev_off = prev;
				ref->ino = de->inode;
				err = 0;
				break;
			}
			prev = off;
			off += de->rec_len;
		}
		if (err)
			bcache_release(b);
	}
	ext2_iput(ib, false);
	return err;
}

void ext2_dir_touch(struct ext2_fs *fs, struct ext2_inode *din)
{
	din->i_flags &= ~EXT2_INDEX_FL;
	din->i_mtime = din->i_ctime = ext2_now();
}

static void ext2_fill_dirent(struct ext2_fs *fs, struct ext2_dir_entry_2 *de,
			     const char *name, u32 len, u32 ino, u32 mode)
{
	de->inode = ino;
	de->name_len = len;
	de->file_type = fs->filetype ? ext2_mode_to_ft(mode) : 0;
	memcpy(de->name, name, len);
}

int ext2_dir_add(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		 u32 ino, u32 mode)
{
	u32 need = EXT2_DIR_REC_LEN(len), pblk;
	struct buffer *ib, *b;
	struct ext2_inode *in = ext2_dir_iget(fs, dir, &ib);
	struct ext2_dir_entry_2 *de;
	int err = 0;
	u64 n;

	if (IS_ERR(in))
		return PTR_ERR(in);
	n = ext2_dir_blocks(fs, in);
	for (u64 lblk = 0; lblk < n; lblk++) {
		b = ext2_dir_block(fs, dir, in, ib, lblk);
		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			goto out;
		}
		if (!b)
			continue;
		for (u32 off = 0; off < fs->block_size;) {
			u32 used;

			de = ext2_dirent(fs, dir, b, lblk, off);
			if (!de) {
				bcache_release(b);
				err = -EIO;
				goto out;
			}
			used = de->inode ? EXT2_DIR_REC_LEN(de->name_len) : 0;
			if (de->rec_len - used >= need) {
				if (used) {
					struct ext2_dir_entry_2 *nde =
						(struct ext2_dir_entry_2 *)(b->data + off + used);

					nde->rec_len = de->rec_len - used;
					de->rec_len = used;
					de = nde;
				}
				ext2_fill_dirent(fs, de, name, len, ino, mode);
				bcache_mark_dirty(b);
				bcache_release(b);
				goto done;
			}
			off += de->rec_len;
		}
		bcache_release(b);
	}
	/* No room: a new block at the end. */
	if (in->i_size + (u64)fs->block_size > 0xffffffffu) {
		err = -ENOSPC;
		goto out;
	}
	err = ext2_bmap(fs, dir, in, ib, n, true, &pblk, NULL);
	if (err)
		goto out;
	b = bcache_get(fs->bdev, pblk, fs->block_size);
	if (IS_ERR(b)) {
		err = PTR_ERR(b);
		goto out;
	}
	memset(b->data, 0, fs->block_size);
	de = (struct ext2_dir_entry_2 *)b->data;
	de->rec_len = fs->block_size;
	ext2_fill_dirent(fs, de, name, len, ino, mode);
	bcache_mark_dirty(b);
	bcache_release(b);
	in->i_size += fs->block_size;
done:
	ext2_dir_touch(fs, in);
	bcache_mark_dirty(ib);
out:
	ext2_iput(ib, false);
	return err;
}

void ext2_dir_remove(struct ext2_fs *fs, struct ext2_dirent_ref *ref)
{
	struct ext2_dir_entry_2 *de = (struct ext2_dir_entry_2 *)(ref->b->data + ref->off);

	if (ref->prev_off != ~0u) {
		struct ext2_dir_entry_2 *prev =
			(struct ext2_dir_entry_2 *)(ref->b->data + ref->prev_off);

		prev->rec_len += de->rec_len;
	} else {
		de->inode = 0;
	}
	bcache_mark_dirty(ref->b);
	bcache_release(ref->b);
}

static bool ext2_is_dot(const struct ext2_dir_entry_2 *de)
{
	return (de->name_len == 1 && de->name[0] == '.') ||
	       (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.');
}

int ext2_dir_empty(struct ext2_fs *fs, u32 dir)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_dir_iget(fs, dir, &ib);
	int err = 0;
	u64 n;

	if (IS_ERR(in))
		return PTR_ERR(in);
	n = ext2_dir_blocks(fs, in);
	for (u64 lblk = 0; lblk < n && !err; lblk++) {
		struct buffer *b = ext2_dir_block(fs, dir, in, ib, lblk);

		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			break;
		}
		if (!b)
			continue;
		for (u32 off = 0; off < fs->block_size;) {
			struct ext2_dir_entry_2 *de = ext2_dirent(fs, dir, b, lblk, off);

			if (!de) {
				err = -EIO;
				break;
			}
			if (de->inode && !ext2_is_dot(de)) {
				err = -ENOTEMPTY;
				break;
			}
			off += de->rec_len;
		}
		bcache_release(b);
	}
	ext2_iput(ib, false);
	return err;
}

int ext2_dir_init(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
		  struct buffer *ib, u32 parent)
{
	struct ext2_dir_entry_2 *de;
	struct buffer *b;
	u32 pblk;
	int err = ext2_bmap(fs, ino, in, ib, 0, true, &pblk, NULL);

	if (err)
		return err;
	b = bcache_get(fs->bdev, pblk, fs->block_size);
	if (IS_ERR(b))
		return PTR_ERR(b);
	memset(b->data, 0, fs->block_size);
	de = (struct ext2_dir_entry_2 *)b->data;
	de->rec_len = EXT2_DIR_REC_LEN(1);
	ext2_fill_dirent(fs, de, ".", 1, ino, S_IFDIR);
	de = (struct ext2_dir_entry_2 *)(b->data + EXT2_DIR_REC_LEN(1));
	de->rec_len = fs->block_size - EXT2_DIR_REC_LEN(1);
	ext2_fill_dirent(fs, de, "..", 2, parent, S_IFDIR);
	bcache_mark_dirty(b);
	bcache_release(b);
	in->i_size = fs->block_size;
	bcache_mark_dirty(ib);
	return 0;
}

/* The ".." entry: the second one of block 0. */
static int ext2_dotdot(struct ext2_fs *fs, u32 dir, struct buffer **bp,
		       struct ext2_dir_entry_2 **dep)
{
	struct buffer *ib, *b;
	struct ext2_inode *in = ext2_dir_iget(fs, dir, &ib);
	struct ext2_dir_entry_2 *de;

	if (IS_ERR(in))
		return PTR_ERR(in);
	b = in->i_size >= fs->block_size ? ext2_dir_block(fs, dir, in, ib, 0) : NULL;
	ext2_iput(ib, false);
	if (IS_ERR(b))
		return PTR_ERR(b);
	if (!b)
		return ext2_corrupt(fs, "directory %u has no first block", dir);
	de = ext2_dirent(fs, dir, b, 0, 0);
	if (de)
		de = ext2_dirent(fs, dir, b, 0, de->rec_len);
	if (!de || de->name_len != 2 || memcmp(de->name, "..", 2)) {
		bcache_release(b);
		return ext2_corrupt(fs, "directory %u: no \"..\" entry", dir);
	}
	*bp = b;
	*dep = de;
	return 0;
}

int ext2_dir_set_parent(struct ext2_fs *fs, u32 dir, u32 parent)
{
	struct ext2_dir_entry_2 *de;
	struct buffer *b;
	int err = ext2_dotdot(fs, dir, &b, &de);

	if (err)
		return err;
	de->inode = parent;
	bcache_mark_dirty(b);
	bcache_release(b);
	return 0;
}

int ext2_dir_get_parent(struct ext2_fs *fs, u32 dir, u32 *parent)
{
	struct ext2_dir_entry_2 *de;
	struct buffer *b;
	int err = ext2_dotdot(fs, dir, &b, &de);

	if (err)
		return err;
	*parent = de->inode;
	bcache_release(b);
	return 0;
}

int ext2_readdir_locked(struct ext2_fs *fs, u32 dir, u64 *pos, ext2_filldir_t fn,
			void *ctx)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_dir_iget(fs, dir, &ib);
	int err = 0;
	u64 n;

	if (IS_ERR(in))
		return PTR_ERR(in);
	n = ext2_dir_blocks(fs, in);
	while (*pos / fs->block_size < n && !err) {
		u64 lblk = *pos / fs->block_size;
		u32 want = *pos % fs->block_size;
		struct buffer *b = ext2_dir_block(fs, dir, in, ib, lblk);

		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			break;
		}
		/* Walk from the block's start: *pos may not be an entry
		 * boundary after an lseek; continue at the next entry. */
		for (u32 off = 0; b && off < fs->block_size;) {
			struct ext2_dir_entry_2 *de = ext2_dirent(fs, dir, b, lblk, off);

			if (!de) {
				err = -EIO;
				break;
			}
			if (off >= want && de->inode) {
				u32 ft = fs->filetype && de->file_type < EXT2_FT_MAX ?
					 de->file_type : EXT2_FT_UNKNOWN;

				err = fn(ctx, de->name, de->name_len, de->inode,
					 ext2_ft_mode[ft] >> 12,
					 lblk * fs->block_size + off + de->rec_len);
				if (err)
					break;
			}
			off += de->rec_len;
			if (off > want)
				*pos = lblk * fs->block_size + off;
		}
		if (b)
			bcache_release(b);
		if (!err)
			*pos = (lblk + 1) * fs->block_size;
	}
	ext2_iput(ib, false);
	return err;
}
