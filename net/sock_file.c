/*
 * Sockets as open files: an anonymous S_IFSOCK inode whose file holds
 * the struct socket. read/write are recv/send without flags, poll
 * reports the socket's mask and sleeps on its wait queue, the last close
 * releases the socket (a TCP connection goes on closing by itself), and
 * ioctl answers FIONBIO and the interface requests of net/dev_ioctl.c.
 *
 * O_NONBLOCK lives in the file's f_flags, where fcntl(F_SETFL) changes
 * it; every call copies it into the socket before the socket layer looks
 * (sock_set_nonblock), so accept and connect see the current value too.
 */
#include "net/sock_file.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/poll.h"
#include "kernel/proc/signal.h"
#include "net/dev_ioctl.h"
#include <asm-generic/ioctls.h>
#include <linux/fcntl.h>

static const struct file_operations sock_fops;

struct socket *sock_from_file(struct file *f)
{
	if (f->f_op != &sock_fops)
		return ERR_PTR(-ENOTSOCK);
	sock_set_nonblock(f->private_data, f->f_flags & O_NONBLOCK);
	return f->private_data;
}

static ssize_t sock_file_rw(struct file *f, struct vfs_buf buf, size_t len, bool write)
{
	struct socket *so = sock_from_file(f);
	struct iovec iov = { .iov_base = buf.addr, .iov_len = len };
	struct sock_msg m = { .iov = &iov, .iovlen = 1, .user = buf.user };

	return write ? sock_sendmsg(so, &m, 0) : sock_recvmsg(so, &m, 0);
}

static ssize_t sock_file_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	(void)pos;
	return sock_file_rw(f, buf, len, false);
}

/* write(2) is send without flags: a broken stream raises SIGPIPE. */
static ssize_t sock_file_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	ssize_t n = sock_file_rw(f, buf, len, true);

	(void)pos;
	if (n == -EPIPE)
		signal_raise(SIGPIPE);
	return n;
}

static unsigned sock_file_poll(struct file *f, struct poll_table *pt)
{
	struct socket *so = f->private_data;

	/* Registered before the look: a wake-up in between is not lost. */
	poll_wait(pt, sock_waitq(so));
	return sock_poll(so);
}

static long sock_file_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	int v;

	switch (cmd) {
	case FIONBIO:
		if (copy_from_user(&v, (const void *)arg, sizeof(v)))
			return -EFAULT;
		vfs_set_flags(f, v ? f->f_flags | O_NONBLOCK : f->f_flags & ~O_NONBLOCK);
		return 0;
	default:
		return net_dev_ioctl(cmd, (void *)arg);
	}
}

static void sock_file_release(struct inode *inode, struct file *f)
{
	(void)inode;
	sock_release(f->private_data);
}

static const struct file_operations sock_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = sock_file_poll,
	.ioctl = sock_file_ioctl,
	.release = sock_file_release,
};

struct file *sock_file_create(struct socket *so, u32 flags)
{
	struct inode *inode = vfs_anon_inode(S_IFSOCK | 0777, &sock_fops);
	struct file *f;

	if (IS_ERR(inode))
		return ERR_PTR(PTR_ERR(inode));
	f = vfs_file_anon(inode, O_RDWR | (flags & O_NONBLOCK), so);
	if (IS_ERR(f))
		iput(inode);
	return f;
}
