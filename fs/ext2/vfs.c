/*
 * ext2 under the VFS: the "ext2" file system type, and inode, file and
 * super block operations that map VFS inodes (i_ino = the ext2 inode
 * number) onto the ext2 calls in ext2.h.
 *
 * The ext2 code keeps the on-disk inode as the truth; after every call
 * that changes an inode the VFS inode's fields are read back from it
 * (ext2_vfs_refresh), so the two never disagree for long.
 *
 * An unlinked inode is freed when the VFS evicts it: the VFS holds a
 * reference to every inode it hands to unlink/rmdir/rename, so the busy
 * hook says "in use" and the blocks stay until evict_inode.
 */
#include "fs/ext2/internal.h"
#include "fs/ext2/pages.h"
#include "vfs/vfs.h"
#include "vfs/buffer.h"
#include <linux/mount.h>         /* MS_RDONLY */
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/mm/kmalloc.h"

#define EXT2_IO_CHUNK (64u << 10)       /* bounce buffer per read/write call */

static const struct inode_operations ext2_dir_iops, ext2_file_iops, ext2_symlink_iops,
	ext2_special_iops;
static const struct file_operations ext2_dir_fops, ext2_file_fops;

static struct ext2_fs *EFS(struct super_block *sb)
{
	return sb->s_fs_info;
}

static int ext2_vfs_refresh(struct inode *inode)
{
	struct ext2_stat st;
	int err = ext2_stat(EFS(inode->i_sb), (u32)inode->i_ino, &st);

	if (err)
		return err;
	inode->i_mode = st.mode;
	inode->i_uid = st.uid;
	inode->i_gid = st.gid;
	inode->i_nlink = st.nlink;
	inode->i_size = st.size;
	inode->i_blocks = st.blocks;
	inode->i_rdev = st.rdev;
	inode->i_atime = (struct vfs_time){ .sec = st.atime };
	inode->i_mtime = (struct vfs_time){ .sec = st.mtime };
	inode->i_ctime = (struct vfs_time){ .sec = st.ctime };
	return 0;
}

static int ext2_read_inode(struct inode *inode)
{
	int err;

	if (inode->i_ino > 0xffffffffu)
		return -EIO;
	err = ext2_vfs_refresh(inode);
	if (err)
		return err;
	if (!inode->i_mode || !inode->i_nlink) {
		pr_err("ext2 (%s): directory entry names free inode %lu\n",
		       inode->i_sb->s_bdev->name, (unsigned long)inode->i_ino);
		return -EIO;
	}
	switch (inode->i_mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &ext2_dir_iops;
		inode->i_fop = &ext2_dir_fops;
		break;
	case S_IFREG:
		inode->i_op = &ext2_file_iops;
		inode->i_fop = &ext2_file_fops;
		break;
	case S_IFLNK:
		inode->i_op = &ext2_symlink_iops;
		break;
	default:
		inode->i_op = &ext2_special_iops;
		break;
	}
	return 0;
}

static void ext2_evict_inode(struct inode *inode)
{
	ext2_pages_free(inode);
	if (!inode->i_nlink && !(inode->i_sb->s_flags & SB_RDONLY))
		ext2_evict(EFS(inode->i_sb), (u32)inode->i_ino);
}

static void ext2_put_super(struct super_block *sb)
{
	ext2_unmount(EFS(sb));
}

static int ext2_sync_fs(struct super_block *sb, bool wait)
{
	return ext2_sync(EFS(sb));
}

static int ext2_vfs_statfs(struct super_block *sb, struct statfs *st)
{
	struct ext2_statfs s;

	ext2_statfs(EFS(sb), &s);
	st->f_type = EXT2_SUPER_MAGIC;
	st->f_bsize = st->f_frsize = s.block_size;
	st->f_blocks = s.blocks;
	st->f_bfree = s.free_blocks;
	st->f_bavail = s.avail_blocks;
	st->f_files = s.inodes;
	st->f_ffree = s.free_inodes;
	st->f_namelen = s.name_max;
	return 0;
}

static const struct super_operations ext2_sops = {
	.read_inode = ext2_read_inode,
	.evict_inode = ext2_evict_inode,
	.put_super = ext2_put_super,
	.sync_fs = ext2_sync_fs,
	.statfs = ext2_vfs_statfs,
};

/* ---- directories ------------------------------------------------------- */

static int ext2_vfs_lookup(struct inode *dir, const char *name, size_t len,
			   struct inode **out)
{
	struct inode *inode;
	u32 ino;
	int err = ext2_lookup(EFS(dir->i_sb), (u32)dir->i_ino, name, len, &ino);

	if (err)
		return err;
	inode = iget(dir->i_sb, ino);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	*out = inode;
	return 0;
}

/* A freshly made inode: its owner, then the VFS inode for it. */
static int ext2_vfs_new(struct inode *dir, u32 ino, u32 uid, u32 gid, struct inode **out)
{
	struct ext2_fs *fs = EFS(dir->i_sb);
	struct inode *inode;
	int err = ext2_chown(fs, ino, uid, gid);

	ext2_vfs_refresh(dir);
	if (err)
		return err;
	inode = iget(dir->i_sb, ino);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	*out = inode;
	return 0;
}

static int ext2_vfs_mknod(struct inode *dir, const char *name, size_t len, u32 mode,
			  dev_t rdev, u32 uid, u32 gid, struct inode **out)
{
	u32 ino;
	int err = ext2_create(EFS(dir->i_sb), (u32)dir->i_ino, name, len, mode, rdev, &ino);

	return err ? err : ext2_vfs_new(dir, ino, uid, gid, out);
}

static int ext2_vfs_mkdir(struct inode *dir, const char *name, size_t len, u32 mode,
			  u32 uid, u32 gid, struct inode **out)
{
	u32 ino;
	int err = ext2_mkdir(EFS(dir->i_sb), (u32)dir->i_ino, name, len, mode, &ino);

	return err ? err : ext2_vfs_new(dir, ino, uid, gid, out);
}

static int ext2_vfs_symlink(struct inode *dir, const char *name, size_t len,
			    const char *target, u32 uid, u32 gid, struct inode **out)
{
	u32 ino;
	int err = ext2_symlink(EFS(dir->i_sb), (u32)dir->i_ino, name, len, target, &ino);

	return err ? err : ext2_vfs_new(dir, ino, uid, gid, out);
}

static int ext2_vfs_link(struct inode *old, struct inode *dir, const char *name,
			 size_t len)
{
	int err = ext2_link(EFS(dir->i_sb), (u32)old->i_ino, (u32)dir->i_ino, name, len);

	ext2_vfs_refresh(old);
	ext2_vfs_refresh(dir);
	return err;
}

static int ext2_vfs_unlink(struct inode *dir, const char *name, size_t len,
			   struct inode *victim)
{
	int err = ext2_unlink(EFS(dir->i_sb), (u32)dir->i_ino, name, len);

	ext2_vfs_refresh(victim);
	ext2_vfs_refresh(dir);
	return err;
}

static int ext2_vfs_rmdir(struct inode *dir, const char *name, size_t len,
			  struct inode *victim)
{
	int err = ext2_rmdir(EFS(dir->i_sb), (u32)dir->i_ino, name, len);

	ext2_vfs_refresh(victim);
	ext2_vfs_refresh(dir);
	return err;
}

static int ext2_vfs_rename(struct inode *old_dir, const char *old_name, size_t old_len,
			   struct inode *src, struct inode *new_dir,
			   const char *new_name, size_t new_len, struct inode *target)
{
	int err = ext2_rename(EFS(old_dir->i_sb), (u32)old_dir->i_ino, old_name, old_len,
			      (u32)new_dir->i_ino, new_name, new_len);

	ext2_vfs_refresh(old_dir);
	ext2_vfs_refresh(new_dir);
	ext2_vfs_refresh(src);
	if (target)
		ext2_vfs_refresh(target);
	return err;
}

static int ext2_vfs_readlink(struct inode *inode, char *buf, size_t size)
{
	return (int)ext2_readlink(EFS(inode->i_sb), (u32)inode->i_ino, buf, size);
}

static int ext2_vfs_setattr(struct inode *inode, const struct vfs_attr *a)
{
	struct ext2_fs *fs = EFS(inode->i_sb);
	u32 ino = (u32)inode->i_ino;
	int err = 0;

	if (a->valid & ATTR_SIZE) {
		err = ext2_truncate(fs, ino, a->size);
		ext2_pages_drop(inode, a->size, ~0ULL);
	}
	if (!err && (a->valid & ATTR_MODE))
		err = ext2_chmod(fs, ino, a->mode);
	if (!err && (a->valid & (ATTR_UID | ATTR_GID)))
		err = ext2_chown(fs, ino, a->valid & ATTR_UID ? a->uid : ~0u,
				 a->valid & ATTR_GID ? a->gid : ~0u);
	if (!err && (a->valid & (ATTR_ATIME | ATTR_MTIME)))
		err = ext2_utimes(fs, ino,
				  (u32)(a->valid & ATTR_ATIME ? a->atime.sec : inode->i_atime.sec),
				  (u32)(a->valid & ATTR_MTIME ? a->mtime.sec : inode->i_mtime.sec));
	ext2_vfs_refresh(inode);
	return err;
}

static int ext2_vfs_emit(void *c, const char *name, u32 len, u32 ino, u32 dtype, u64 next)
{
	struct dir_context *dctx = c;

	return dctx->emit(dctx, name, len, ino, dtype, next) ? 0 : 1;
}

static int ext2_vfs_readdir(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->f_inode;
	u64 pos = ctx->pos;
	int err = ext2_readdir(EFS(dir->i_sb), (u32)dir->i_ino, &pos, ext2_vfs_emit, ctx);

	ctx->pos = pos;
	return err < 0 ? err : 0;
}

static const struct inode_operations ext2_dir_iops = {
	.lookup = ext2_vfs_lookup,
	.mknod = ext2_vfs_mknod,
	.mkdir = ext2_vfs_mkdir,
	.symlink = ext2_vfs_symlink,
	.link = ext2_vfs_link,
	.unlink = ext2_vfs_unlink,
	.rmdir = ext2_vfs_rmdir,
	.rename = ext2_vfs_rename,
	.setattr = ext2_vfs_setattr,
};

static const struct file_operations ext2_dir_fops = {
	.readdir = ext2_vfs_readdir,
};

static const struct inode_operations ext2_symlink_iops = {
	.readlink = ext2_vfs_readlink,
	.setattr = ext2_vfs_setattr,
};

static const struct inode_operations ext2_special_iops = {
	.setattr = ext2_vfs_setattr,
};

/* ---- regular files ----------------------------------------------------- */

static int ext2_vfs_open(struct inode *inode, struct file *f)
{
	struct ext2_ra *ra = kzalloc(sizeof(*ra), GFP_KERNEL);

	if (!ra)
		return -ENOMEM;
	f->private_data = ra;
	return 0;
}

static void ext2_vfs_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
}

static ssize_t ext2_vfs_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct inode *inode = f->f_inode;
	size_t chunk = MIN(len, (size_t)EXT2_IO_CHUNK), done = 0;
	u8 *bounce;
	int err = 0;

	if (!len)
		return 0;
	bounce = kmalloc(chunk, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		size_t want = MIN(chunk, len - done);
		ssize_t n = ext2_read(EFS(inode->i_sb), (u32)inode->i_ino, *pos, bounce,
				      want, f->private_data);

		if (n <= 0) {
			err = (int)n;
			break;
		}
		err = vfs_buf_to(buf, done, bounce, n);
		if (err)
			break;
		done += n;
		*pos += n;
		if ((size_t)n < want)
			break;          /* end of file */
	}
	kfree(bounce);
	return done ? (ssize_t)done : err;
}

static ssize_t ext2_vfs_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct inode *inode = f->f_inode;
	size_t chunk = MIN(len, (size_t)EXT2_IO_CHUNK), done = 0;
	u64 start = *pos;
	u8 *bounce;
	int err = 0;

	if (!len)
		return 0;
	bounce = kmalloc(chunk, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		size_t want = MIN(chunk, len - done);
		ssize_t n;

		err = vfs_buf_from(bounce, buf, done, want);
		if (err)
			break;
		n = ext2_write(EFS(inode->i_sb), (u32)inode->i_ino, *pos, bounce, want);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		done += n;
		*pos += n;
		if ((size_t)n < want)
			break;
	}
	kfree(bounce);
	if (done)
		ext2_pages_drop(inode, start, start + done);
	ext2_vfs_refresh(inode);
	return done ? (ssize_t)done : err;
}

static int ext2_vfs_fsync(struct file *f, bool datasync)
{
	return ext2_fsync(EFS(f->f_inode->i_sb), (u32)f->f_inode->i_ino);
}

static const struct inode_operations ext2_file_iops = {
	.setattr = ext2_vfs_setattr,
};

static const struct file_operations ext2_file_fops = {
	.open = ext2_vfs_open,
	.release = ext2_vfs_release,
	.read = ext2_vfs_read,
	.write = ext2_vfs_write,
	.fsync = ext2_vfs_fsync,
	.get_page = ext2_get_page,
};

/* ---- mounting ------------------------------------------------------------ */

/* Every inode the VFS can name is held by it while it is unlinked (see
 * the top): freeing waits for evict_inode. */
static bool ext2_vfs_busy(void *ctx, u32 ino)
{
	return true;
}

static int ext2_fill_super(struct super_block *sb, struct block_device *bdev,
			   const char *data, u32 flags)
{
	bool ro = flags & MS_RDONLY;
	struct ext2_fs *fs;
	struct inode *root;
	int err = ext2_mount(bdev, &ro, &fs);

	if (err)
		return err;
	if (!ro)
		bcache_flusher_start();
	ext2_set_busy_hook(fs, ext2_vfs_busy, NULL);
	if (ro)
		sb->s_flags |= SB_RDONLY;
	sb->s_fs_info = fs;
	sb->s_op = &ext2_sops;
	sb->s_blocksize = fs->block_size;
	sb->s_magic = EXT2_SUPER_MAGIC;
	sb->s_maxbytes = ext2_max_size(fs);
	root = iget(sb, EXT2_ROOT_INO);
	if (IS_ERR(root)) {
		err = (int)PTR_ERR(root);
		goto out_unmount;
	}
	sb->s_root = d_make_root(root);
	if (!sb->s_root) {
		err = -ENOMEM;
		goto out_unmount;
	}
	return 0;

out_unmount:
	ext2_unmount(fs);
	sb->s_fs_info = NULL;
	return err;
}

static struct file_system_type ext2_type = {
	.name = "ext2",
	.fs_flags = FS_REQUIRES_DEV,
	.fill_super = ext2_fill_super,
};

int ext2_init(void)
{
	return vfs_register_fs(&ext2_type);
}
