/*
 * Pipes: a ring buffer between two open files, one for each end, on one
 * anonymous FIFO inode. Writes of up to PIPE_BUF bytes are atomic (they
 * wait for room for all of it); readers block while it is empty and there
 * are writers, writers while it is full and there are readers; a signal
 * ends the wait (-ERESTARTSYS, or what was copied so far). Without
 * readers a write fails with -EPIPE and the writer gets SIGPIPE.
 *
 * Locking: pipe->lock (a mutex: copies to user memory may fault and
 * sleep) protects the ring and the end counts.
 */
#include "kernel/proc/pipe.h"
#include "kernel/proc/poll.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/wait.h"
#include "vfs/vfs.h"
#include <linux/limits.h>

#define PIPE_SIZE (16 * 1024)

struct pipe {
	struct mutex lock;
	u8 *buf;
	size_t head;                    /* next byte to read */
	size_t count;                   /* bytes in the ring */
	u32 readers, writers;           /* open ends */
	struct wait_queue rd_wait;      /* readers waiting for data */
	struct wait_queue wr_wait;      /* writers waiting for room */
};

static bool pipe_readable(struct pipe *p)
{
	return READ_ONCE(p->count) || !READ_ONCE(p->writers);
}

static ssize_t pipe_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct pipe *p = f->private_data;
	size_t done = 0;

	if (!len)
		return 0;
	mutex_lock(&p->lock);
	while (!p->count) {
		int err;

		mutex_unlock(&p->lock);
		if (!READ_ONCE(p->writers))
			return 0;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = signal_wait_event(&p->rd_wait, pipe_readable(p));
		if (err)
			return err;
		mutex_lock(&p->lock);
		if (!p->count && !p->writers) {
			mutex_unlock(&p->lock);
			return 0;
		}
	}
	while (done < len && p->count) {
		size_t n = MIN(MIN(len - done, p->count), PIPE_SIZE - p->head);

		if (vfs_buf_to(buf, done, p->buf + p->head, n)) {
			mutex_unlock(&p->lock);
			return done ? (ssize_t)done : -EFAULT;
		}
		p->head = (p->head + n) % PIPE_SIZE;
		p->count -= n;
		done += n;
	}
	mutex_unlock(&p->lock);
	wake_up(&p->wr_wait);
	return (ssize_t)done;
}

static bool pipe_writable(struct pipe *p, size_t need)
{
	return PIPE_SIZE - READ_ONCE(p->count) >= need || !READ_ONCE(p->readers);
}

static ssize_t pipe_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	struct pipe *p = f->private_data;
	size_t done = 0;

	mutex_lock(&p->lock);
	while (done < len) {
		/* Up to PIPE_BUF goes in one piece. */
		size_t need = len - done <= PIPE_BUF ? len - done : 1;
		size_t room, n, tail;

		if (!p->readers) {
			mutex_unlock(&p->lock);
			signal_raise(SIGPIPE);
			return done ? (ssize_t)done : -EPIPE;
		}
		room = PIPE_SIZE - p->count;
		if (room < need) {
			mutex_unlock(&p->lock);
			wake_up(&p->rd_wait);
			if (f->f_flags & O_NONBLOCK)
				return done ? (ssize_t)done : -EAGAIN;
			if (signal_wait_event(&p->wr_wait, pipe_writable(p, need)))
				return done ? (ssize_t)done : -ERESTARTSYS;
			mutex_lock(&p->lock);
			continue;
		}
		tail = (p->head + p->count) % PIPE_SIZE;
		n = MIN(MIN(len - done, room), PIPE_SIZE - tail);
		if (vfs_buf_from(p->buf + tail, buf, done, n)) {
			mutex_unlock(&p->lock);
			wake_up(&p->rd_wait);
			return done ? (ssize_t)done : -EFAULT;
		}
		p->count += n;
		done += n;
	}
	mutex_unlock(&p->lock);
	wake_up(&p->rd_wait);
	return (ssize_t)done;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->private_data;
	unsigned mask = 0;

	if (f->f_mode & FMODE_READ) {
		poll_wait(pt, &p->rd_wait);
		if (READ_ONCE(p->count))
			mask |= POLLIN | POLLRDNORM;
		if (!READ_ONCE(p->writers))
			mask |= POLLHUP;
	}
	if (f->f_mode & FMODE_WRITE) {
		poll_wait(pt, &p->wr_wait);
		if (PIPE_SIZE - READ_ONCE(p->count) >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!READ_ONCE(p->readers))
			mask |= POLLERR;
	}
	return mask;
}

static void pipe_release(struct inode *inode, struct file *f)
{
	struct pipe *p = f->private_data;
	bool last;

	mutex_lock(&p->lock);
	if (f->f_mode & FMODE_READ)
		p->readers--;
	if (f->f_mode & FMODE_WRITE)
		p->writers--;
	last = !p->readers && !p->writers;
	/* Wake the other end before letting go of the lock: once it is
	 * free, the other end's release may be the last and free p. */
	if (!last) {
		wake_up(&p->rd_wait);
		wake_up(&p->wr_wait);
	}
	mutex_unlock(&p->lock);
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
}

static const struct file_operations pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_create(u32 flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kzalloc(sizeof(*p), GFP_KERNEL);
	struct inode *inode;
	int err = -ENOMEM;

	if (!p)
		return -ENOMEM;
	p->buf = kmalloc(PIPE_SIZE, GFP_KERNEL);
	if (!p->buf)
		goto out_free;
	mutex_init(&p->lock, "pipe");
	wait_queue_init(&p->rd_wait, "pipe_rd");
	wait_queue_init(&p->wr_wait, "pipe_wr");
	inode = vfs_anon_inode(S_IFIFO | 0600, &pipe_fops);
	if (IS_ERR(inode)) {
		err = (int)PTR_ERR(inode);
		goto out_free_buf;
	}
	ihold(inode);
	*rd = vfs_file_anon(inode, O_RDONLY | (flags & O_NONBLOCK), p);
	if (IS_ERR(*rd)) {
		err = (int)PTR_ERR(*rd);
		iput(inode);
		iput(inode);
		goto out_free_buf;
	}
	p->readers = 1;
	*wr = vfs_file_anon(inode, O_WRONLY | (flags & O_NONBLOCK), p);
	if (IS_ERR(*wr)) {
		err = (int)PTR_ERR(*wr);
		file_put(*rd);          /* frees p: no writer, no reader left */
		return err;
	}
	p->writers = 1;
	return 0;

out_free_buf:
	kfree(p->buf);
out_free:
	kfree(p);
	return err;
}
