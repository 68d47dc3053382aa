/*
 * The memory devices of major 1, as Linux numbers them: null (3), zero
 * (5), full (7), random (8), urandom (9). random and urandom both read
 * the kernel's ChaCha20 pool (kernel/lib/random.c, fed by virtio-rng);
 * writes to them mix the bytes in without crediting entropy, as Linux's
 * do.
 */
#include "fs/devfs/devfs.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"

#define MEM_MAJOR 1
#define CHUNK 256

static ssize_t null_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return 0;
}

static ssize_t sink_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return (ssize_t)len;
}

static ssize_t zero_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	if (vfs_buf_zero(buf, 0, len))
		return -EFAULT;
	return (ssize_t)len;
}

static ssize_t full_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	u8 chunk[CHUNK];
	size_t done = 0, n;

	while (done < len) {
		n = len - done < CHUNK ? len - done : CHUNK;
		get_random_bytes(chunk, n);
		if (vfs_buf_to(buf, done, chunk, n))
			break;
		done += n;
	}
	memset(chunk, 0, sizeof(chunk));
	return done ? (ssize_t)done : -EFAULT;
}

static ssize_t random_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	u8 chunk[CHUNK];
	size_t done = 0, n;

	while (done < len) {
		n = len - done < CHUNK ? len - done : CHUNK;
		if (vfs_buf_from(chunk, buf, done, n))
			break;
		random_add_entropy(chunk, n, 0);
		done += n;
	}
	return done ? (ssize_t)done : -EFAULT;
}

/* Seeking these devices always lands at 0, as on Linux. */
static s64 mem_llseek(struct file *f, s64 off, int whence)
{
	return 0;
}

static const struct file_operations null_fops = {
	.read = null_read, .write = sink_write, .llseek = mem_llseek,
};
static const struct file_operations zero_fops = {
	.read = zero_read, .write = sink_write, .llseek = mem_llseek,
};
static const struct file_operations full_fops = {
	.read = zero_read, .write = full_write, .llseek = mem_llseek,
};
static const struct file_operations random_fops = {
	.read = random_read, .write = random_write, .llseek = mem_llseek,
};

int devfs_mem_init(void)
{
	int err = chrdev_register(MKDEV(MEM_MAJOR, 3), 1, "null", &null_fops);

	if (!err)
		err = chrdev_register(MKDEV(MEM_MAJOR, 5), 1, "zero", &zero_fops);
	if (!err)
		err = chrdev_register(MKDEV(MEM_MAJOR, 7), 1, "full", &full_fops);
	if (!err)
		err = chrdev_register(MKDEV(MEM_MAJOR, 8), 2, "random", &random_fops);
	return err;
}
