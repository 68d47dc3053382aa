/* System calls on file descriptors (see syscall.h and vfs.h). */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "vfs/vfs.h"
#include <linux/uio.h>

/* Linux caps one transfer at INT_MAX rounded down to a page. */
#define MAX_RW_COUNT 0x7ffff000UL

static struct file *fget(int fd)
{
	return fd_get(current_proc()->files, fd);
}

static long rw(int fd, void *buf, size_t len, u64 *pos, bool write)
{
	struct file *f = fget(fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	len = MIN(len, MAX_RW_COUNT);
	if (pos && (S_ISFIFO(f->f_inode->i_mode) || S_ISSOCK(f->f_inode->i_mode)))
		ret = -ESPIPE;
	else if (!access_ok(buf, len))
		ret = -EFAULT;
	else
		ret = write ? vfs_write(f, VFS_UBUF(buf), len, pos) :
			      vfs_read(f, VFS_UBUF(buf), len, pos);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(read, int, fd, void *, buf, size_t, len)
{
	return rw(fd, buf, len, NULL, false);
}

SYSCALL_DEFINE3(write, int, fd, const void *, buf, size_t, len)
{
	return rw(fd, (void *)buf, len, NULL, true);
}

SYSCALL_DEFINE4(pread64, int, fd, void *, buf, size_t, len, s64, off)
{
	u64 pos = (u64)off;

	return off < 0 ? -EINVAL : rw(fd, buf, len, &pos, false);
}

SYSCALL_DEFINE4(pwrite64, int, fd, const void *, buf, size_t, len, s64, off)
{
	u64 pos = (u64)off;

	return off < 0 ? -EINVAL : rw(fd, (void *)buf, len, &pos, true);
}

/* readv/writev: one vector after another until a short transfer. */
static long rwv(int fd, const struct iovec *uiov, int cnt, bool write)
{
	long total = 0;

	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	for (int i = 0; i < cnt; i++) {
		struct iovec v;
		long n;

		if (copy_from_user(&v, &uiov[i], sizeof(v)))
			return total ? total : -EFAULT;
		if (!v.iov_len)
			continue;
		n = rw(fd, v.iov_base, v.iov_len, NULL, write);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((size_t)n < v.iov_len)
			break;
	}
	return total;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec *, iov, int, cnt)
{
	return rwv(fd, iov, cnt, false);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec *, iov, int, cnt)
{
	return rwv(fd, iov, cnt, true);
}

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(current_proc()->files, fd);
}

SYSCALL_DEFINE3(lseek, int, fd, s64, off, int, whence)
{
	struct file *f = fget(fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = S_ISFIFO(f->f_inode->i_mode) ? -ESPIPE : vfs_lseek(f, off, whence);
	file_put(f);
	return ret;
}

static long dup_from(int fd, u32 min, bool cloexec)
{
	struct file *f = fget(fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = fd_install(current_proc()->files, f, min, cloexec);
	if (ret < 0)
		file_put(f);
	return ret;
}

SYSCALL_DEFINE1(dup, int, fd)
{
	return dup_from(fd, 0, false);
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	struct file *f;

	if (oldfd == newfd) {
		f = fget(oldfd);
		if (IS_ERR(f))
			return PTR_ERR(f);
		file_put(f);
		return newfd;
	}
	return fd_dup_to(current_proc()->files, oldfd, newfd, false);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, u32, flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return fd_dup_to(current_proc()->files, oldfd, newfd, flags & O_CLOEXEC);
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, unsigned long, arg)
{
	struct files *t = current_proc()->files;
	struct file *f;
	long ret;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= files_limit(t))
			return -EINVAL;
		return dup_from(fd, (u32)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		ret = fd_get_cloexec(t, fd);
		return ret < 0 ? ret : (ret ? FD_CLOEXEC : 0);
	case F_SETFD:
		return fd_set_cloexec(t, fd, arg & FD_CLOEXEC);
	case F_GETFL:
	case F_SETFL:
		f = fget(fd);
		if (IS_ERR(f))
			return PTR_ERR(f);
		ret = 0;
		if (cmd == F_GETFL)
			ret = f->f_flags;
		else
			vfs_set_flags(f, (u32)arg);
		file_put(f);
		return ret;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned, cmd, unsigned long, arg)
{
	struct file *f = fget(fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = vfs_ioctl(f, cmd, arg);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(getdents64, int, fd, void *, buf, size_t, len)
{
	struct file *f = fget(fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = access_ok(buf, len) ? vfs_getdents(f, VFS_UBUF(buf), len) : -EFAULT;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE2(fstat, int, fd, struct stat *, ust)
{
	struct file *f = fget(fd);
	struct stat st;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = vfs_fstat(f, &st);
	file_put(f);
	if (!ret)
		ret = copy_to_user(ust, &st, sizeof(st));
	return ret;
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fget(fd);
	struct vfs_ctx ctx;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	proc_vfs_ctx(&ctx);
	ret = vfs_fchdir(&ctx, f);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE2(fchmod, int, fd, u32, mode)
{
	struct file *f = fget(fd);
	struct vfs_ctx ctx;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	proc_vfs_ctx(&ctx);
	ret = vfs_fchmod(&ctx, f, mode);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(fchown, int, fd, u32, uid, u32, gid)
{
	struct file *f = fget(fd);
	struct vfs_ctx ctx;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	proc_vfs_ctx(&ctx);
	ret = vfs_fchown(&ctx, f, uid, gid);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE2(ftruncate, int, fd, s64, len)
{
	struct file *f;
	long ret;

	if (len < 0)
		return -EINVAL;
	f = fget(fd);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = vfs_ftruncate(f, (u64)len);
	file_put(f);
	return ret;
}

static long do_fsync(int fd, bool datasync)
{
	struct file *f = fget(fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = vfs_fsync(f, datasync);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	return do_fsync(fd, false);
}

SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return do_fsync(fd, true);
}

/* sendfile: a kernel-side read/write loop through a bounce buffer. */
SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, s64 *, uoff, size_t, count)
{
	struct file *in = fget(in_fd), *out;
	u64 pos = 0, *posp = NULL;
	size_t done = 0;
	long ret = 0;
	void *buf;

	if (IS_ERR(in))
		return PTR_ERR(in);
	out = fget(out_fd);
	if (IS_ERR(out)) {
		file_put(in);
		return PTR_ERR(out);
	}
	if (uoff) {
		s64 off;

		ret = copy_from_user(&off, uoff, sizeof(off));
		if (!ret && off < 0)
			ret = -EINVAL;
		pos = (u64)off;
		posp = &pos;
	}
	buf = ret ? NULL : kmalloc(PAGE_SIZE * 4, GFP_KERNEL);
	if (!ret && !buf)
		ret = -ENOMEM;
	count = MIN(count, MAX_RW_COUNT);
	while (!ret && done < count) {
		size_t want = MIN(count - done, PAGE_SIZE * 4);
		ssize_t n = vfs_read(in, VFS_KBUF(buf), want, posp);
		ssize_t w;

		if (n <= 0) {
			ret = n;
			break;
		}
		w = vfs_write(out, VFS_KBUF(buf), (size_t)n, NULL);
		if (w < 0) {
			ret = w;
			break;
		}
		done += (size_t)w;
		if (w < n) {
			if (posp)
				pos -= (u64)(n - w);
			break;
		}
		/* A short read (a terminal line, a pipe's contents) ends the
		 * call, as read(2) would: the next one may block or see EOF. */
		if ((size_t)n < want)
			break;
	}
	kfree(buf);
	if (uoff && (done || !ret) && copy_to_user(uoff, &pos, sizeof(pos)))
		ret = -EFAULT;
	file_put(out);
	file_put(in);
	return done ? (long)done : ret;
}
