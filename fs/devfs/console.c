/*
 * /dev/console and /dev/tty (5:1 and 5:0) until the TTY layer exists:
 * writes go to the kernel consoles, reads take what the serial line
 * received, sleeping until at least one byte is there (-EAGAIN with
 * O_NONBLOCK). No line discipline, no termios: ioctls are -ENOTTY.
 */
#include "fs/devfs/devfs.h"
#include "kernel/console/console.h"
#include "kernel/lib/errno.h"
#include "kernel/sched/wait.h"

#define TTY_MAJOR 5
#define CHUNK 256

static struct wait_queue console_wq = WAIT_QUEUE_INIT(console_wq, "console_rx");

static void console_rx_wake(void *ctx)
{
	wake_up(&console_wq);
}

static ssize_t console_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	char chunk[CHUNK];
	size_t n = 0;

	if (!len)
		return 0;
	if (len > CHUNK)
		len = CHUNK;
	/* Set each time: serial_rx has one hook, and tests borrow it. */
	serial_rx_set_hook(console_rx_wake, NULL);
	if (READ_ONCE(f->f_flags) & O_NONBLOCK) {
		n = serial_rx_read(chunk, len);
		if (!n)
			return -EAGAIN;
	} else {
		wait_event(&console_wq, (n = serial_rx_read(chunk, len)) > 0);
	}
	if (vfs_buf_to(buf, 0, chunk, n))
		return -EFAULT;
	return (ssize_t)n;
}

static ssize_t console_fwrite(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	char chunk[CHUNK];
	size_t done = 0, n;

	while (done < len) {
		n = len - done < CHUNK ? len - done : CHUNK;
		if (vfs_buf_from(chunk, buf, done, n))
			break;
		console_write(chunk, n);
		done += n;
	}
	return done ? (ssize_t)done : -EFAULT;
}

static const struct file_operations console_fops = {
	.read = console_read,
	.write = console_fwrite,
};

int devfs_console_init(void)
{
	return chrdev_register(MKDEV(TTY_MAJOR, 0), 2, "console", &console_fops);
}
