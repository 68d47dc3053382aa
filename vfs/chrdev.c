/*
 * Character device numbers -> drivers. A device node's inode carries only
 * i_rdev; opening it looks the number up here and the file takes the
 * driver's operations (as Linux's chrdev_open does). Regions are few and
 * registered at boot; chrdev_lock (a spinlock) protects the list.
 */
#include "vfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kmalloc.h"

struct chrdev_region {
	dev_t base;
	u32 count;
	const char *name;
	const struct file_operations *fops;
	struct list_node node;
};

static struct spinlock chrdev_lock = SPINLOCK_INIT("chrdev");
static struct list_node chrdevs = LIST_INIT(chrdevs);

/* Device numbers of one major are contiguous in (major, minor) order. */
static u64 dev_key(dev_t d)
{
	return ((u64)MAJOR(d) << 32) | MINOR(d);
}

int chrdev_register(dev_t base, u32 count, const char *name,
		    const struct file_operations *fops)
{
	struct chrdev_region *r = kmalloc(sizeof(*r), GFP_KERNEL), *o;
	u64 lo = dev_key(base), hi = lo + count;

	if (!r)
		return -ENOMEM;
	r->base = base;
	r->count = count;
	r->name = name;
	r->fops = fops;
	spin_lock(&chrdev_lock);
	list_for_each_entry(o, &chrdevs, node) {
		u64 olo = dev_key(o->base), ohi = olo + o->count;

		if (lo < ohi && olo < hi) {
			spin_unlock(&chrdev_lock);
			kfree(r);
			return -EBUSY;
		}
	}
	list_add_tail(&r->node, &chrdevs);
	spin_unlock(&chrdev_lock);
	return 0;
}

const struct file_operations *chrdev_fops(dev_t dev)
{
	const struct file_operations *fops = NULL;
	struct chrdev_region *r;
	u64 k = dev_key(dev);

	spin_lock(&chrdev_lock);
	list_for_each_entry(r, &chrdevs, node) {
		if (k >= dev_key(r->base) && k < dev_key(r->base) + r->count) {
			fops = r->fops;
			break;
		}
	}
	spin_unlock(&chrdev_lock);
	return fops;
}
