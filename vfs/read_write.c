/*
 * read, write, lseek, getdents, fsync, ioctl and ftruncate on open files.
 *
 * The file offset is protected by f_pos_lock, held across the whole call
 * that uses it (as Linux does for regular files), so two threads reading
 * one description never read the same bytes. Writes to regular files also
 * hold the inode's i_mutex: an O_APPEND write positions and extends
 * atomically, and a truncate cannot cut a write in half.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include <linux/fs.h>           /* SEEK_* */

/* Linux's MAX_RW_COUNT: one call moves at most this many bytes. */
#define VFS_MAX_RW 0x7ffff000ul

s64 vfs_generic_llseek(struct file *f, s64 off, int whence)
{
	struct inode *inode = f->f_inode;
	s64 base, size = (s64)READ_ONCE(inode->i_size);

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (s64)f->f_pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
		/* No hole tracking: all of the file is data. */
		if (off < 0 || off >= size)
			return -ENXIO;
		return off;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		return size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

static bool has_pos_lock(struct file *f)
{
	return S_ISREG(f->f_inode->i_mode) || S_ISDIR(f->f_inode->i_mode);
}

ssize_t vfs_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	bool locked = !pos && has_pos_lock(f);
	ssize_t n;

	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (!f->f_op || !f->f_op->read)
		return -EINVAL;
	if (len > VFS_MAX_RW)
		len = VFS_MAX_RW;
	if (S_ISREG(f->f_inode->i_mode) && len) {
		/* Only as much as the file holds from here: reading a short
		 * file into a huge buffer must not populate all of it. (Sizes
		 * are a hint here; a file that grows meanwhile is copied the
		 * ordinary way, and procfs files, of size 0, always are.) */
		u64 at = pos ? *pos : READ_ONCE(f->f_pos);
		u64 size = READ_ONCE(f->f_inode->i_size);
		size_t want = at < size ? (size_t)MIN((u64)len, size - at) : 0;
		size_t got = vfs_buf_prefault(buf, want, true);

		if (got < want) {
			if (!got)
				return -EFAULT;
			len = got;
		}
	}
	if (locked)
		mutex_lock(&f->f_pos_lock);
	n = f->f_op->read(f, buf, len, pos ? pos : &f->f_pos);
	if (locked)
		mutex_unlock(&f->f_pos_lock);
	return n;
}

ssize_t vfs_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct inode *inode = f->f_inode;
	bool reg = S_ISREG(inode->i_mode);
	bool locked = !pos && has_pos_lock(f);
	u64 *where = pos ? pos : &f->f_pos;
	ssize_t n;

	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	if (len > VFS_MAX_RW)
		len = VFS_MAX_RW;
	if (reg && len) {
		len = vfs_buf_prefault(buf, len, false);
		if (!len)
			return -EFAULT;
	}
	if (locked)
		mutex_lock(&f->f_pos_lock);
	if (reg)
		mutex_lock(&inode->i_mutex);
	/* pwrite on an O_APPEND file appends too, as on Linux. */
	if (reg && (READ_ONCE(f->f_flags) & O_APPEND))
		*where = inode->i_size;
	n = f->f_op->write(f, buf, len, where);
	if (reg)
		mutex_unlock(&inode->i_mutex);
	if (locked)
		mutex_unlock(&f->f_pos_lock);
	return n;
}

s64 vfs_lseek(struct file *f, s64 off, int whence)
{
	s64 r;

	if (!f->f_op || (f->f_flags & O_PATH))
		return -EBADF;
	if (S_ISFIFO(f->f_inode->i_mode) || S_ISSOCK(f->f_inode->i_mode))
		return -ESPIPE;
	mutex_lock(&f->f_pos_lock);
	r = f->f_op->llseek ? f->f_op->llseek(f, off, whence)
			    : vfs_generic_llseek(f, off, whence);
	if (r >= 0)
		f->f_pos = (u64)r;
	mutex_unlock(&f->f_pos_lock);
	return r;
}

/* getdents64 records: Linux's struct linux_dirent64, which no uapi header
 * exports: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, then the name,
 * NUL-terminated and padded to 8 bytes. */
#define DIRENT64_NAME_OFF 19
#define GETDENTS_PREFAULT (64u << 10)   /* bytes of the buffer used at most */

struct getdents_ctx {
	struct dir_context dc;
	struct vfs_buf buf;
	size_t len, used;
	int err;
	bool full;              /* an entry did not fit */
};

static bool getdents_emit(struct dir_context *dc, const char *name, size_t len,
			  u64 ino, unsigned dtype, u64 next_pos)
{
	struct getdents_ctx *g = container_of(dc, struct getdents_ctx, dc);
	u8 rec[DIRENT64_NAME_OFF + NAME_MAX + 1 + 8];
	size_t reclen = ALIGN_UP(DIRENT64_NAME_OFF + len + 1, 8);
	u16 reclen16 = (u16)reclen;
	s64 off = (s64)next_pos;

	if (g->used + reclen > g->len) {
		g->full = true;
		return false;
	}
	memset(rec, 0, reclen);
	memcpy(rec, &ino, 8);
	memcpy(rec + 8, &off, 8);
	memcpy(rec + 16, &reclen16, 2);
	rec[18] = (u8)dtype;
	memcpy(rec + DIRENT64_NAME_OFF, name, len);
	if (vfs_buf_to(g->buf, g->used, rec, reclen)) {
		g->err = -EFAULT;
		return false;
	}
	g->used += reclen;
	dc->pos = next_pos;
	return true;
}

ssize_t vfs_getdents(struct file *f, struct vfs_buf buf, size_t len)
{
	struct inode *inode = f->f_inode;
	struct getdents_ctx g = { .dc.emit = getdents_emit, .buf = buf, .len = len };
	int err;

	if (!f->f_op || (f->f_flags & O_PATH))
		return -EBADF;
	if (!f->f_op->readdir)
		return -ENOTDIR;
	/* A record is small: a bounded prefix of a huge buffer is enough
	 * for one call (fewer entries is what getdents may return). */
	g.len = vfs_buf_prefault(buf, MIN(len, (size_t)GETDENTS_PREFAULT), true);
	if (len && !g.len)
		return -EFAULT;
	mutex_lock(&f->f_pos_lock);
	mutex_lock(&inode->i_mutex);
	g.dc.pos = f->f_pos;
	err = inode->i_nlink ? f->f_op->readdir(f, &g.dc) : 0;
	f->f_pos = g.dc.pos;
	mutex_unlock(&inode->i_mutex);
	mutex_unlock(&f->f_pos_lock);
	if (g.used)
		return (ssize_t)g.used;
	if (g.err)
		return g.err;
	if (err)
		return err;
	/* Nothing fitted although entries remain: the buffer is too small. */
	return g.full ? -EINVAL : 0;
}

int vfs_fsync(struct file *f, bool datasync)
{
	if (!f->f_op || (f->f_flags & O_PATH))
		return -EBADF;
	return f->f_op->fsync ? f->f_op->fsync(f, datasync) : 0;
}

long vfs_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	if (!f->f_op || (f->f_flags & O_PATH))
		return -EBADF;
	return f->f_op->ioctl ? f->f_op->ioctl(f, cmd, arg) : -ENOTTY;
}

int vfs_ftruncate(struct file *f, u64 size)
{
	struct inode *inode = f->f_inode;
	struct vfs_attr attr = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME,
				 .size = size };
	int err;

	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if (f->f_flags & O_APPEND)
		return -EPERM;
	if (size > inode->i_sb->s_maxbytes || (s64)size < 0)
		return (s64)size < 0 ? -EINVAL : -EFBIG;
	if (!inode->i_op || !inode->i_op->setattr)
		return -EINVAL;
	attr.mtime = attr.ctime = vfs_now();
	mutex_lock(&inode->i_mutex);
	err = inode->i_op->setattr(inode, &attr);
	mutex_unlock(&inode->i_mutex);
	return err;
}
