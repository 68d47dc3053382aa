/*
 * The virtual file system: the objects every file system shares and the
 * kernel-level entry points the syscall layer wraps.
 *
 * Objects
 *   file_system_type  a registered kind of file system ("ext2", "tmpfs").
 *   super_block       one mounted instance of it (on a block device or not).
 *   inode             one file; reference counted; the file system keeps its
 *                     own state in i_private.
 *   dentry            a cached name -> inode binding in a directory, or a
 *                     negative entry (the name is known not to exist).
 *   mount             a super_block attached at a dentry of another mount;
 *                     mounts nest and may sit anywhere.
 *   path              (mount, dentry): a position in the namespace.
 *   file              an open file description: offset, flags, operations.
 *   files             a process's descriptor table (fd -> file).
 *   fs_struct         a process's root, working directory and umask.
 *   vfs_ctx           who is asking (file-system uid/gid, groups) and where
 *                     (their fs_struct): every namespace entry point takes one.
 *
 * Errors are Linux's: negative errno, ERR_PTR for pointers. Flags and
 * layouts come from linux-libc-dev (O_* from <asm-generic/fcntl.h>, AT_* from
 * <linux/fcntl.h>, S_* from <linux/stat.h>, struct stat from <asm/stat.h>).
 *
 * Locking (no big VFS lock; see each struct for the fields it protects):
 *   inode->i_mutex     a directory's entries (held by the VFS around every
 *                      directory inode_operation), a regular file's size and
 *                      data against concurrent writers/truncate.
 *   sb->s_rename_mutex cross-directory renames on that super block, so the
 *                      "moving a directory into its own subtree" check and
 *                      the two-directory lock order are stable.
 *   dcache lock        (dentry.c) the dentry hash, LRU, d_parent, d_name and
 *                      reference counts; a spinlock, never held across a
 *                      file system call.
 *   mount lock         (mount.c) the mount tree; a spinlock.
 *   file->f_pos_lock   the offset, for read/write/lseek/getdents.
 *   files->lock        the descriptor table.
 * Lock order: s_rename_mutex -> parent i_mutex -> child i_mutex (ancestors
 * first; unrelated directories by address) -> spinlocks. A file system may
 * take its own locks (buffer cache, allocation bitmaps) under i_mutex.
 */
#ifndef VIREO_VFS_VFS_H
#define VIREO_VFS_VFS_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/atomic.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/spinlock.h"
#include <linux/limits.h>       /* PATH_MAX, NAME_MAX */
#include <linux/stat.h>         /* S_IF*, S_IS*, struct statx */
#include <linux/fcntl.h>        /* O_*, AT_* */
#include <linux/time_types.h>   /* struct __kernel_timespec */
/* asm/stat.h names a padding field __unused, which compiler.h defines as
 * an attribute: hide the macro while the header is read. */
#pragma push_macro("__unused")
#undef __unused
#include <asm/stat.h>           /* struct stat */
#pragma pop_macro("__unused")
#include <asm/statfs.h>         /* struct statfs */

struct block_device;
struct super_block;
struct inode;
struct dentry;
struct mount;
struct file;
struct files;
struct fs_struct;
struct poll_table;              /* defined by the poll implementation */
struct vm_area;                 /* defined by the process memory code */

/* dev_t as Linux encodes it for user space (new_encode_dev: 12-bit major,
 * 20-bit minor), which is what st_dev/st_rdev carry. */
typedef u32 dev_t;
#define MKDEV(ma, mi)   ((((ma) & 0xfffu) << 8) | ((mi) & 0xffu) | (((mi) & ~0xffu) << 12))
#define MAJOR(d)        (((d) >> 8) & 0xfffu)
#define MINOR(d)        (((d) & 0xffu) | (((d) >> 12) & 0xfff00u))

/* Symbolic links followed in one resolution before ELOOP (Linux's). */
#define VFS_MAXSYMLINKS 40

/* A timestamp (seconds since 1970, nanoseconds). */
struct vfs_time {
	s64 sec;
	u32 nsec;
};
struct vfs_time vfs_now(void);

/* ---- who is asking ------------------------------------------------------ */

/*
 * A caller's identity and namespace position. The process layer fills one
 * per syscall from the current task (fsuid/fsgid are the effective ids
 * unless setfsuid changed them; access(2) passes the real ids instead).
 * fsuid 0 passes the permission checks as Linux's CAP_DAC_OVERRIDE does
 * (except that executing needs some x bit). fs may be NULL for entry points
 * that take no relative path (then "/" of the kernel's namespace is used).
 */
struct vfs_ctx {
	u32 fsuid;
	u32 fsgid;
	u32 ngroups;
	const u32 *groups;              /* supplementary groups */
	struct fs_struct *fs;
};

/* uid 0 at the kernel's own root and working directory ("/"). */
const struct vfs_ctx *vfs_kernel_ctx(void);

/* ---- file system types and super blocks -------------------------------- */

#define FS_REQUIRES_DEV 0x1     /* mount needs a block device source */
#define FS_SINGLETON    0x2     /* every mount shares one super block */

struct file_system_type {
	const char *name;
	u32 fs_flags;               /* FS_* */
	/*
	 * Fill a fresh super block: set s_op, s_blocksize, s_magic,
	 * s_maxbytes, s_fs_info and s_root (d_make_root(iget(sb, root ino))).
	 * bdev is the held source device for FS_REQUIRES_DEV types (the VFS
	 * puts it after put_super), else NULL. flags: MS_RDONLY etc.
	 * (<linux/mount.h>); the file system may add SB_RDONLY to s_flags
	 * itself (read-only compatible features it cannot write). data: the
	 * mount's option string or NULL. Return 0 or a negative errno; on
	 * error the VFS frees sb (the file system frees what it allocated).
	 */
	int (*fill_super)(struct super_block *sb, struct block_device *bdev,
			  const char *data, u32 flags);
	struct list_node node;      /* registered types; fs_types lock */
};

int vfs_register_fs(struct file_system_type *type);
struct file_system_type *vfs_find_fs(const char *name);
/* Call fn on every registered type, in registration order; fn may sleep
 * (types are never unregistered, so the walk needs the lock only to step). */
void vfs_for_each_fs(void (*fn)(const struct file_system_type *t, void *ctx), void *ctx);

/* Filled in by fill_super unless marked VFS. */
struct super_operations {
	/* Fill a new in-memory inode for i_ino (iget): i_mode, i_uid, i_gid,
	 * i_nlink, i_size, i_blocks, times, i_rdev, i_op, i_fop, i_private.
	 * 0 or a negative errno (-EIO for corrupt metadata). */
	int (*read_inode)(struct inode *inode);
	/* The last reference to inode is gone: write it back if needed and,
	 * if i_nlink is 0, free its data and on-disk inode; then free
	 * i_private. The VFS frees the struct inode afterwards. */
	void (*evict_inode)(struct inode *inode);
	/* Umount: everything but s_root's inode has been evicted. */
	void (*put_super)(struct super_block *sb);
	/* Write everything dirty to the device (wait: and wait for it). */
	int (*sync_fs)(struct super_block *sb, bool wait);
	int (*statfs)(struct super_block *sb, struct statfs *st);
	/* A cached entry d (positive or negative) of this super block is
	 * about to be used by a path walk: false if it may no longer say
	 * what the file system would answer now (sysfs and procfs entries
	 * whose object went or came), and the VFS drops it and looks the
	 * name up again. NULL: cached entries are always right. Called
	 * without locks held; may sleep. */
	bool (*d_revalidate)(struct dentry *d);
};

#define SB_RDONLY 0x1           /* MS_RDONLY's value: no writes at all */

struct super_block {
	struct file_system_type *s_type;          /* VFS */
	const struct super_operations *s_op;
	struct block_device *s_bdev;              /* VFS; NULL if none */
	dev_t s_dev;                              /* VFS: st_dev of its files */
	u32 s_flags;                              /* SB_RDONLY */
	u32 s_blocksize;                          /* st_blksize */
	u64 s_magic;                              /* statfs f_type */
	u64 s_maxbytes;                           /* largest file size */
	struct dentry *s_root;
	void *s_fs_info;
	struct mutex s_rename_mutex;              /* VFS: see the top */
	/* VFS: inode cache of this super block (icache lock). */
	struct list_node s_inodes;
	u32 s_mounts;                             /* mounts of it; mount lock */
	struct list_node s_node;                  /* all super blocks */
};

/* An anonymous st_dev (major 0) for file systems without a device. */
dev_t vfs_anon_dev(void);

/* ---- inodes ------------------------------------------------------------- */

#define I_NEW 0x1               /* being read in by read_inode */
#define I_BAD 0x2               /* read_inode failed: unusable */

struct inode {
	u64 i_ino;
	u32 i_mode;                 /* S_IFMT type | permission bits */
	u32 i_uid;
	u32 i_gid;
	u32 i_nlink;
	u64 i_size;
	u64 i_blocks;               /* 512-byte units, for st_blocks */
	dev_t i_rdev;               /* device nodes */
	struct vfs_time i_atime, i_mtime, i_ctime;
	/*
	 * The fields above are written under i_mutex by the file system (and
	 * by the VFS only through setattr); lock-free readers (stat) may see
	 * a torn mix of an update in progress, never a freed inode.
	 */
	struct mutex i_mutex;
	struct super_block *i_sb;
	const struct inode_operations *i_op;
	const struct file_operations *i_fop;
	void *i_private;            /* the file system's */
	/* VFS only: */
	atomic_t i_count;
	u32 i_state;                /* I_NEW, I_BAD; icache lock */
	struct list_node i_hash_node; /* inode cache; icache lock */
	struct list_node i_sb_node; /* sb->s_inodes; icache lock */
};

/*
 * The cached inode ino of sb, held: read through s_op->read_inode the first
 * time. Concurrent callers for the same ino wait for the first one's read.
 * ERR_PTR(-ENOMEM / the read's error).
 */
struct inode *iget(struct super_block *sb, u64 ino);
/* A new inode numbered ino, held, not yet read from anywhere: for a file
 * system creating a file (it fills the fields). ERR_PTR(-ENOMEM), or
 * -EEXIST if ino is cached (a corrupt bitmap handed out a used inode). */
struct inode *new_inode(struct super_block *sb, u64 ino);
void ihold(struct inode *inode);
/* Drop a reference; the last one evicts the inode (s_op->evict_inode). */
void iput(struct inode *inode);
/* An inode on the internal anonymous super block (pipes, sockets): mode
 * is S_IFIFO or S_IFSOCK with permission bits; i_fop as given. */
struct inode *vfs_anon_inode(u32 mode, const struct file_operations *fops);

/* Permission bits asked for (Linux's MAY_* values). */
#define MAY_EXEC  0x1
#define MAY_WRITE 0x2
#define MAY_READ  0x4

/* Mode-bit check for ctx (uid 0 bypass as Linux). 0 or -EACCES. */
int inode_permission(const struct vfs_ctx *ctx, struct inode *inode, int mask);

/* Attribute changes handed to i_op->setattr. */
#define ATTR_MODE  0x01
#define ATTR_UID   0x02
#define ATTR_GID   0x04
#define ATTR_SIZE  0x08
#define ATTR_ATIME 0x10
#define ATTR_MTIME 0x20
#define ATTR_CTIME 0x40

struct vfs_attr {
	u32 valid;                  /* ATTR_* */
	u32 mode;                   /* permission bits only; type is kept */
	u32 uid, gid;
	u64 size;
	struct vfs_time atime, mtime, ctime;
};

/*
 * Names given to directory operations are NUL-terminated and len long,
 * never "." or "..", never containing '/', at most NAME_MAX bytes. The
 * directory's i_mutex is held by the VFS (for rename: both directories',
 * and the target's if it is a directory); the VFS has already checked
 * permissions, the read-only flag, and existence (a name to create does
 * not exist; a name to remove exists and is the inode given).
 * Operations that create return the new inode, held, in *out, with its
 * fields filled (i_nlink counted; a new directory links "." and "..").
 * Every operation updates the times and link counts of the inodes it
 * touches and persists them.
 */
struct inode_operations {
	/* Find name in dir: 0 and *out held; -ENOENT if absent (the VFS
	 * caches the miss); other errors (-EIO) are returned to the caller. */
	int (*lookup)(struct inode *dir, const char *name, size_t len,
		      struct inode **out);
	/* Regular files, device nodes, FIFOs and sockets (S_IFMT in mode;
	 * the umask already applied; rdev for devices). Owner: uid/gid. */
	int (*mknod)(struct inode *dir, const char *name, size_t len, u32 mode,
		     dev_t rdev, u32 uid, u32 gid, struct inode **out);
	int (*mkdir)(struct inode *dir, const char *name, size_t len, u32 mode,
		     u32 uid, u32 gid, struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, size_t len,
		       const char *target, u32 uid, u32 gid, struct inode **out);
	/* A new name for old (not a directory; i_nlink < LINK_MAX checked by
	 * the file system: -EMLINK). old's i_mutex is held too. */
	int (*link)(struct inode *old, struct inode *dir, const char *name,
		    size_t len);
	/* Remove name (-> victim, not a directory): drop victim's i_nlink. */
	int (*unlink)(struct inode *dir, const char *name, size_t len,
		      struct inode *victim);
	/* Remove the directory name (-> victim, its i_mutex held): -ENOTEMPTY
	 * unless it holds only "." and ".."; drop both link counts. */
	int (*rmdir)(struct inode *dir, const char *name, size_t len,
		     struct inode *victim);
	/*
	 * Move old_dir/old_name (-> src) to new_dir/new_name. target is the
	 * inode new_name names now, or NULL; the VFS has checked the type
	 * rules (dir over non-dir: -ENOTDIR, non-dir over dir: -EISDIR, not
	 * into its own subtree) but not emptiness: a directory target that
	 * is not empty is -ENOTEMPTY. Replacing target drops its link count
	 * as unlink/rmdir would; moving a directory to another parent fixes
	 * its ".." and both parents' link counts. flags: RENAME_NOREPLACE
	 * is handled by the VFS; anything else is -EINVAL before this call.
	 */
	int (*rename)(struct inode *old_dir, const char *old_name, size_t old_len,
		      struct inode *src, struct inode *new_dir,
		      const char *new_name, size_t new_len, struct inode *target);
	/* Copy the link target (not NUL-terminated) into buf, at most size
	 * bytes: the length copied, or a negative errno. */
	int (*readlink)(struct inode *inode, char *buf, size_t size);
	/* Apply attr (i_mutex held): ATTR_SIZE truncates or extends (with a
	 * hole) and sets mtime/ctime; the others set fields. Persist them. */
	int (*setattr)(struct inode *inode, const struct vfs_attr *attr);
};

/* ---- dentries and paths ------------------------------------------------- */

#define DNAME_INLINE_LEN 40

struct dentry {
	struct inode *d_inode;      /* NULL: a negative entry */
	struct dentry *d_parent;    /* held; self for a root; dcache lock */
	const char *d_name;         /* NUL-terminated; dcache lock */
	u32 d_len;
	u32 d_hash;
	struct super_block *d_sb;
	/* dcache lock: */
	u32 d_count;
	u32 d_flags;
	u32 d_mounted;              /* mounts on this dentry; mount lock */
	struct list_node d_hash_node;
	struct list_node d_lru;     /* unused entries, oldest first */
	char d_iname[DNAME_INLINE_LEN];
};

/* A root dentry for a super block's root inode (reference consumed):
 * fill_super sets s_root to it. NULL if out of memory (inode put). */
struct dentry *d_make_root(struct inode *root);
struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
/* Free unused cached dentries (and the inodes only they held). */
void dcache_shrink(void);

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *p);
void path_put(struct path *p);

/* Lookup flags. */
#define LOOKUP_FOLLOW    0x1    /* follow a final symlink */
#define LOOKUP_DIRECTORY 0x2    /* the result must be a directory */
#define LOOKUP_EMPTY     0x4    /* "" names the start (AT_EMPTY_PATH) */

/*
 * Resolve name relative to at (an open directory; NULL: the working
 * directory) or ctx's root if absolute. '.', '..' (never above ctx's root;
 * across mount points), symlinks (VFS_MAXSYMLINKS -> -ELOOP), a trailing
 * '/' (the result must be a directory). Errors: -ENOENT (missing, or "" without
 * LOOKUP_EMPTY), -ENOTDIR, -EACCES (search permission), -ENAMETOOLONG (a
 * component > NAME_MAX, the name >= PATH_MAX), -ELOOP, -EIO.
 */
int vfs_lookup(const struct vfs_ctx *ctx, struct file *at, const char *name,
	       u32 flags, struct path *out);

/* Copy a user path (for the syscall layer): a kmalloc'd string, or
 * ERR_PTR(-EFAULT / -ENAMETOOLONG when there is no NUL in PATH_MAX). */
char *vfs_getname(const char *user_name);
void vfs_putname(char *name);

/* The namespace path of p as seen from ctx's root ("/a/b"), into buf:
 * its length without the NUL, or -ERANGE / -ENAMETOOLONG. */
int vfs_path_name(const struct vfs_ctx *ctx, const struct path *p, char *buf,
		  size_t size);

/* ---- open files --------------------------------------------------------- */

/*
 * A read or write buffer: kernel memory, or user memory that is touched
 * only through copy_to_user/copy_from_user (a fault becomes -EFAULT).
 */
struct vfs_buf {
	void *addr;
	bool user;
};
#define VFS_KBUF(p) ((struct vfs_buf){ .addr = (void *)(p), .user = false })
#define VFS_UBUF(p) ((struct vfs_buf){ .addr = (void *)(p), .user = true })

/* Copy between a vfs_buf at byte offset off and kernel memory: 0 or -EFAULT. */
int vfs_buf_to(struct vfs_buf b, size_t off, const void *src, size_t n);
int vfs_buf_from(void *dst, struct vfs_buf b, size_t off, size_t n);
int vfs_buf_zero(struct vfs_buf b, size_t off, size_t n);
/* Before a file system copies to (write: true) or from a user buffer under
 * its own locks: fault the buffer in, so that no fault taken during the
 * copy needs those locks (vm_prefault). The bytes usable from the start,
 * short at the first bad page; len for a kernel buffer. */
size_t vfs_buf_prefault(struct vfs_buf b, size_t len, bool write);

/*
 * readdir: the file system calls emit() for each entry from ctx->pos on,
 * with the position of the entry after it; emit returns false when the
 * caller's buffer is full (that entry was not taken: stop without moving
 * past it). The VFS stores ctx->pos as the new file offset. dtype is
 * the entry's S_IFMT >> 12 (Linux's DT_* values), or 0 if unknown.
 */
struct dir_context {
	bool (*emit)(struct dir_context *ctx, const char *name, size_t len,
		     u64 ino, unsigned dtype, u64 next_pos);
	u64 pos;
};
#define VFS_DTYPE(mode) (((mode) & S_IFMT) >> 12)

/*
 * Operations on an open file. Missing ones: read/write -EINVAL, readdir
 * -ENOTDIR, ioctl -ENOTTY, fsync 0 for files with no backing store; llseek
 * missing means vfs_generic_llseek.
 * read/write get the position to use (the file offset or pread's) and
 * advance it by what they transferred; they return bytes done (short
 * counts allowed), 0 at end of file, or a negative errno if nothing was
 * done (-EFAULT for a bad buffer, -EAGAIN for O_NONBLOCK). For regular
 * files the VFS has taken i_mutex around write (O_APPEND positions at
 * i_size under it) but not around read.
 */
struct file_operations {
	/* Called by vfs_open after the permission checks (devices connect
	 * to their driver here); 0 or a negative errno. */
	int (*open)(struct inode *inode, struct file *f);
	/* The last reference to the open file description is gone. */
	void (*release)(struct inode *inode, struct file *f);
	ssize_t (*read)(struct file *f, struct vfs_buf buf, size_t len, u64 *pos);
	ssize_t (*write)(struct file *f, struct vfs_buf buf, size_t len, u64 *pos);
	/* New offset or a negative errno; f_pos_lock is held. */
	s64 (*llseek)(struct file *f, s64 off, int whence);
	int (*readdir)(struct file *f, struct dir_context *ctx);
	int (*fsync)(struct file *f, bool datasync);
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);
	/* Readiness (POLLIN...) now; register on pt's wait queue (pt may be
	 * NULL). For the poll implementation. */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* Map the file into vma (for the process memory code). */
	int (*mmap)(struct file *f, struct vm_area *vma);
	/*
	 * Lend the file's own page at pos (page-aligned, below i_size) to a
	 * private mapping, which maps it read-only and copies it on its
	 * first write (kernel/proc/vm.c): 0 and *pa with a reference taken
	 * (kernel/mm/upage.h), the page's bytes past i_size zero. Writes to
	 * the file show through the page; truncation leaves mappings with
	 * the page they have. -ENODATA where there is no page to lend (a
	 * hole), other errors as read; the caller then reads a copy. NULL:
	 * the file system has no such pages (it is always read).
	 */
	int (*get_page)(struct file *f, u64 pos, phys_addr_t *pa);
};

s64 vfs_generic_llseek(struct file *f, s64 off, int whence);

#define FMODE_READ  0x1
#define FMODE_WRITE 0x2

struct file {
	atomic_t f_count;
	u32 f_mode;                 /* FMODE_*; fixed at open */
	u32 f_flags;                /* O_* status flags; f_lock (F_SETFL) */
	struct spinlock f_lock;
	struct mutex f_pos_lock;
	u64 f_pos;                  /* f_pos_lock */
	struct path f_path;         /* held; NULL mnt/dentry for anon files */
	struct inode *f_inode;      /* held */
	const struct file_operations *f_op;
	void *private_data;         /* the f_op's */
};

/* A file description for inode outside any namespace (pipes, sockets):
 * flags are O_* (access mode and status flags). The inode reference is
 * consumed on success and stays the caller's on ERR_PTR(-ENOMEM). */
struct file *vfs_file_anon(struct inode *inode, u32 flags, void *private_data);
struct file *file_get(struct file *f);
/* Drop a reference; the last one calls f_op->release and frees f. */
void file_put(struct file *f);

/*
 * Open name (relative to at, as vfs_lookup) with O_* flags and, for
 * O_CREAT/O_TMPFILE, mode (the umask of ctx->fs is applied). Linux's
 * errors: -EEXIST (O_CREAT|O_EXCL), -EISDIR (writing a directory), -ENOTDIR
 * (O_DIRECTORY), -ELOOP (O_NOFOLLOW on a symlink), -EACCES, -EROFS, -ENXIO
 * (a device with no driver)...
 */
struct file *vfs_open(const struct vfs_ctx *ctx, struct file *at,
		      const char *name, u32 flags, u32 mode);
/* Open an already-resolved path (flags as vfs_open, no O_CREAT). */
struct file *vfs_open_path(const struct vfs_ctx *ctx, const struct path *p,
			   u32 flags);

/* pos NULL: use and advance f_pos (under f_pos_lock); else pread/pwrite at
 * *pos (advanced). -EBADF if the file is not open for it. */
ssize_t vfs_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos);
ssize_t vfs_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos);
s64 vfs_lseek(struct file *f, s64 off, int whence);
/* Fill buf with struct linux_dirent64 records (getdents64): bytes used,
 * 0 at the end, -EINVAL if not even one entry fits. */
ssize_t vfs_getdents(struct file *f, struct vfs_buf buf, size_t len);
int vfs_fsync(struct file *f, bool datasync);
long vfs_ioctl(struct file *f, unsigned cmd, unsigned long arg);
int vfs_ftruncate(struct file *f, u64 size);
/* F_SETFL: only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME change. */
void vfs_set_flags(struct file *f, u32 flags);

/* ---- namespace operations ----------------------------------------------
 * at/name as for vfs_lookup; at_flags are AT_* (AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH, AT_SYMLINK_FOLLOW for link). */
int vfs_fstatat(const struct vfs_ctx *ctx, struct file *at, const char *name,
		u32 at_flags, struct stat *st);
int vfs_fstat(struct file *f, struct stat *st);
int vfs_statx(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 at_flags, struct statx *stx);
int vfs_statfs(const struct vfs_ctx *ctx, const char *name, struct statfs *st);
int vfs_truncate(const struct vfs_ctx *ctx, const char *name, u64 size);
int vfs_mkdir(const struct vfs_ctx *ctx, struct file *at, const char *name, u32 mode);
int vfs_mknod(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 mode, dev_t rdev);
int vfs_unlink(const struct vfs_ctx *ctx, struct file *at, const char *name);
int vfs_rmdir(const struct vfs_ctx *ctx, struct file *at, const char *name);
/* flags: RENAME_NOREPLACE (<linux/fs.h>); others -EINVAL. */
int vfs_rename(const struct vfs_ctx *ctx, struct file *old_at, const char *old_name,
	       struct file *new_at, const char *new_name, u32 flags);
int vfs_link(const struct vfs_ctx *ctx, struct file *old_at, const char *old_name,
	     struct file *new_at, const char *new_name, u32 at_flags);
int vfs_symlink(const struct vfs_ctx *ctx, const char *target, struct file *at,
		const char *name);
/* The target, not NUL-terminated: its length, or a negative errno. */
int vfs_readlink(const struct vfs_ctx *ctx, struct file *at, const char *name,
		 char *buf, size_t size);
int vfs_chmod(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 mode, u32 at_flags);
int vfs_fchmod(const struct vfs_ctx *ctx, struct file *f, u32 mode);
/* uid/gid (u32)-1: unchanged. */
int vfs_chown(const struct vfs_ctx *ctx, struct file *at, const char *name,
	      u32 uid, u32 gid, u32 at_flags);
int vfs_fchown(const struct vfs_ctx *ctx, struct file *f, u32 uid, u32 gid);
/* times[0] atime, times[1] mtime, as utimensat (tv_nsec UTIME_NOW or
 * UTIME_OMIT); times NULL: both now. name NULL: the file at itself. */
#define VFS_UTIME_NOW  ((1l << 30) - 1l)        /* Linux's UTIME_NOW */
#define VFS_UTIME_OMIT ((1l << 30) - 2l)        /* Linux's UTIME_OMIT */
int vfs_utimens(const struct vfs_ctx *ctx, struct file *at, const char *name,
		const struct __kernel_timespec *times, u32 at_flags);
/* mode: F_OK/R_OK/W_OK/X_OK bits (0, 4, 2, 1). */
int vfs_access(const struct vfs_ctx *ctx, struct file *at, const char *name,
	       int mode, u32 at_flags);

/* ---- mounts ------------------------------------------------------------- */

/*
 * Mount a new instance of fstype at target. source: a block-device path
 * for FS_REQUIRES_DEV types (resolved in ctx), ignored otherwise. flags:
 * MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC (<linux/mount.h>); others are
 * ignored except MS_REMOUNT/MS_BIND/MS_MOVE (-EINVAL, not supported).
 * Only fsuid 0 may mount (-EPERM).
 */
int vfs_mount(const struct vfs_ctx *ctx, const char *source, const char *target,
	      const char *fstype, u32 flags, const char *data);
/* Detach the mount at target: -EBUSY if files or mounts are still inside,
 * -EINVAL if not a mount point. flags: umount2's MNT_FORCE (ignored) and
 * UMOUNT_NOFOLLOW; MNT_DETACH and MNT_EXPIRE are not supported (-EINVAL). */
int vfs_umount(const struct vfs_ctx *ctx, const char *target, u32 flags);
/* Sync every mounted file system (sync(2)). */
void vfs_sync_all(void);
/* Whether a mounted file system sits on bd (sysfs refuses to unbind its
 * driver then: the mount would hold the disk forever). */
bool vfs_bdev_mounted(const struct block_device *bd);

/* For /proc/mounts: fn for every mount that ctx's root can reach (its
 * root's mount and the mounts below it: not the rootfs under a mounted
 * root, nor what was mounted on it), in mount order, with its source
 * ("/dev/vda", "tmpfs"), its mount point as a path from the namespace root
 * (as it was when mounted), its type and MS_* flags; under the mount lock
 * (fn must not sleep). */
void vfs_for_each_mount(const struct vfs_ctx *ctx,
			void (*fn)(const char *source, const char *path,
				   const char *fstype, u32 ms_flags, void *arg),
			void *arg);

/* ---- process state ------------------------------------------------------ */

/* Root, working directory and umask of a process (shared with CLONE_FS). */
struct fs_struct *fs_struct_alloc(const struct path *root);  /* cwd = root */
struct fs_struct *fs_struct_copy(struct fs_struct *fs);      /* fork */
void fs_struct_get(struct fs_struct *fs);
void fs_struct_put(struct fs_struct *fs);
u32 fs_umask_swap(struct fs_struct *fs, u32 mask);           /* umask(2) */
int vfs_chdir(const struct vfs_ctx *ctx, const char *name);
int vfs_fchdir(const struct vfs_ctx *ctx, struct file *dir);
int vfs_chroot(const struct vfs_ctx *ctx, const char *name);
/* getcwd(2): the NUL-terminated path in buf, its length with the NUL. */
int vfs_getcwd(const struct vfs_ctx *ctx, char *buf, size_t size);

/*
 * A descriptor table. Descriptors are allocated lowest first; the limit
 * (RLIMIT_NOFILE) defaults to FILES_DEFAULT_MAX. All calls lock the table
 * themselves. Shared by CLONE_FILES (files_get), copied by fork.
 */
#define FILES_DEFAULT_MAX 1024
#define FILES_HARD_MAX    (1u << 20)    /* Linux's fs.nr_open default */

struct files *files_alloc(void);
struct files *files_copy(struct files *f);
void files_get(struct files *f);
void files_put(struct files *f);
/* Install file (taking over the caller's reference) at the lowest free
 * descriptor >= min: the fd, -EMFILE past the limit, -EINVAL if min is. */
int fd_install(struct files *t, struct file *file, u32 min, bool cloexec);
/* The file at fd, held (file_put it), or ERR_PTR(-EBADF). */
struct file *fd_get(struct files *t, int fd);
int fd_close(struct files *t, int fd);
/* dup2 core: make newfd refer to oldfd's file (closing what newfd held);
 * newfd, or -EBADF. oldfd == newfd just checks oldfd. */
int fd_dup_to(struct files *t, int oldfd, int newfd, bool cloexec);
/* The lowest open descriptor >= fd, or -EBADF if none (/proc/PID/fd). */
int fd_next(struct files *t, int fd);
int fd_get_cloexec(struct files *t, int fd);          /* 0/1 or -EBADF */
int fd_set_cloexec(struct files *t, int fd, bool on);
void files_close_on_exec(struct files *t);
int files_set_limit(struct files *t, u32 max);        /* -EINVAL past the hard max */
u32 files_limit(struct files *t);

/* ---- devices ------------------------------------------------------------- */

/* Character devices: opening a node whose i_rdev is in [base, base+count)
 * swaps in fops and calls its open. -EBUSY on overlap. */
int chrdev_register(dev_t base, u32 count, const char *name,
		    const struct file_operations *fops);
/* The dev_t devfs gave a block device, or 0; and back (held, or NULL). */
dev_t blkdev_devt(struct block_device *bd);
struct block_device *blkdev_get(dev_t dev);

/* ---- bring-up ----------------------------------------------------------- */

/* Caches, the rootfs (a tmpfs as the namespace root), devfs on /dev. */
int vfs_init(void);
/* The initramfs if a boot module is one (unpacked into the rootfs), else
 * root= with rootfstype= (and ro/rw) from cmdline, else a report. */
int mount_root(const char *cmdline);

#endif
