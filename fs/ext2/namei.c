/*
 * ext2 name operations: lookup, readdir, create, mkdir, symlink, link,
 * unlink, rmdir, rename, readlink. Each keeps link counts exact: a
 * directory has 2 + its subdirectories, a file one per name.
 *
 * Order of changes: allocate everything that can fail for lack of space
 * before the first change that would need undoing, or undo it (a new
 * inode whose entry could not be added is deleted again).
 */
#include "fs/ext2/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

#define EXT2_FAST_SYMLINK_MAX sizeof(((struct ext2_inode *)0)->i_block)
#define EXT2_MAX_DEPTH 4096             /* ".." steps before a loop is corrupt */

static int ext2_check_name(const char *name, u32 len)
{
	if (!len)
		return -ENOENT;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	for (u32 i = 0; i < len; i++)
		if (name[i] == '/' || !name[i])
			return -EINVAL;
	return 0;
}

static bool ext2_is_dots(const char *name, u32 len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Common checks for a call that adds name to dir. */
static int ext2_may_add(struct ext2_fs *fs, u32 dir, const char *name, u32 len)
{
	struct ext2_dirent_ref ref;
	int err;

	if (fs->read_only)
		return -EROFS;
	err = ext2_check_name(name, len);
	if (err)
		return err;
	err = ext2_dir_find(fs, dir, name, len, &ref);
	if (!err) {
		bcache_release(ref.b);
		return -EEXIST;
	}
	return err == -ENOENT ? 0 : err;
}

/* Change an inode's link count by delta (and its ctime). */
static int ext2_adjust_links(struct ext2_fs *fs, u32 ino, int delta, u16 *now)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_iget(fs, ino, &ib);

	if (IS_ERR(in))
		return PTR_ERR(in);
	if (delta < 0 && in->i_links_count < -delta) {
		ext2_iput(ib, false);
		return ext2_corrupt(fs, "inode %u: link count underflow", ino);
	}
	in->i_links_count += delta;
	in->i_ctime = ext2_now();
	if (now)
		*now = in->i_links_count;
	ext2_iput(ib, true);
	return 0;
}

static int ext2_links_of(struct ext2_fs *fs, u32 ino, u16 *links, u16 *mode)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_iget(fs, ino, &ib);

	if (IS_ERR(in))
		return PTR_ERR(in);
	*links = in->i_links_count;
	*mode = in->i_mode;
	ext2_iput(ib, false);
	return 0;
}

/* The last name of ino is gone: delete it unless it is still open. */
static int ext2_maybe_delete(struct ext2_fs *fs, u32 ino)
{
	if (fs->busy && fs->busy(fs->busy_ctx, ino))
		return 0;
	return ext2_delete_inode(fs, ino);
}

/* A new inode of the given mode (links 1, or 2 for a directory). */
static int ext2_new_inode(struct ext2_fs *fs, u32 dir, u32 mode, u32 *ino,
			  struct ext2_inode **inp, struct buffer **ibp)
{
	struct ext2_inode *in;
	int err = ext2_alloc_inode(fs, dir, S_ISDIR(mode), ino);

	if (err)
		return err;
	in = ext2_iget(fs, *ino, ibp);
	if (IS_ERR(in)) {
		ext2_free_inode(fs, *ino, S_ISDIR(mode));
		return PTR_ERR(in);
	}
	ext2_init_inode(fs, in, mode);
	if (S_ISDIR(mode))
		in->i_links_count = 2;
	*inp = in;
	bcache_mark_dirty(*ibp);
	return 0;
}

/* Undo ext2_new_inode after a later step failed. */
static void ext2_undo_new(struct ext2_fs *fs, u32 ino, struct buffer *ib,
			  struct ext2_inode *in)
{
	in->i_links_count = 0;
	ext2_iput(ib, true);
	ext2_delete_inode(fs, ino);
}

int ext2_lookup(struct ext2_fs *fs, u32 dir, const char *name, u32 len, u32 *ino)
{
	struct ext2_dirent_ref ref;
	int err = ext2_check_name(name, len);

	if (err)
		return err;
	mutex_lock(&fs->lock);
	err = ext2_dir_find(fs, dir, name, len, &ref);
	if (!err) {
		*ino = ref.ino;
		bcache_release(ref.b);
	}
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_readdir(struct ext2_fs *fs, u32 dir, u64 *pos, ext2_filldir_t fn, void *ctx)
{
	int err;

	mutex_lock(&fs->lock);
	err = ext2_readdir_locked(fs, dir, pos, fn, ctx);
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_create(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		u32 mode, u32 rdev, u32 *ino)
{
	struct ext2_inode *in;
	struct buffer *ib;
	int err;

	if (S_ISDIR(mode) || S_ISLNK(mode) || !ext2_mode_to_ft(mode))
		return -EINVAL;
	mutex_lock(&fs->lock);
	err = ext2_may_add(fs, dir, name, len);
	if (err)
		goto out;
	err = ext2_new_inode(fs, dir, mode, ino, &in, &ib);
	if (err)
		goto out;
	if (S_ISCHR(mode) || S_ISBLK(mode)) {
		/* Linux's two encodings: old (16-bit) in i_block[0], new in [1]. */
		if (rdev <= 0xffff)
			in->i_block[0] = rdev;
		else
			in->i_block[1] = rdev;
	}
	err = ext2_dir_add(fs, dir, name, len, *ino, mode);
	if (err) {
		ext2_undo_new(fs, *ino, ib, in);
		goto out;
	}
	ext2_iput(ib, true);
out:
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_mkdir(struct ext2_fs *fs, u32 dir, const char *name, u32 len, u32 mode,
	       u32 *ino)
{
	struct ext2_inode *in;
	struct buffer *ib;
	u16 plinks = 0, pmode = 0;
	int err;

	mutex_lock(&fs->lock);
	err = ext2_may_add(fs, dir, name, len);
	if (!err)
		err = ext2_links_of(fs, dir, &plinks, &pmode);
	if (err)
		goto out;
	if (plinks >= EXT2_LINK_MAX) {
		err = -EMLINK;
		goto out;
	}
	err = ext2_new_inode(fs, dir, S_IFDIR | (mode & 07777), ino, &in, &ib);
	if (err)
		goto out;
	err = ext2_dir_init(fs, *ino, in, ib, dir);
	if (!err)
		err = ext2_dir_add(fs, dir, name, len, *ino, S_IFDIR);
	if (err) {
		ext2_undo_new(fs, *ino, ib, in);
		goto out;
	}
	ext2_iput(ib, true);
	err = ext2_adjust_links(fs, dir, 1, NULL);
out:
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_symlink(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		 const char *target, u32 *ino)
{
	size_t tlen = strlen(target);
	struct ext2_inode *in;
	struct buffer *ib, *b;
	u32 pblk;
	int err;

	if (!tlen)
		return -ENOENT;
	if (tlen >= fs->block_size)
		return -ENAMETOOLONG;
	mutex_lock(&fs->lock);
	err = ext2_may_add(fs, dir, name, len);
	if (err)
		goto out;
	err = ext2_new_inode(fs, dir, S_IFLNK | 0777, ino, &in, &ib);
	if (err)
		goto out;
	if (tlen < EXT2_FAST_SYMLINK_MAX) {
		/* Fast symlink: the target lives in i_block itself. */
		memcpy(in->i_block, target, tlen);
	} else {
		err = ext2_bmap(fs, *ino, in, ib, 0, true, &pblk, NULL);
		if (err)
			goto out_undo;
		b = bcache_get(fs->bdev, pblk, fs->block_size);
		if (IS_ERR(b)) {
			err = PTR_ERR(b);
			goto out_undo;
		}
		memset(b->data, 0, fs->block_size);
		memcpy(b->data, target, tlen);
		bcache_mark_dirty(b);
		bcache_release(b);
	}
	in->i_size = tlen;
	err = ext2_dir_add(fs, dir, name, len, *ino, S_IFLNK);
	if (err)
		goto out_undo;
	ext2_iput(ib, true);
	goto out;
out_undo:
	ext2_undo_new(fs, *ino, ib, in);
out:
	mutex_unlock(&fs->lock);
	return err;
}

ssize_t ext2_readlink(struct ext2_fs *fs, u32 ino, char *buf, size_t len)
{
	struct ext2_inode *in;
	struct buffer *ib, *b;
	ssize_t n;
	u32 pblk;
	int err;

	mutex_lock(&fs->lock);
	in = ext2_iget(fs, ino, &ib);
	if (IS_ERR(in)) {
		n = PTR_ERR(in);
		goto out;
	}
	n = MIN(len, (size_t)in->i_size);
	if (!S_ISLNK(in->i_mode)) {
		n = -EINVAL;
	} else if (ext2_fast_symlink(fs, in)) {
		if (in->i_size >= EXT2_FAST_SYMLINK_MAX)
			n = ext2_corrupt(fs, "inode %u: fast symlink of %u bytes", ino,
					 in->i_size);
		else
			memcpy(buf, in->i_block, n);
	} else if (in->i_size >= fs->block_size) {
		n = ext2_corrupt(fs, "inode %u: symlink of %u bytes", ino, in->i_size);
	} else {
		err = ext2_bmap(fs, ino, in, ib, 0, false, &pblk, NULL);
		if (!err && !pblk)
			err = ext2_corrupt(fs, "inode %u: symlink without a block", ino);
		b = err ? ERR_PTR(err) : bcache_read(fs->bdev, pblk, fs->block_size);
		if (IS_ERR(b)) {
			n = PTR_ERR(b);
		} else {
			memcpy(buf, b->data, n);
			bcache_release(b);
		}
	}
	ext2_iput(ib, false);
out:
	mutex_unlock(&fs->lock);
	return n;
}

int ext2_link(struct ext2_fs *fs, u32 ino, u32 dir, const char *name, u32 len)
{
	u16 links = 0, mode = 0;
	int err;

	mutex_lock(&fs->lock);
	err = ext2_may_add(fs, dir, name, len);
	if (!err)
		err = ext2_links_of(fs, ino, &links, &mode);
	if (err)
		goto out;
	if (S_ISDIR(mode)) {
		err = -EPERM;
	} else if (!links) {
		err = -ENOENT;
	} else if (links >= EXT2_LINK_MAX) {
		err = -EMLINK;
	} else {
		err = ext2_dir_add(fs, dir, name, len, ino, mode);
		if (!err)
			err = ext2_adjust_links(fs, ino, 1, NULL);
	}
out:
	mutex_unlock(&fs->lock);
	return err;
}

/* Mark a directory's change (mtime, ctime, no htree) after entries moved. */
static int ext2_dir_changed(struct ext2_fs *fs, u32 dir)
{
	struct buffer *ib;
	struct ext2_inode *in = ext2_iget(fs, dir, &ib);

	if (IS_ERR(in))
		return PTR_ERR(in);
	ext2_dir_touch(fs, in);
	ext2_iput(ib, true);
	return 0;
}

int ext2_unlink(struct ext2_fs *fs, u32 dir, const char *name, u32 len)
{
	struct ext2_dirent_ref ref;
	u16 links = 0, mode = 0;
	int err;

	mutex_lock(&fs->lock);
	err = fs->read_only ? -EROFS : ext2_check_name(name, len);
	if (!err)
		err = ext2_dir_find(fs, dir, name, len, &ref);
	if (err)
		goto out;
	err = ext2_links_of(fs, ref.ino, &links, &mode);
	if (!err && S_ISDIR(mode))
		err = -EISDIR;
	if (err) {
		bcache_release(ref.b);
		goto out;
	}
	ext2_dir_remove(fs, &ref);
	err = ext2_dir_changed(fs, dir);
	if (!err)
		err = ext2_adjust_links(fs, ref.ino, -1, &links);
	if (!err && !links)
		err = ext2_maybe_delete(fs, ref.ino);
out:
	mutex_unlock(&fs->lock);
	return err;
}

int ext2_rmdir(struct ext2_fs *fs, u32 dir, const char *name, u32 len)
{
	struct ext2_dirent_ref ref;
	u16 links = 0, mode = 0;
	int err;

	if (len == 1 && name[0] == '.')
		return -EINVAL;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return -ENOTEMPTY;
	mutex_lock(&fs->lock);
	err = fs->read_only ? -EROFS : ext2_check_name(name, len);
	if (!err)
		err = ext2_dir_find(fs, dir, name, len, &ref);
	if (err)
		goto out;
	err = ext2_links_of(fs, ref.ino, &links, &mode);
	if (!err && !S_ISDIR(mode))
		err = -ENOTDIR;
	if (!err)
		err = ext2_dir_empty(fs, ref.ino);
	if (err) {
		bcache_release(ref.b);
		goto out;
	}
	ext2_dir_remove(fs, &ref);
	err = ext2_dir_changed(fs, dir);
	if (!err)
		err = ext2_adjust_links(fs, dir, -1, NULL);
	if (!err)
		err = ext2_adjust_links(fs, ref.ino, -(int)links, NULL);
	if (!err)
		err = ext2_maybe_delete(fs, ref.ino);
out:
	mutex_unlock(&fs->lock);
	return err;
}

/* Is dir inside (or equal to) the tree of anc? Walks ".." to the root. */
static int ext2_is_within(struct ext2_fs *fs, u32 dir, u32 anc)
{
	for (u32 i = 0; i < EXT2_MAX_DEPTH; i++) {
		u32 parent;
		int err;

		if (dir == anc)
			return 1;
		if (dir == EXT2_ROOT_INO)
			return 0;
		err = ext2_dir_get_parent(fs, dir, &parent);
		if (err)
			return err;
		dir = parent;
	}
	return ext2_corrupt(fs, "directory %u: \"..\" chain does not reach the root", dir);
}

/* Point the existing entry ref at ino instead (a rename over a name). */
static void ext2_dir_retarget(struct ext2_fs *fs, struct ext2_dirent_ref *ref,
			      u32 ino, u32 mode)
{
	struct ext2_dir_entry_2 *de = (struct ext2_dir_entry_2 *)(ref->b->data + ref->off);

	de->inode = ino;
	if (fs->filetype)
		de->file_type = ext2_mode_to_ft(mode);
	bcache_mark_dirty(ref->b);
	bcache_release(ref->b);
}

int ext2_rename(struct ext2_fs *fs, u32 odir, const char *oname, u32 olen,
		u32 ndir, const char *nname, u32 nlen)
{
	struct ext2_dirent_ref oref, nref;
	u16 olinks = 0, omode = 0, vlinks = 0, vmode = 0, dlinks = 0, dmode = 0;
	u32 oino, victim = 0;
	bool odir_is_dir;
	int err;

	if (ext2_is_dots(oname, olen) || ext2_is_dots(nname, nlen))
		return -EINVAL;
	mutex_lock(&fs->lock);
	err = fs->read_only ? -EROFS : ext2_check_name(oname, olen);
	if (!err)
		err = ext2_check_name(nname, nlen);
	if (!err)
		err = ext2_dir_find(fs, odir, oname, olen, &oref);
	if (err)
		goto out;
	oino = oref.ino;
	bcache_release(oref.b);
	err = ext2_links_of(fs, oino, &olinks, &omode);
	if (err)
		goto out;
	odir_is_dir = S_ISDIR(omode);
	if (odir_is_dir && odir != ndir) {
		err = ext2_is_within(fs, ndir, oino);
		if (err > 0)
			err = -EINVAL;
		if (!err)
			err = ext2_links_of(fs, ndir, &dlinks, &dmode);
		if (!err && dlinks >= EXT2_LINK_MAX)
			err = -EMLINK;
		if (err)
			goto out;
	}

	err = ext2_dir_find(fs, ndir, nname, nlen, &nref);
	if (!err) {
		victim = nref.ino;
		err = victim == oino ? 1 : ext2_links_of(fs, victim, &vlinks, &vmode);
		if (!err && odir_is_dir && !S_ISDIR(vmode))
			err = -ENOTDIR;
		if (!err && !odir_is_dir && S_ISDIR(vmode))
			err = -EISDIR;
		if (!err && odir_is_dir)
			err = ext2_dir_empty(fs, victim);
		if (err) {
			bcache_release(nref.b);
			err = err == 1 ? 0 : err;       /* two names of one inode */
			goto out;
		}
		ext2_dir_retarget(fs, &nref, oino, omode);
		err = ext2_dir_changed(fs, ndir);
	} else if (err == -ENOENT) {
		err = ext2_dir_add(fs, ndir, nname, nlen, oino, omode);
	}
	if (err)
		goto out;

	/* The old name is found again: adding the new one may have split
	 * the entry before it. */
	err = ext2_dir_find(fs, odir, oname, olen, &oref);
	if (err)
		goto out;
	ext2_dir_remove(fs, &oref);
	err = ext2_dir_changed(fs, odir);
	if (!err)
		err = ext2_adjust_links(fs, oino, 0, NULL);
	if (!err && odir_is_dir && odir != ndir) {
		err = ext2_dir_set_parent(fs, oino, ndir);
		if (!err)
			err = ext2_adjust_links(fs, odir, -1, NULL);
		if (!err)
			err = ext2_adjust_links(fs, ndir, 1, NULL);
	}
	if (!err && victim) {
		if (S_ISDIR(vmode)) {
			err = ext2_adjust_links(fs, ndir, -1, NULL);
			if (!err)
				err = ext2_adjust_links(fs, victim, -(int)vlinks, NULL);
			vlinks = 0;
		} else {
			err = ext2_adjust_links(fs, victim, -1, &vlinks);
		}
		if (!err && !vlinks)
			err = ext2_maybe_delete(fs, victim);
	}
out:
	mutex_unlock(&fs->lock);
	return err;
}
