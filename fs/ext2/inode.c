/*
 * ext2 inodes: where they live, their block maps (twelve direct blocks,
 * then single, double and triple indirect blocks of 32-bit block
 * numbers; 0 is a hole), truncation, deletion, and file data.
 *
 * Every block number read from an inode or an indirect block is checked
 * against the file system's bounds before it is followed; a bad one
 * fails that file's operation with -EIO and a log line.
 */
#include "fs/ext2/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

/* A sequential reader has this much read ahead of it, topped up half a
 * window at a time so that each batch is a large request (the buffer
 * cache merges consecutive blocks into one, up to 32 of them). */
#define EXT2_RA_BYTES  (256u << 10)
#define EXT2_RA_BATCH  32               /* blocks per bcache_readahead call */

/*
 * An inode table block is about to be read: read the blocks after it in
 * the group's table too, in one request (Linux's inode_readahead_blks,
 * 32 by default). Inodes of one directory sit together in its group, so
 * a scan or a run of creates uses them next; without this each block of
 * inodes was a request of its own.
 */
#define EXT2_ITABLE_RA 32               /* blocks */

static void ext2_itable_readahead(struct ext2_fs *fs, const struct ext2_group_desc *gd,
				  u64 blk)
{
	u64 end = gd->bg_inode_table + fs->itable_blocks;
	u64 blocks[EXT2_ITABLE_RA];
	u32 n = 0;

	while (n < EXT2_ITABLE_RA && blk + n < end) {
		blocks[n] = blk + n;
		n++;
	}
	bcache_readahead(fs->bdev, blocks, n, fs->block_size);
}

struct ext2_inode *ext2_iget(struct ext2_fs *fs, u32 ino, struct buffer **bp)
{
	struct ext2_group_desc *gd;
	struct buffer *gb, *b;
	u32 g, idx;
	u64 blk;

	if (ino < 1 || ino > fs->inodes_count) {
		ext2_corrupt(fs, "inode number %u out of range", ino);
		return ERR_PTR(-EIO);
	}
	g = (ino - 1) / fs->inodes_per_group;
	idx = (ino - 1) % fs->inodes_per_group;
	gd = ext2_gd(fs, g, &gb);
	/* The inode table's extent was checked at mount. */
	blk = gd->bg_inode_table + idx / fs->inodes_per_block;
	if (!bcache_cached(fs->bdev, blk, fs->block_size))
		ext2_itable_readahead(fs, gd, blk);
	b = bcache_read(fs->bdev, blk, fs->block_size);
	if (IS_ERR(b))
		return (struct ext2_inode *)b;
	*bp = b;
	return (struct ext2_inode *)(b->data + (idx % fs->inodes_per_block) * fs->inode_size);
}

void ext2_iput(struct buffer *b, bool dirty)
{
	if (dirty)
		bcache_mark_dirty(b);
	bcache_release(b);
}

u64 ext2_isize(const struct ext2_inode *in)
{
	if (S_ISREG(in->i_mode))
		return in->i_size | (u64)in->i_size_high << 32;
	return in->i_size;
}

void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *in, u64 size)
{
	in->i_size = (u32)size;
	if (S_ISREG(in->i_mode))
		in->i_size_high = (u32)(size >> 32);
	if (size > 0x7fffffffu &&
	    !(fs->sb->s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		fs->sb->s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		ext2_sb_dirty(fs);
	}
}

/* Largest file size: the block map's reach, and 2 GiB on revision 0,
 * which cannot carry the large_file feature. */
u64 ext2_max_size(struct ext2_fs *fs)
{
	u64 apb = fs->addr_per_block;
	u64 blocks = EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb;
	u64 max = blocks * fs->block_size;

	if (fs->sb->s_rev_level == EXT2_GOOD_OLD_REV)
		return 0x7fffffffu;
	/* i_blocks counts 512-byte units in 32 bits. */
	return MIN(max, (1ull << 41) - fs->block_size);
}

bool ext2_fast_symlink(struct ext2_fs *fs, const struct ext2_inode *in)
{
	u32 acl = in->i_file_acl ? fs->block_size >> 9 : 0;

	return S_ISLNK(in->i_mode) && in->i_blocks == acl;
}

void ext2_init_inode(struct ext2_fs *fs, struct ext2_inode *in, u32 mode)
{
	u32 now = ext2_now();

	memset(in, 0, fs->inode_size);
	in->i_mode = mode;
	in->i_links_count = 1;
	in->i_atime = in->i_ctime = in->i_mtime = now;
	if (fs->inode_size > EXT2_GOOD_OLD_INODE_SIZE) {
		struct ext2_inode_large *l = (struct ext2_inode_large *)in;
		u32 extra = sizeof(*l) - EXT2_GOOD_OLD_INODE_SIZE;

		l->i_extra_isize = MIN(extra, fs->inode_size - EXT2_GOOD_OLD_INODE_SIZE);
	}
}

static void ext2_add_blocks(struct ext2_fs *fs, struct ext2_inode *in, int n)
{
	in->i_blocks += n * (int)(fs->block_size >> 9);
}

/* Split logical block lblk into a path of indices from i_block down. */
static int ext2_block_path(struct ext2_fs *fs, u64 lblk, u32 path[4])
{
	u64 apb = fs->addr_per_block;

	if (lblk < EXT2_NDIR_BLOCKS) {
		path[0] = lblk;
		return 0;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < apb) {
		path[0] = EXT2_IND_BLOCK;
		path[1] = lblk;
		return 1;
	}
	lblk -= apb;
	if (lblk < apb * apb) {
		path[0] = EXT2_DIND_BLOCK;
		path[1] = lblk / apb;
		path[2] = lblk % apb;
		return 2;
	}
	lblk -= apb * apb;
	if (lblk < apb * apb * apb) {
		path[0] = EXT2_TIND_BLOCK;
		path[1] = lblk / (apb * apb);
		path[2] = (lblk / apb) % apb;
		path[3] = lblk % apb;
		return 3;
	}
	return -EFBIG;
}

/* Where to look for a new block: after the nearest mapped block before
 * it in the same array, else after the array's own block, else the
 * inode's group. */
static u32 ext2_goal(struct ext2_fs *fs, u32 ino, const u32 *arr, u32 idx, u32 parent)
{
	for (u32 i = idx; i-- > 0;)
		if (arr[i])
			return arr[i] + 1;
	if (parent)
		return parent + 1;
	return ext2_group_first_block(fs, (ino - 1) / fs->inodes_per_group);
}

int ext2_bmap(struct ext2_fs *fs, u32 ino, struct ext2_inode *in, struct buffer *ib,
	      u64 lblk, bool alloc, u32 *pblk, bool *fresh)
{
	struct buffer *cur = NULL;      /* indirect block holding arr, or NULL */
	u32 path[4], *arr = in->i_block, parent = 0;
	int depth = ext2_block_path(fs, lblk, path);
	int err = 0;

	if (depth < 0)
		return depth;
	if (fresh)
		*fresh = false;
	for (int level = 0;; level++) {
		u32 blk = arr[path[level]];
		struct buffer *next;
		bool made = false;

		if (!blk) {
			if (!alloc) {
				*pblk = 0;
				break;
			}
			err = ext2_alloc_block(fs, ext2_goal(fs, ino, arr, path[level], parent),
					       &blk);
			if (err)
				break;
			arr[path[level]] = blk;
			bcache_mark_dirty(cur ? cur : ib);
			ext2_add_blocks(fs, in, 1);
			bcache_mark_dirty(ib);
			made = true;
		} else if (!ext2_block_valid(fs, blk)) {
			err = ext2_corrupt(fs, "inode %u: block %u out of range", ino, blk);
			break;
		}
		if (level == depth) {
			*pblk = blk;
			if (fresh)
				*fresh = made;
			break;
		}
		if (made) {
			next = bcache_get(fs->bdev, blk, fs->block_size);
			if (!IS_ERR(next)) {
				memset(next->data, 0, fs->block_size);
				bcache_mark_dirty(next);
			}
		} else {
			next = bcache_read(fs->bdev, blk, fs->block_size);
		}
		if (IS_ERR(next)) {
			err = PTR_ERR(next);
			break;
		}
		if (cur)
			bcache_release(cur);
		cur = next;
		arr = (u32 *)cur->data;
		parent = blk;
	}
	if (cur)
		bcache_release(cur);
	return err;
}

/* Free blk, an indirect block `depth` levels above data (0: a data
 * block), and everything below it. */
static int ext2_free_tree(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
			  u32 blk, int depth)
{
	int err = 0;

	if (!ext2_block_valid(fs, blk))
		return ext2_corrupt(fs, "inode %u: block %u out of range", ino, blk);
	if (depth > 0) {
		struct buffer *b = bcache_read(fs->bdev, blk, fs->block_size);
		u32 *arr;

		if (IS_ERR(b))
			return PTR_ERR(b);
		arr = (u32 *)b->data;
		for (u32 i = 0; i < fs->addr_per_block && !err; i++)
			if (arr[i])
				err = ext2_free_tree(fs, ino, in, arr[i], depth - 1);
		bcache_release(b);
		if (err)
			return err;
	}
	err = ext2_free_block(fs, blk);
	if (!err)
		ext2_add_blocks(fs, in, -1);
	return err;
}

/*
 * Free what indirect block blk (covering logical blocks from base on,
 * `depth` levels above data) maps at or after logical block first.
 * *empty: nothing is left in it.
 */
static int ext2_trunc_tree(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
			   u32 blk, int depth, u64 base, u64 first, bool *empty)
{
	u64 span = 1;
	struct buffer *b;
	u32 *arr;
	int err = 0;

	if (!ext2_block_valid(fs, blk))
		return ext2_corrupt(fs, "inode %u: block %u out of range", ino, blk);
	for (int i = 1; i < depth; i++)
		span *= fs->addr_per_block;
	b = bcache_read(fs->bdev, blk, fs->block_size);
	if (IS_ERR(b))
		return PTR_ERR(b);
	arr = (u32 *)b->data;
	*empty = true;
	for (u32 i = 0; i < fs->addr_per_block && !err; i++) {
		u64 cbase = base + i * span;
		bool cempty;

		if (!arr[i])
			continue;
		if (cbase >= first) {
			err = ext2_free_tree(fs, ino, in, arr[i], depth - 1);
			if (!err) {
				arr[i] = 0;
				bcache_mark_dirty(b);
			}
		} else if (cbase + span > first && depth > 1) {
			err = ext2_trunc_tree(fs, ino, in, arr[i], depth - 1, cbase, first,
					      &cempty);
			if (!err && cempty) {
				err = ext2_free_tree(fs, ino, in, arr[i], 0);
				if (!err) {
					arr[i] = 0;
					bcache_mark_dirty(b);
				}
			}
		}
		if (arr[i])
			*empty = false;
	}
	bcache_release(b);
	return err;
}

int ext2_truncate_blocks(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
			 struct buffer *ib, u64 size)
{
	u64 apb = fs->addr_per_block;
	u64 first = (size + fs->block_size - 1) / fs->block_size;
	u64 base[3] = { EXT2_NDIR_BLOCKS, EXT2_NDIR_BLOCKS + apb,
			EXT2_NDIR_BLOCKS + apb + apb * apb };
	u64 span[3] = { apb, apb * apb, apb * apb * apb };
	int err = 0;

	for (u32 i = first; i < EXT2_NDIR_BLOCKS && !err; i++) {
		if (!in->i_block[i])
			continue;
		err = ext2_free_tree(fs, ino, in, in->i_block[i], 0);
		if (!err)
			in->i_block[i] = 0;
	}
	for (int d = 0; d < 3 && !err; d++) {
		u32 *slot = &in->i_block[EXT2_IND_BLOCK + d];
		bool empty = false;

		if (!*slot || base[d] + span[d] <= first)
			continue;
		if (base[d] < first)
			err = ext2_trunc_tree(fs, ino, in, *slot, d + 1, base[d], first, &empty);
		if (!err && (base[d] >= first || empty)) {
			err = base[d] >= first ? ext2_free_tree(fs, ino, in, *slot, d + 1)
					       : ext2_free_tree(fs, ino, in, *slot, 0);
			if (!err)
				*slot = 0;
		}
	}
	bcache_mark_dirty(ib);
	return err;
}

/* Zero the bytes of size's block past size, so a later extension reads
 * zeros there. */
static int ext2_zero_tail(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
			  struct buffer *ib, u64 size)
{
	u32 off = size % fs->block_size, pblk;
	struct buffer *b;
	int err;

	if (!off)
		return 0;
	err = ext2_bmap(fs, ino, in, ib, size / fs->block_size, false, &pblk, NULL);
	if (err || !pblk)
		return err;
	b = bcache_read(fs->bdev, pblk, fs->block_size);
	if (IS_ERR(b))
		return PTR_ERR(b);
	memset(b->data + off, 0, fs->block_size - off);
	bcache_mark_dirty(b);
	bcache_release(b);
	return 0;
}

/* Drop an extended-attribute block reference (shared blocks count). */
static int ext2_put_xattr_block(struct ext2_fs *fs, u32 ino, struct ext2_inode *in)
{
	struct ext2_ext_attr_header *h;
	struct buffer *b;
	u32 blk = in->i_file_acl;
	bool last;

	if (!ext2_block_valid(fs, blk))
		return ext2_corrupt(fs, "inode %u: xattr block %u out of range", ino, blk);
	b = bcache_read(fs->bdev, blk, fs->block_size);
	if (IS_ERR(b))
		return PTR_ERR(b);
	h = (struct ext2_ext_attr_header *)b->data;
	if (h->h_magic != EXT2_EXT_ATTR_MAGIC) {
		bcache_release(b);
		return ext2_corrupt(fs, "inode %u: bad xattr block %u", ino, blk);
	}
	last = h->h_refcount <= 1;
	if (!last) {
		h->h_refcount--;
		bcache_mark_dirty(b);
	}
	bcache_release(b);
	in->i_file_acl = 0;
	if (!last)
		return 0;
	ext2_add_blocks(fs, in, -1);
	return ext2_free_block(fs, blk);
}

int ext2_delete_inode(struct ext2_fs *fs, u32 ino)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_iget(fs, ino, &ib);
	bool is_dir;
	int err = 0;

	if (IS_ERR(in))
		return PTR_ERR(in);
	is_dir = S_ISDIR(in->i_mode);
	if (S_ISREG(in->i_mode) || is_dir ||
	    (S_ISLNK(in->i_mode) && !ext2_fast_symlink(fs, in)))
		err = ext2_truncate_blocks(fs, ino, in, ib, 0);
	if (!err && in->i_file_acl)
		err = ext2_put_xattr_block(fs, ino, in);
	if (err) {
		ext2_iput(ib, true);
		return err;
	}
	in->i_links_count = 0;
	in->i_dtime = ext2_now();
	in->i_size = 0;
	ext2_iput(ib, true);
	return ext2_free_inode(fs, ino, is_dir);
}

/* Start reads of the blocks [from, to) of the file that are mapped. */
static void ext2_readahead(struct ext2_fs *fs, u32 ino, struct ext2_inode *in,
			   struct buffer *ib, u64 from, u64 to)
{
	u64 blocks[EXT2_RA_BATCH];
	u32 n = 0;

	for (u64 l = from; l < to; l++) {
		u32 pblk;

		if (ext2_bmap(fs, ino, in, ib, l, false, &pblk, NULL))
			break;
		if (pblk)
			blocks[n++] = pblk;
		if (n == EXT2_RA_BATCH || (l + 1 == to && n)) {
			bcache_readahead(fs->bdev, blocks, n, fs->block_size);
			n = 0;
		}
	}
	if (n)
		bcache_readahead(fs->bdev, blocks, n, fs->block_size);
}

ssize_t ext2_read_locked(struct ext2_fs *fs, u32 ino, u64 off, void *buf,
			 size_t len, struct ext2_ra *ra)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_iget(fs, ino, &ib);
	u64 size, first, last, nblocks;
	size_t done = 0;
	int err = 0;

	if (IS_ERR(in))
		return PTR_ERR(in);
	if (S_ISDIR(in->i_mode)) {
		err = -EISDIR;
		goto out;
	}
	size = ext2_isize(in);
	if (off >= size || !len)
		goto out;
	len = MIN(len, size - off);
	first = off / fs->block_size;
	last = (off + len - 1) / fs->block_size;
	nblocks = (size + fs->block_size - 1) / fs->block_size;
	if (ra) {
		/* The request's own blocks go out as one batch; a sequential
		 * reader also gets a window ahead of it, refilled once half of
		 * it has been consumed (or to the end of the file). */
		u64 window = MAX(EXT2_RA_BYTES / fs->block_size, 2u);
		u64 from = MAX(first + 1, ra->end), to = last + 1;
		u64 target = MIN(nblocks, last + 1 + window);

		if (first == ra->next &&
		    (target >= ra->end + window / 2 || target == nblocks))
			to = MAX(to, target);
		if (from < to) {
			ext2_readahead(fs, ino, in, ib, from, to);
			ra->end = to;
		}
		ra->next = (off + len) / fs->block_size;
	}
	while (done < len) {
		u64 pos = off + done;
		u32 boff = pos % fs->block_size, pblk;
		size_t n = MIN(len - done, (size_t)(fs->block_size - boff));
		struct buffer *b;

		err = ext2_bmap(fs, ino, in, ib, pos / fs->block_size, false, &pblk, NULL);
		if (err)
			break;
		if (!pblk) {
			memset((u8 *)buf + done, 0, n);
		} else {
			b = bcache_read(fs->bdev, pblk, fs->block_size);
			if (IS_ERR(b)) {
				err = PTR_ERR(b);
				break;
			}
			memcpy((u8 *)buf + done, b->data + boff, n);
			bcache_release(b);
		}
		done += n;
	}
out:
	ext2_iput(ib, false);
	return done ? (ssize_t)done : err;
}

ssize_t ext2_write_locked(struct ext2_fs *fs, u32 ino, u64 off, const void *buf,
			  size_t len)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_iget(fs, ino, &ib);
	u64 size, max = ext2_max_size(fs);
	size_t done = 0;
	int err = 0;

	if (IS_ERR(in))
		return PTR_ERR(in);
	if (!S_ISREG(in->i_mode)) {
		err = S_ISDIR(in->i_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if (off >= max) {
		err = len ? -EFBIG : 0;
		goto out;
	}
	len = MIN(len, max - off);
	size = ext2_isize(in);
	if (off > size) {
		err = ext2_zero_tail(fs, ino, in, ib, size);
		if (err)
			goto out;
	}
	while (done < len) {
		u64 pos = off + done;
		u32 boff = pos % fs->block_size, pblk;
		size_t n = MIN(len - done, (size_t)(fs->block_size - boff));
		struct buffer *b;
		bool fresh;

		err = ext2_bmap(fs, ino, in, ib, pos / fs->block_size, true, &pblk, &fresh);
		if (err)
			break;
		if (fresh || n == fs->block_size) {
			b = bcache_get(fs->bdev, pblk, fs->block_size);
			if (!IS_ERR(b) && fresh)
				memset(b->data, 0, fs->block_size);
		} else {
			b = bcache_read(fs->bdev, pblk, fs->block_size);
		}
		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			break;
		}
		memcpy(b->data + boff, (const u8 *)buf + done, n);
		bcache_mark_dirty(b);
		bcache_release(b);
		done += n;
	}
	if (done) {
		if (off + done > size)
			ext2_set_isize(fs, in, off + done);
		in->i_mtime = in->i_ctime = ext2_now();
		bcache_mark_dirty(ib);
	}
out:
	ext2_iput(ib, false);
	return done ? (ssize_t)done : err;
}

/* ---- public entry points ------------------------------------------------ */

int ext2_stat(struct ext2_fs *fs, u32 ino, struct ext2_stat *st)
{
	struct ext2_inode *in;
	struct buffer *ib;

	mutex_lock(&fs->lock);
	in = ext2_iget(fs, ino, &ib);
	if (IS_ERR(in)) {
		mutex_unlock(&fs->lock);
		return PTR_ERR(in);
	}
	st->ino = ino;
	st->mode = in->i_mode;
	st->nlink = in->i_links_count;
	st->uid = in->i_uid | (u32)in->i_uid_high << 16;
	st->gid = in->i_gid | (u32)in->i_gid_high << 16;
	st->size = ext2_isize(in);
	st->blocks = in->i_blocks;
	st->rdev = 0;
	if (S_ISCHR(in->i_mode) || S_ISBLK(in->i_mode))
		st->rdev = in->i_block[0] ? in->i_block[0] : in->i_block[1];
	st->atime = in->i_atime;
	st->mtime = in->i_mtime;
	st->ctime = in->i_ctime;
	ext2_iput(ib, false);
	mutex_unlock(&fs->lock);
	return 0;
}

/* Run fn on ino's inode under the lock for a metadata change. */
static int ext2_modify(struct ext2_fs *fs, u32 ino,
		       void (*fn)(struct ext2_inode *in, const u32 *args), const u32 *args)
{
	struct ext2_inode *in;
	struct buffer *ib;
	int err = 0;

	mutex_lock(&fs->lock);
	if (fs->read_only) {
		err = -EROFS;
		goto out;
	}
	in = ext2_iget(fs, ino, &ib);
	if (IS_ERR(in)) {
		err = PTR_ERR(in);
		goto out;
	}
	fn(in, args);
	in->i_ctime = ext2_now();
	ext2_iput(ib, true);
out:
	mutex_unlock(&fs->lock);
	return err;
}

static void ext2_do_chmod(struct ext2_inode *in, const u32 *a)
{
	in->i_mode = (in->i_mode & S_IFMT) | (a[0] & ~S_IFMT & 0xffff);
}

static void ext2_do_chown(struct ext2_inode *in, const u32 *a)
{
	if (a[0] != ~0u) {
		in->i_uid = (u16)a[0];
		in->i_uid_high = (u16)(a[0] >> 16);
	}
	if (a[1] != ~0u) {
		in->i_gid = (u16)a[1];
		in->i_gid_high = (u16)(a[1] >> 16);
	}
}

static void ext2_do_utimes(struct ext2_inode *in, const u32 *a)
{
	in->i_atime = a[0];
	in->i_mtime = a[1];
}

int ext2_chmod(struct ext2_fs *fs, u32 ino, u32 mode)
{
	u32 a[1] = { mode };

	return ext2_modify(fs, ino, ext2_do_chmod, a);
}

int ext2_chown(struct ext2_fs *fs, u32 ino, u32 uid, u32 gid)
{
	u32 a[2] = { uid, gid };

	return ext2_modify(fs, ino, ext2_do_chown, a);
}

int ext2_utimes(struct ext2_fs *fs, u32 ino, u32 atime, u32 mtime)
{
	u32 a[2] = { atime, mtime };

	return ext2_modify(fs, ino, ext2_do_utimes, a);
}

ssize_t ext2_read(struct ext2_fs *fs, u32 ino, u64 off, void *buf, size_t len,
		  struct ext2_ra *ra)
{
	ssize_t n;

	mutex_lock(&fs->lock);
	n = ext2_read_locked(fs, ino, off, buf, len, ra);
	mutex_unlock(&fs->lock);
	return n;
}

ssize_t ext2_write(struct ext2_fs *fs, u32 ino, u64 off, const void *buf, size_t len)
{
	ssize_t n;

	mutex_lock(&fs->lock);
	n = fs->read_only ? -EROFS : ext2_write_locked(fs, ino, off, buf, len);
	mutex_unlock(&fs->lock);
	return n;
}

int ext2_truncate(struct ext2_fs *fs, u32 ino, u64 size)
{
	struct ext2_inode *in;
	struct buffer *ib;
	int err = 0;

	mutex_lock(&fs->lock);
	if (fs->read_only) {
		err = -EROFS;
		goto out;
	}
	in = ext2_iget(fs, ino, &ib);
	if (IS_ERR(in)) {
		err = PTR_ERR(in);
		goto out;
	}
	if (!S_ISREG(in->i_mode)) {
		err = S_ISDIR(in->i_mode) ? -EISDIR : -EINVAL;
	} else if (size > ext2_max_size(fs)) {
		err = -EFBIG;
	} else {
		u64 old = ext2_isize(in);

		if (size < old) {
			err = ext2_truncate_blocks(fs, ino, in, ib, size);
			if (!err)
				err = ext2_zero_tail(fs, ino, in, ib, size);
		} else if (size > old) {
			err = ext2_zero_tail(fs, ino, in, ib, old);
		}
		if (!err) {
			ext2_set_isize(fs, in, size);
			in->i_mtime = in->i_ctime = ext2_now();
		}
	}
	ext2_iput(ib, true);
out:
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_evict(struct ext2_fs *fs, u32 ino)
{
	struct ext2_inode *in;
	struct buffer *ib;
	bool dead;
	int err = 0;

	mutex_lock(&fs->lock);
	in = ext2_iget(fs, ino, &ib);
	if (IS_ERR(in)) {
		err = PTR_ERR(in);
		goto out;
	}
	dead = !in->i_links_count && in->i_mode && !in->i_dtime;
	ext2_iput(ib, false);
	if (dead && !fs->read_only)
		err = ext2_delete_inode(fs, ino);
out:
	mutex_unlock(&fs->lock);
	return err;
}
