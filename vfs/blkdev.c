/*
 * Block device files: /dev/vda and friends opened as files. Reads and
 * writes at any byte offset go through an aligned bounce buffer in whole
 * logical blocks (a partial block is read, patched and written back).
 *
 * Each device gets a number when devfs first sees it: major 254 (where
 * Linux's virtio_blk usually lands), 16 minors per disk, in registration
 * order. blkdevs_lock (a spinlock) protects the list.
 */
#include "vfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include <linux/fs.h>           /* BLKGETSIZE64, BLKSSZGET, SEEK_* */

#define BLKDEV_MAJOR 254
#define BLKDEV_MINORS 16
#define BLKDEV_BOUNCE (64u << 10)

/*
 * A numbered device name. The list holds no reference on the device (a
 * driver must be able to unbind it); a name keeps its number for the
 * kernel's life, so a disk that is unbound and bound again under the same
 * name is the same node.
 */
struct blkdev {
	char name[BLOCK_NAME_LEN];
	dev_t dev;
	struct mutex rmw;               /* read-modify-write cycles */
	struct list_node node;
};

/* An open block device file. */
struct blkdev_file {
	struct blkdev *b;
	struct block_device *bd;        /* held while open */
};

static struct spinlock blkdevs_lock = SPINLOCK_INIT("blkdevs");
static struct list_node blkdevs = LIST_INIT(blkdevs);
static u32 blkdev_next_minor;

/* The entry for name, or NULL. blkdevs_lock held. */
static struct blkdev *blkdev_by_name(const char *name)
{
	struct blkdev *b;

	list_for_each_entry(b, &blkdevs, node)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

dev_t blkdev_add(struct block_device *bd)
{
	struct blkdev *b = kzalloc(sizeof(*b), GFP_KERNEL), *o;
	dev_t dev;

	if (!b)
		return 0;
	spin_lock(&blkdevs_lock);
	o = blkdev_by_name(bd->name);
	if (o) {
		dev = o->dev;
		spin_unlock(&blkdevs_lock);
		kfree(b);
		return dev;
	}
	strlcpy(b->name, bd->name, sizeof(b->name));
	b->dev = MKDEV(BLKDEV_MAJOR, blkdev_next_minor);
	blkdev_next_minor += BLKDEV_MINORS;
	mutex_init(&b->rmw, "blkdev_rmw");
	list_add_tail(&b->node, &blkdevs);
	dev = b->dev;
	spin_unlock(&blkdevs_lock);
	return dev;
}

static struct blkdev *blkdev_find(dev_t dev)
{
	struct blkdev *b, *found = NULL;

	spin_lock(&blkdevs_lock);
	list_for_each_entry(b, &blkdevs, node) {
		if (b->dev == dev) {
			found = b;
			break;
		}
	}
	spin_unlock(&blkdevs_lock);
	return found;
}

dev_t blkdev_devt(struct block_device *bd)
{
	struct blkdev *b;
	dev_t dev = 0;

	spin_lock(&blkdevs_lock);
	b = blkdev_by_name(bd->name);
	if (b)
		dev = b->dev;
	spin_unlock(&blkdevs_lock);
	return dev;
}

struct block_device *blkdev_get(dev_t dev)
{
	struct blkdev *b = blkdev_find(dev);

	return b ? block_get(b->name) : NULL;
}

static int blkdev_open(struct inode *inode, struct file *f)
{
	struct blkdev_file *bf;
	struct blkdev *b = blkdev_find(inode->i_rdev);

	if (!b)
		return -ENXIO;
	bf = kmalloc(sizeof(*bf), GFP_KERNEL);
	if (!bf)
		return -ENOMEM;
	bf->b = b;
	bf->bd = block_get(b->name);
	if (!bf->bd) {
		kfree(bf);
		return -ENXIO;
	}
	if ((f->f_mode & FMODE_WRITE) && bf->bd->read_only) {
		block_put(bf->bd);
		kfree(bf);
		return -EROFS;
	}
	f->private_data = bf;
	return 0;
}

static void blkdev_release(struct inode *inode, struct file *f)
{
	struct blkdev_file *bf = f->private_data;

	block_put(bf->bd);
	kfree(bf);
}

/* Move up to len bytes at *pos between buf and the device. */
static ssize_t blkdev_rw(struct file *f, struct vfs_buf buf, size_t len,
			 u64 *pos, bool write)
{
	struct blkdev_file *bf = f->private_data;
	struct blkdev *b = bf->b;
	struct block_device *bd = bf->bd;
	u64 size = block_size_bytes(bd), lbs = bd->logical_block_size;
	size_t chunk = BLKDEV_BOUNCE, done = 0;
	u8 *bounce;
	int err = 0;

	if (*pos >= size)
		return write ? -ENOSPC : 0;
	if (len > size - *pos)
		len = (size_t)(size - *pos);
	if (bd->max_bytes && bd->max_bytes < chunk)
		chunk = bd->max_bytes & ~(size_t)(lbs - 1);
	bounce = kmalloc(chunk, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	mutex_lock(&b->rmw);
	while (done < len) {
		u64 start = (*pos / lbs) * lbs;
		size_t skip = (size_t)(*pos - start);
		size_t span = ALIGN_UP(skip + (len - done), lbs);
		size_t n;

		if (span > chunk)
			span = chunk;
		n = span - skip;
		if (n > len - done)
			n = len - done;
		/* A whole-block write need not read first. */
		if (!write || skip || (n % lbs))
			err = block_rw(bd, BLK_OP_READ, start >> SECTOR_SHIFT, bounce, span);
		if (!err)
			err = write ? vfs_buf_from(bounce + skip, buf, done, n)
				    : vfs_buf_to(buf, done, bounce + skip, n);
		if (!err && write)
			err = block_rw(bd, BLK_OP_WRITE, start >> SECTOR_SHIFT, bounce, span);
		if (err)
			break;
		done += n;
		*pos += n;
	}
	mutex_unlock(&b->rmw);
	kfree(bounce);
	return done ? (ssize_t)done : err;
}

static ssize_t blkdev_read(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return blkdev_rw(f, buf, len, pos, false);
}

static ssize_t blkdev_write(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return blkdev_rw(f, buf, len, pos, true);
}

static s64 blkdev_llseek(struct file *f, s64 off, int whence)
{
	struct blkdev_file *bf = f->private_data;
	s64 base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (s64)f->f_pos;
		break;
	case SEEK_END:
		base = (s64)block_size_bytes(bf->bd);
		break;
	default:
		return -EINVAL;
	}
	return base + off < 0 ? -EINVAL : base + off;
}

static int blkdev_fsync(struct file *f, bool datasync)
{
	struct blkdev_file *bf = f->private_data;

	return bf->bd->has_flush ? block_flush(bf->bd) : 0;
}

static long blkdev_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct blkdev_file *bf = f->private_data;
	u64 size = block_size_bytes(bf->bd);
	int ssz = (int)bf->bd->logical_block_size;

	switch (cmd) {
	case BLKGETSIZE64:
		return vfs_buf_to(VFS_UBUF(arg), 0, &size, sizeof(size));
	case BLKSSZGET:
		return vfs_buf_to(VFS_UBUF(arg), 0, &ssz, sizeof(ssz));
	default:
		return -ENOTTY;
	}
}

const struct file_operations blkdev_fops = {
	.open = blkdev_open,
	.release = blkdev_release,
	.read = blkdev_read,
	.write = blkdev_write,
	.llseek = blkdev_llseek,
	.fsync = blkdev_fsync,
	.ioctl = blkdev_ioctl,
};
