/*
 * Block device files: /dev/vda and friends opened as files. There is no
 * page cache for them: every read and write goes to the device.
 *
 *  - Direct: a user buffer and file range aligned to the logical block
 *    size (what O_DIRECT asks for; used whether or not the flag is set)
 *    is transferred straight from or to the user's pages: one request per
 *    run of up to BLKDEV_SEGS pages, one segment per physically
 *    contiguous piece. The pages are looked up and kept in place under
 *    the process's mm->lock, held across the transfer (below).
 *  - Bounce: anything else (unaligned, kernel buffers) goes through a
 *    kernel buffer in whole logical blocks; a partial block is read,
 *    patched and written back.
 *
 * Reads take no lock of the device: concurrent readers each have their
 * own request in flight. Writes through the file are serialized by the
 * per-device rmw mutex, so the read-modify-write of a partial block
 * never interleaves with another write to that block (which its write
 * back would undo).
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
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmm.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/vm.h"
#include <linux/fs.h>           /* BLKGETSIZE64, BLKSSZGET, SEEK_* */

#define BLKDEV_MAJOR 254
#define BLKDEV_MINORS 16
#define BLKDEV_BOUNCE (128u << 10)      /* largest bounce buffer */
#define BLKDEV_SEGS 32                  /* pages per direct request (stack) */
#define BLKDEV_FAULT_TRIES 4            /* fault-ins per chunk before -EFAULT */

/*
 * A numbered device name. The list holds no reference on the device (a
 * driver must be able to unbind it); a name keeps its number for the
 * kernel's life, so a disk that is unbound and bound again under the same
 * name is the same node.
 */
struct blkdev {
	char name[BLOCK_NAME_LEN];
	dev_t dev;
	struct mutex rmw;               /* writes through the file */
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

/* ---- direct transfers from and to user pages ------------------------------------ */

/*
 * Why mm->lock: every change that could take a page away from under the
 * device -- munmap, mremap, a copy-on-write break, fork write-protecting
 * the page (after which a device write into it would show in the child)
 * -- changes the page tables, and mm (kernel/proc/vm.h) makes every such
 * change under mm->lock. So the physical pages looked up under it stay
 * the ones the process sees until it is dropped. The cost: the process's
 * other threads wait for the transfer to page-fault or map; another
 * process's transfer is not held up.
 */

/* What one direct request covers: up to BLKDEV_SEGS pages. */
struct blkdev_chunk {
	struct blk_seg segs[BLKDEV_SEGS];
	u32 nr_segs;
	size_t len;                     /* bytes covered */
	bool stopped;                   /* at a page that was not usable: */
	uintptr_t missing;              /* its address */
};

/*
 * Look up the pages of [ua, ua + len) in mm (mm->lock held) and describe
 * as much of it as one request can take (BLKDEV_SEGS pages, max_bytes,
 * the device's segment limits) in c. Every piece is a whole number of
 * logical blocks: ua, len and max_bytes are multiples of the block size,
 * which divides the page size (blkdev_can_direct). dev_writes: the device
 * writes the pages (a read), so they must be mapped writable, i.e.
 * private to this process or MAP_SHARED, never a copy-on-write page.
 * Stops early at the first page that is not mapped so (c->stopped).
 */
static void blkdev_lookup(struct mm *mm, const struct block_device *bd,
			  uintptr_t ua, size_t len, bool dev_writes,
			  struct blkdev_chunk *c)
{
	u32 seg_max = bd->max_segment_size ? bd->max_segment_size : ~0u;
	u32 nr_max = MIN((u32)BLKDEV_SEGS, bd->max_segments ? bd->max_segments : ~0u);
	size_t limit = bd->max_bytes ? MIN(len, (size_t)bd->max_bytes) : len;
	unsigned need = VM_USER | (dev_writes ? VM_WRITE : 0);

	c->nr_segs = 0;
	c->len = 0;
	c->stopped = false;
	for (u32 pages = 0; c->len < limit && pages < BLKDEV_SEGS; pages++) {
		uintptr_t va = ua + c->len;
		u32 n = (u32)MIN(limit - c->len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		struct blk_seg *last = c->nr_segs ? &c->segs[c->nr_segs - 1] : NULL;
		phys_addr_t pa;
		unsigned prot;

		if (vmm_query(mm->as, va, &pa, &prot) || (prot & need) != need) {
			c->stopped = true;
			c->missing = va;
			return;
		}
		if (last && last->phys + last->len == pa && last->len + n <= seg_max) {
			last->len += n;
		} else if (c->nr_segs < nr_max && n <= seg_max) {
			c->segs[c->nr_segs++] = (struct blk_seg){ pa, n };
		} else {
			return;
		}
		c->len += n;
	}
}

/*
 * Fault in the pages of [from, end) for the device's access, so that the
 * next lookup finds them. Returns the address of the first page that
 * cannot be made usable (end if all could) and its error in *err.
 */
static uintptr_t blkdev_fault_in(struct mm *mm, uintptr_t from, uintptr_t end,
				 bool dev_writes, int *err)
{
	*err = 0;
	for (uintptr_t va = ALIGN_DOWN(from, PAGE_SIZE); va < end; va += PAGE_SIZE) {
		*err = vm_fault(mm, va, dev_writes ? VM_WRITE : 0);
		if (*err)
			return MAX(va, from);
	}
	return end;
}

/* Transfer len bytes between the device at pos and user memory at ua
 * (both aligned to the logical block size). Returns the bytes moved, or
 * an error if none were: -EFAULT for memory the process may not use so. */
static ssize_t blkdev_direct(struct block_device *bd, uintptr_t ua, size_t len,
			     u64 pos, bool write)
{
	struct proc *p = current_proc();
	struct mm *mm = p ? p->mm : NULL;
	bool dev_writes = !write;
	size_t done = 0, stop = len;    /* stop: bytes before an unusable page */
	int tries = 0, err = 0;
	struct blkdev_chunk chunk, *c = &chunk;

	if (!mm || !access_ok((const void __user *)ua, len))
		return -EFAULT;
	while (done < stop) {
		mutex_lock(&mm->lock);
		blkdev_lookup(mm, bd, ua + done, stop - done, dev_writes, c);
		if (c->stopped) {
			uintptr_t bad;

			mutex_unlock(&mm->lock);
			if (++tries > BLKDEV_FAULT_TRIES) {
				err = -EFAULT;
				break;
			}
			/* Fault in the rest of what one request would cover
			 * and look again: a page may go again meanwhile
			 * (another thread's munmap), hence the bounded
			 * retries. */
			bad = blkdev_fault_in(mm, c->missing,
					      ua + done + MIN(stop - done,
							      (size_t)BLKDEV_SEGS * PAGE_SIZE),
					      dev_writes, &err);
			if (err) {
				/* Move what precedes the bad page, whole blocks. */
				stop = ALIGN_DOWN(bad - ua, (size_t)bd->logical_block_size);
				if (stop > done)
					err = 0;
			}
			continue;
		}
		tries = 0;
		err = block_rw_segs(bd, write ? BLK_OP_WRITE : BLK_OP_READ,
				    (pos + done) >> SECTOR_SHIFT, c->segs, c->nr_segs, c->len);
		mutex_unlock(&mm->lock);
		if (err)
			break;
		done += c->len;
	}
	if (!err && done < len)
		err = -EFAULT;
	return done ? (ssize_t)done : err;
}

/* ---- reads and writes ------------------------------------------------------------ */

/* Can [buf, buf + len) at pos go to the device directly? */
static bool blkdev_can_direct(const struct block_device *bd, struct vfs_buf buf,
			      size_t len, u64 pos)
{
	u32 lbs = bd->logical_block_size;

	return buf.user && lbs <= PAGE_SIZE &&
	       (!bd->max_segment_size || bd->max_segment_size >= PAGE_SIZE) &&
	       !(pos % lbs) && !(len % lbs) && !((uintptr_t)buf.addr % lbs);
}

/* Move up to len bytes at *pos between buf and the device through a
 * bounce buffer. A write holds b->rmw. */
static ssize_t blkdev_bounce(struct blkdev_file *bf, struct vfs_buf buf,
			     size_t len, u64 *pos, bool write)
{
	struct block_device *bd = bf->bd;
	u64 lbs = bd->logical_block_size;
	size_t chunk = BLKDEV_BOUNCE, done = 0;
	u8 *bounce;
	int err = 0;

	if (bd->max_bytes && bd->max_bytes < chunk)
		chunk = bd->max_bytes & ~(size_t)(lbs - 1);
	/* No bigger than this transfer needs. */
	chunk = MIN(chunk, (size_t)ALIGN_UP(*pos % lbs + len, lbs));
	bounce = kmalloc(chunk, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
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
	kfree(bounce);
	return done ? (ssize_t)done : err;
}

/* Move up to len bytes at *pos between buf and the device. */
static ssize_t blkdev_rw(struct file *f, struct vfs_buf buf, size_t len,
			 u64 *pos, bool write)
{
	struct blkdev_file *bf = f->private_data;
	struct block_device *bd = bf->bd;
	u64 size = block_size_bytes(bd);
	ssize_t ret;

	if (*pos >= size)
		return write ? -ENOSPC : 0;
	if (len > size - *pos)
		len = (size_t)(size - *pos);
	if (!len)
		return 0;
	if (write)
		mutex_lock(&bf->b->rmw);
	if (blkdev_can_direct(bd, buf, len, *pos)) {
		ret = blkdev_direct(bd, (uintptr_t)buf.addr, len, *pos, write);
		if (ret > 0)
			*pos += (u64)ret;
	} else {
		ret = blkdev_bounce(bf, buf, len, pos, write);
	}
	if (write)
		mutex_unlock(&bf->b->rmw);
	return ret;
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
