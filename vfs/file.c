/*
 * Open file descriptions: allocation, reference counting, release; and
 * the vfs_buf helpers that let one read/write path serve kernel and user
 * buffers alike.
 */
#include "vfs/internal.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmm.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/vm.h"

int vfs_buf_to(struct vfs_buf b, size_t off, const void *src, size_t n)
{
	if (b.user)
		return copy_to_user((char *)b.addr + off, src, n);
	memcpy((char *)b.addr + off, src, n);
	return 0;
}

int vfs_buf_from(void *dst, struct vfs_buf b, size_t off, size_t n)
{
	if (b.user)
		return copy_from_user(dst, (const char *)b.addr + off, n);
	memcpy(dst, (const char *)b.addr + off, n);
	return 0;
}

int vfs_buf_zero(struct vfs_buf b, size_t off, size_t n)
{
	if (b.user)
		return clear_user((char *)b.addr + off, n);
	memset((char *)b.addr + off, 0, n);
	return 0;
}

size_t vfs_buf_prefault(struct vfs_buf b, size_t len, bool write)
{
	struct proc *p = current_proc();

	if (!b.user || !len || !p || !p->mm)
		return len;
	return vm_prefault(p->mm, (uintptr_t)b.addr, len, write ? VM_WRITE : 0);
}

static u32 flags_to_fmode(u32 flags)
{
	if (flags & O_PATH)
		return 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return FMODE_READ;
	case O_WRONLY:
		return FMODE_WRITE;
	default:
		return FMODE_READ | FMODE_WRITE;
	}
}

/* Flags an open file description remembers (the rest act at open only). */
#define FILE_KEPT_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | \
			 O_DIRECT | O_NOATIME | O_LARGEFILE | O_DIRECTORY | \
			 O_NOFOLLOW | O_PATH | FASYNC)

struct file *file_alloc(const struct path *p, struct inode *inode, u32 flags)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return NULL;
	atomic_set(&f->f_count, 1);
	f->f_mode = flags_to_fmode(flags);
	f->f_flags = flags & FILE_KEPT_FLAGS;
	f->f_lock = (struct spinlock)SPINLOCK_INIT("file");
	mutex_init(&f->f_pos_lock, "f_pos_lock");
	if (p) {
		f->f_path = *p;
		path_get(&f->f_path);
	}
	f->f_inode = inode;
	ihold(inode);
	f->f_op = inode->i_fop;
	return f;
}

struct file *vfs_file_anon(struct inode *inode, u32 flags, void *private_data)
{
	struct file *f = file_alloc(NULL, inode, flags);

	if (!f)
		return ERR_PTR(-ENOMEM);
	f->private_data = private_data;
	iput(inode);            /* file_alloc took its own */
	return f;
}

struct file *file_get(struct file *f)
{
	atomic_inc(&f->f_count);
	return f;
}

void file_put(struct file *f)
{
	if (!atomic_dec_and_test(&f->f_count))
		return;
	if (f->f_op && f->f_op->release && !(f->f_flags & O_PATH))
		f->f_op->release(f->f_inode, f);
	iput(f->f_inode);
	path_put(&f->f_path);
	kfree(f);
}

void vfs_set_flags(struct file *f, u32 flags)
{
	const u32 settable = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;

	spin_lock(&f->f_lock);
	f->f_flags = (f->f_flags & ~settable) | (flags & settable);
	spin_unlock(&f->f_lock);
}
