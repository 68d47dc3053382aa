/*
 * File system calls over the VFS: name-based calls (paths relative to a
 * directory descriptor or the working directory). Descriptor-based calls
 * are in sys_fd.c. Each call copies its path in (vfs_getname: -EFAULT,
 * -ENAMETOOLONG), takes the directory descriptor, and calls the VFS with
 * the caller's identity (proc_vfs_ctx).
 */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "vfs/vfs.h"
#include <linux/fs.h>

/* A path call's context: who, relative to what, which name. */
struct pathcall {
	struct vfs_ctx ctx;
	struct file *at;                /* held, or NULL: the working directory */
	char *name;
};

static long pc_begin(struct pathcall *pc, int dirfd, const char *upath)
{
	proc_vfs_ctx(&pc->ctx);
	pc->at = NULL;
	pc->name = vfs_getname(upath);
	if (IS_ERR(pc->name))
		return PTR_ERR(pc->name);
	if (dirfd != AT_FDCWD && pc->name[0] != '/') {
		pc->at = fd_get(current_proc()->files, dirfd);
		if (IS_ERR(pc->at)) {
			long err = PTR_ERR(pc->at);

			vfs_putname(pc->name);
			return err;
		}
	}
	return 0;
}

static void pc_end(struct pathcall *pc)
{
	if (pc->at)
		file_put(pc->at);
	vfs_putname(pc->name);
}

/* AT_EMPTY_PATH on "" means the descriptor itself, which may be a file. */
static long pc_begin_empty(struct pathcall *pc, int dirfd, const char *upath,
			   u32 flags)
{
	long err = pc_begin(pc, dirfd, upath);

	if (!err && (flags & AT_EMPTY_PATH) && !pc->name[0] && dirfd != AT_FDCWD &&
	    !pc->at) {
		pc->at = fd_get(current_proc()->files, dirfd);
		if (IS_ERR(pc->at)) {
			err = PTR_ERR(pc->at);
			pc->at = NULL;
			pc_end(pc);
		}
	}
	return err;
}

static long do_openat(int dirfd, const char *path, u32 flags, u32 mode)
{
	struct proc *p = current_proc();
	struct pathcall pc;
	struct file *f;
	long err = pc_begin(&pc, dirfd, path);

	if (err)
		return err;
	f = vfs_open(&pc.ctx, pc.at, pc.name, flags, mode);
	pc_end(&pc);
	if (IS_ERR(f))
		return PTR_ERR(f);
	err = fd_install(p->files, f, 0, flags & O_CLOEXEC);
	if (err < 0)
		file_put(f);
	return err;
}

SYSCALL_DEFINE4(openat, int, dirfd, const char *, path, u32, flags, u32, mode)
{
	return do_openat(dirfd, path, flags, mode);
}

SYSCALL_DEFINE3(open, const char *, path, u32, flags, u32, mode)
{
	return do_openat(AT_FDCWD, path, flags, mode);
}

SYSCALL_DEFINE2(creat, const char *, path, u32, mode)
{
	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

static long do_fstatat(int dirfd, const char *path, struct stat *ust, u32 flags)
{
	struct pathcall pc;
	struct stat st;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = pc_begin_empty(&pc, dirfd, path, flags);
	if (err)
		return err;
	err = vfs_fstatat(&pc.ctx, pc.at, pc.name, flags, &st);
	pc_end(&pc);
	if (!err)
		err = copy_to_user(ust, &st, sizeof(st));
	return err;
}

SYSCALL_DEFINE2(stat, const char *, path, struct stat *, st)
{
	return do_fstatat(AT_FDCWD, path, st, 0);
}

SYSCALL_DEFINE2(lstat, const char *, path, struct stat *, st)
{
	return do_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char *, path, struct stat *, st,
		u32, flags)
{
	return do_fstatat(dirfd, path, st, flags);
}

SYSCALL_DEFINE5(statx, int, dirfd, const char *, path, u32, flags, u32, mask,
		struct statx *, ubuf)
{
	struct pathcall pc;
	struct statx stx;
	long err = pc_begin_empty(&pc, dirfd, path, flags);

	if (err)
		return err;
	err = vfs_statx(&pc.ctx, pc.at, pc.name, flags, &stx);
	pc_end(&pc);
	if (!err)
		err = copy_to_user(ubuf, &stx, sizeof(stx));
	return err;
}

static long do_mkdirat(int dirfd, const char *path, u32 mode)
{
	struct pathcall pc;
	long err = pc_begin(&pc, dirfd, path);

	if (err)
		return err;
	err = vfs_mkdir(&pc.ctx, pc.at, pc.name, mode);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE2(mkdir, const char *, path, u32, mode)
{
	return do_mkdirat(AT_FDCWD, path, mode);
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char *, path, u32, mode)
{
	return do_mkdirat(dirfd, path, mode);
}

static long do_mknodat(int dirfd, const char *path, u32 mode, u32 dev)
{
	struct pathcall pc;
	long err = pc_begin(&pc, dirfd, path);

	if (err)
		return err;
	/* The user's dev_t is the 32-bit new_encode_dev form vfs.h uses. */
	err = vfs_mknod(&pc.ctx, pc.at, pc.name, (mode & S_IFMT) ? mode : mode | S_IFREG,
			(dev_t)dev);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE3(mknod, const char *, path, u32, mode, u32, dev)
{
	return do_mknodat(AT_FDCWD, path, mode, dev);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char *, path, u32, mode, u32, dev)
{
	return do_mknodat(dirfd, path, mode, dev);
}

static long do_unlinkat(int dirfd, const char *path, u32 flags)
{
	struct pathcall pc;
	long err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	err = pc_begin(&pc, dirfd, path);
	if (err)
		return err;
	err = (flags & AT_REMOVEDIR) ? vfs_rmdir(&pc.ctx, pc.at, pc.name) :
				       vfs_unlink(&pc.ctx, pc.at, pc.name);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE1(rmdir, const char *, path)
{
	return do_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

SYSCALL_DEFINE1(unlink, const char *, path)
{
	return do_unlinkat(AT_FDCWD, path, 0);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char *, path, u32, flags)
{
	return do_unlinkat(dirfd, path, flags);
}

static long do_renameat2(int olddir, const char *oldp, int newdir, const char *newp,
			 u32 flags)
{
	struct pathcall a, b;
	long err = pc_begin(&a, olddir, oldp);

	if (err)
		return err;
	err = pc_begin(&b, newdir, newp);
	if (!err) {
		err = vfs_rename(&a.ctx, a.at, a.name, b.at, b.name, flags);
		pc_end(&b);
	}
	pc_end(&a);
	return err;
}

SYSCALL_DEFINE2(rename, const char *, oldp, const char *, newp)
{
	return do_renameat2(AT_FDCWD, oldp, AT_FDCWD, newp, 0);
}

SYSCALL_DEFINE4(renameat, int, olddir, const char *, oldp, int, newdir,
		const char *, newp)
{
	return do_renameat2(olddir, oldp, newdir, newp, 0);
}

SYSCALL_DEFINE5(renameat2, int, olddir, const char *, oldp, int, newdir,
		const char *, newp, u32, flags)
{
	return do_renameat2(olddir, oldp, newdir, newp, flags);
}

static long do_linkat(int olddir, const char *oldp, int newdir, const char *newp,
		      u32 flags)
{
	struct pathcall a, b;
	long err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = pc_begin_empty(&a, olddir, oldp, flags);
	if (err)
		return err;
	err = pc_begin(&b, newdir, newp);
	if (!err) {
		err = vfs_link(&a.ctx, a.at, a.name, b.at, b.name, flags);
		pc_end(&b);
	}
	pc_end(&a);
	return err;
}

SYSCALL_DEFINE2(link, const char *, oldp, const char *, newp)
{
	return do_linkat(AT_FDCWD, oldp, AT_FDCWD, newp, 0);
}

SYSCALL_DEFINE5(linkat, int, olddir, const char *, oldp, int, newdir,
		const char *, newp, u32, flags)
{
	return do_linkat(olddir, oldp, newdir, newp, flags);
}

static long do_symlinkat(const char *target, int dirfd, const char *path)
{
	struct pathcall pc;
	char *t = vfs_getname(target);
	long err;

	if (IS_ERR(t))
		return PTR_ERR(t);
	err = pc_begin(&pc, dirfd, path);
	if (!err) {
		err = vfs_symlink(&pc.ctx, t, pc.at, pc.name);
		pc_end(&pc);
	}
	vfs_putname(t);
	return err;
}

SYSCALL_DEFINE2(symlink, const char *, target, const char *, path)
{
	return do_symlinkat(target, AT_FDCWD, path);
}

SYSCALL_DEFINE3(symlinkat, const char *, target, int, dirfd, const char *, path)
{
	return do_symlinkat(target, dirfd, path);
}

static long do_readlinkat(int dirfd, const char *path, char *ubuf, int size)
{
	struct pathcall pc;
	char *buf;
	long err;

	if (size <= 0)
		return -EINVAL;
	size = MIN(size, PATH_MAX);
	buf = kmalloc((size_t)size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = pc_begin_empty(&pc, dirfd, path, AT_EMPTY_PATH);
	if (!err) {
		err = vfs_readlink(&pc.ctx, pc.at, pc.name, buf, (size_t)size);
		pc_end(&pc);
	}
	if (err > 0 && copy_to_user(ubuf, buf, (size_t)err))
		err = -EFAULT;
	kfree(buf);
	return err;
}

SYSCALL_DEFINE3(readlink, const char *, path, char *, buf, int, size)
{
	return do_readlinkat(AT_FDCWD, path, buf, size);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char *, path, char *, buf, int, size)
{
	return do_readlinkat(dirfd, path, buf, size);
}

SYSCALL_DEFINE1(chdir, const char *, path)
{
	struct pathcall pc;
	long err = pc_begin(&pc, AT_FDCWD, path);

	if (err)
		return err;
	err = vfs_chdir(&pc.ctx, pc.name);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE1(chroot, const char *, path)
{
	struct pathcall pc;
	long err = pc_begin(&pc, AT_FDCWD, path);

	if (err)
		return err;
	err = vfs_chroot(&pc.ctx, pc.name);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE2(getcwd, char *, ubuf, size_t, size)
{
	struct vfs_ctx ctx;
	char *buf;
	long n;

	if (!size)
		return -EINVAL;
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	proc_vfs_ctx(&ctx);
	n = vfs_getcwd(&ctx, buf, MIN(size, (size_t)PATH_MAX));
	if (n > 0 && copy_to_user(ubuf, buf, (size_t)n))
		n = -EFAULT;
	kfree(buf);
	return n;
}

SYSCALL_DEFINE1(umask, u32, mask)
{
	return fs_umask_swap(current_proc()->fs, mask & 0777);
}

static long do_fchmodat(int dirfd, const char *path, u32 mode, u32 flags)
{
	struct pathcall pc;
	long err = pc_begin(&pc, dirfd, path);

	if (err)
		return err;
	err = vfs_chmod(&pc.ctx, pc.at, pc.name, mode, flags);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE2(chmod, const char *, path, u32, mode)
{
	return do_fchmodat(AT_FDCWD, path, mode, 0);
}

SYSCALL_DEFINE3(fchmodat, int, dirfd, const char *, path, u32, mode)
{
	return do_fchmodat(dirfd, path, mode, 0);
}

static long do_fchownat(int dirfd, const char *path, u32 uid, u32 gid, u32 flags)
{
	struct pathcall pc;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = pc_begin_empty(&pc, dirfd, path, flags);
	if (err)
		return err;
	err = vfs_chown(&pc.ctx, pc.at, pc.name, uid, gid, flags);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE3(chown, const char *, path, u32, uid, u32, gid)
{
	return do_fchownat(AT_FDCWD, path, uid, gid, 0);
}

SYSCALL_DEFINE3(lchown, const char *, path, u32, uid, u32, gid)
{
	return do_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE5(fchownat, int, dirfd, const char *, path, u32, uid, u32, gid,
		u32, flags)
{
	return do_fchownat(dirfd, path, uid, gid, flags);
}

static long do_faccessat(int dirfd, const char *path, int mode, u32 flags)
{
	struct proc *p = current_proc();
	struct pathcall pc;
	long err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = pc_begin_empty(&pc, dirfd, path, flags);
	if (err)
		return err;
	/* access(2) checks with the real ids unless AT_EACCESS. */
	if (!(flags & AT_EACCESS)) {
		pc.ctx.fsuid = p->uid;
		pc.ctx.fsgid = p->gid;
	}
	err = vfs_access(&pc.ctx, pc.at, pc.name, mode, flags & ~AT_EACCESS);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE2(access, const char *, path, int, mode)
{
	return do_faccessat(AT_FDCWD, path, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char *, path, int, mode)
{
	return do_faccessat(dirfd, path, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char *, path, int, mode, u32, flags)
{
	return do_faccessat(dirfd, path, mode, flags);
}

SYSCALL_DEFINE2(truncate, const char *, path, s64, len)
{
	struct pathcall pc;
	long err;

	if (len < 0)
		return -EINVAL;
	err = pc_begin(&pc, AT_FDCWD, path);
	if (err)
		return err;
	err = vfs_truncate(&pc.ctx, pc.name, (u64)len);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE4(utimensat, int, dirfd, const char *, path,
		const struct __kernel_timespec *, utimes, u32, flags)
{
	struct __kernel_timespec ts[2];
	struct pathcall pc;
	long err;

	if (utimes && copy_from_user(ts, utimes, sizeof(ts)))
		return -EFAULT;
	if (!path) {
		/* futimens: the descriptor itself. */
		struct file *f = fd_get(current_proc()->files, dirfd);

		if (IS_ERR(f))
			return PTR_ERR(f);
		proc_vfs_ctx(&pc.ctx);
		err = vfs_utimens(&pc.ctx, f, NULL, utimes ? ts : NULL, flags);
		file_put(f);
		return err;
	}
	err = pc_begin_empty(&pc, dirfd, path, flags);
	if (err)
		return err;
	err = vfs_utimens(&pc.ctx, pc.at, pc.name, utimes ? ts : NULL, flags);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE2(statfs, const char *, path, struct statfs *, ubuf)
{
	struct pathcall pc;
	struct statfs st;
	long err = pc_begin(&pc, AT_FDCWD, path);

	if (err)
		return err;
	err = vfs_statfs(&pc.ctx, pc.name, &st);
	pc_end(&pc);
	if (!err)
		err = copy_to_user(ubuf, &st, sizeof(st));
	return err;
}

SYSCALL_DEFINE5(mount, const char *, source, const char *, target, const char *, type,
		unsigned long, flags, const void *, data)
{
	struct vfs_ctx ctx;
	char *src = NULL, *tgt, *fstype = NULL, *opts = NULL;
	long err;

	tgt = vfs_getname(target);
	if (IS_ERR(tgt))
		return PTR_ERR(tgt);
	err = 0;
	if (source) {
		src = vfs_getname(source);
		if (IS_ERR(src)) {
			err = PTR_ERR(src);
			src = NULL;
		}
	}
	if (!err && type) {
		fstype = vfs_getname(type);
		if (IS_ERR(fstype)) {
			err = PTR_ERR(fstype);
			fstype = NULL;
		}
	}
	if (!err && data) {
		opts = vfs_getname(data);
		if (IS_ERR(opts)) {
			err = PTR_ERR(opts);
			opts = NULL;
		}
	}
	if (!err) {
		proc_vfs_ctx(&ctx);
		err = vfs_mount(&ctx, src, tgt, fstype ? fstype : "", (u32)flags, opts);
	}
	if (opts)
		vfs_putname(opts);
	if (fstype)
		vfs_putname(fstype);
	if (src)
		vfs_putname(src);
	vfs_putname(tgt);
	return err;
}

SYSCALL_DEFINE2(umount2, const char *, target, u32, flags)
{
	struct pathcall pc;
	long err = pc_begin(&pc, AT_FDCWD, target);

	if (err)
		return err;
	err = vfs_umount(&pc.ctx, pc.name, flags);
	pc_end(&pc);
	return err;
}

SYSCALL_DEFINE0(sync)
{
	vfs_sync_all();
	return 0;
}
