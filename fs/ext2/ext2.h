/*
 * ext2: the second extended file system, read and write, on the buffer
 * cache. On-disk structures come from e2fsprogs' <ext2fs/ext2_fs.h>.
 *
 * This is the file system's own interface, in inode numbers: the VFS glue
 * (fs/ext2/vfs.c) maps it onto VFS inodes, and host tests and the fuzzer
 * call it directly on image files. Every call takes the file system's
 * lock, so calls on one file system are serialized; different file
 * systems run in parallel.
 *
 * Errors: -EIO for corrupt metadata (with a log line naming the inode or
 * block), -ENOSPC, -ENOENT, -EEXIST, -ENOTDIR, -EISDIR, -ENOTEMPTY,
 * -EMLINK, -ENAMETOOLONG, -EFBIG, -EROFS, -EINVAL.
 */
#ifndef VIREO_FS_EXT2_EXT2_H
#define VIREO_FS_EXT2_EXT2_H

#include "kernel/lib/types.h"
#include "kernel/block/block.h"

struct ext2_fs;

struct ext2_stat {
	u32 ino;
	u32 mode;               /* type and permission bits, as in st_mode */
	u32 nlink;
	u32 uid, gid;
	u64 size;
	u64 blocks;             /* 512-byte units */
	u32 rdev;               /* device nodes: Linux's encoded dev_t */
	u32 atime, mtime, ctime;
};

struct ext2_statfs {
	u32 block_size;
	u64 blocks, free_blocks, avail_blocks;
	u32 inodes, free_inodes;
	u32 name_max;
};

/* Per open file read-ahead state: zero it at open. */
struct ext2_ra {
	u64 next;               /* logical block a sequential read reads next */
	u64 end;                /* first logical block not yet read ahead */
};

/* readdir callback: next is the position after this entry; return
 * non-zero to stop without taking the entry (ext2_readdir returns it).
 * It runs under the file system's lock: it must not call back into ext2. */
typedef int (*ext2_filldir_t)(void *ctx, const char *name, u32 len, u32 ino,
			      u32 dtype, u64 next);

/* Register "ext2" with the VFS (fs/ext2/vfs.c, kernel only). */
int ext2_init(void);
/* `bench=ext2` (fs/ext2/bench.c, kernel only). */
void ext2_bench(void);

/* Mount: check the superblock and group descriptors. -EINVAL for a
 * corrupt or unsupported file system (with a log line saying which);
 * *read_only is set when it can only be mounted read-only (and must be
 * on entry for a read-only mount). */
int ext2_mount(struct block_device *bd, bool *read_only, struct ext2_fs **out);
/* Write everything back and free the file system. */
int ext2_unmount(struct ext2_fs *fs);
/* Write dirty metadata and data, then flush the device. */
int ext2_sync(struct ext2_fs *fs);
u32 ext2_root_ino(void);
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);

int ext2_stat(struct ext2_fs *fs, u32 ino, struct ext2_stat *st);
/* Change the permission bits, the owner (uid or gid ~0u: keep it), the
 * access and modification times (seconds); each sets ctime. */
int ext2_chmod(struct ext2_fs *fs, u32 ino, u32 mode);
int ext2_chown(struct ext2_fs *fs, u32 ino, u32 uid, u32 gid);
int ext2_utimes(struct ext2_fs *fs, u32 ino, u32 atime, u32 mtime);

ssize_t ext2_read(struct ext2_fs *fs, u32 ino, u64 off, void *buf, size_t len,
		  struct ext2_ra *ra);
ssize_t ext2_write(struct ext2_fs *fs, u32 ino, u64 off, const void *buf, size_t len);
int ext2_truncate(struct ext2_fs *fs, u32 ino, u64 size);
/* Write the file's dirty blocks and inode (all of the file system's
 * dirty buffers, in fact) and flush the device. */
int ext2_fsync(struct ext2_fs *fs, u32 ino);

int ext2_lookup(struct ext2_fs *fs, u32 dir, const char *name, u32 len, u32 *ino);
/* Entries from byte offset *pos on; *pos advances past each one given. */
int ext2_readdir(struct ext2_fs *fs, u32 dir, u64 *pos, ext2_filldir_t fn, void *ctx);

/* mode carries the type (S_IFREG, S_IFCHR, ...; not S_IFDIR/S_IFLNK)
 * and permission bits; rdev is for device nodes. */
int ext2_create(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		u32 mode, u32 rdev, u32 *ino);
int ext2_mkdir(struct ext2_fs *fs, u32 dir, const char *name, u32 len, u32 mode,
	       u32 *ino);
int ext2_symlink(struct ext2_fs *fs, u32 dir, const char *name, u32 len,
		 const char *target, u32 *ino);
int ext2_link(struct ext2_fs *fs, u32 ino, u32 dir, const char *name, u32 len);
int ext2_unlink(struct ext2_fs *fs, u32 dir, const char *name, u32 len);
int ext2_rmdir(struct ext2_fs *fs, u32 dir, const char *name, u32 len);
/* Renames over an existing target of a compatible type (an empty
 * directory for a directory). */
int ext2_rename(struct ext2_fs *fs, u32 odir, const char *oname, u32 olen,
		u32 ndir, const char *nname, u32 nlen);
ssize_t ext2_readlink(struct ext2_fs *fs, u32 ino, char *buf, size_t len);

/*
 * Unlinked inodes that are still open: the VFS glue installs a hook that
 * says whether ino is in use; such an inode keeps its blocks until the
 * glue calls ext2_evict() when the last user is gone.
 */
void ext2_set_busy_hook(struct ext2_fs *fs, bool (*busy)(void *ctx, u32 ino), void *ctx);
int ext2_evict(struct ext2_fs *fs, u32 ino);

#endif
