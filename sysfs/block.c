/*
 * Disks: devices/.../<dev>/block/vdX/ with size, ro, stat, dev, serial,
 * queue/ and the "device" link, and the /sys/block and /sys/class/block
 * links to them, generated from the block registry.
 *
 * Every use takes a block_get reference by name. Holding one also keeps
 * bd->dev alive: a driver unregisters its disk and waits for the last
 * reference (block_wait_unused) before its device can be deleted.
 */
#include "sysfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

static const struct pfs_ops block_dir_ops;

void sysfs_block_node(const struct block_device *bd, struct pfs_node *n)
{
	memset(n, 0, sizeof(*n));
	n->ops = &block_dir_ops;
	n->mode = S_IFDIR | 0755;
	strlcpy(n->key, bd->name, sizeof(n->key));
}

int sysfs_list_dev_disks(struct device *dev, struct pfs_lister *l)
{
	bool more = true;

	for (struct block_device *bd = block_next(NULL), *next; bd; bd = next) {
		struct pfs_node n;

		if (more && bd->dev == dev) {
			sysfs_block_node(bd, &n);
			more = pfs_emit(l, bd->name, &n);
		}
		next = block_next(bd);
		block_put(bd);
	}
	return 0;
}

bool sysfs_dev_has_disks(struct device *dev)
{
	bool found = false;

	for (struct block_device *bd = block_next(NULL), *next; bd; bd = next) {
		found |= bd->dev == dev;
		next = block_next(bd);
		block_put(bd);
	}
	return found;
}

/* The path from /sys of bd's directory; its component count. A disk
 * without a device (a memory-backed test disk) sits in devices/virtual,
 * as Linux's loop and ram disks do. */
static u32 block_path(struct block_device *bd, struct pfs_buf *b)
{
	u32 depth = bd->dev ? sysfs_dev_path(bd->dev, b) : 2;

	if (!bd->dev)
		pfs_printf(b, "devices/virtual");
	pfs_printf(b, "/block/%s", bd->name);
	return depth + 2;
}

/* ---- files ------------------------------------------------------------------------- */

enum block_attr {
	BA_SIZE, BA_RO, BA_STAT, BA_DEV, BA_REMOVABLE, BA_SERIAL,
	BQ_LOGICAL, BQ_PHYSICAL, BQ_HW_SECTOR, BQ_NR_REQUESTS, BQ_MAX_SEGMENTS,
	BQ_ROTATIONAL, BQ_WRITE_CACHE,
};

static void block_stat(struct block_device *bd, struct pfs_buf *b)
{
	struct block_stats s;
	unsigned long f = spin_lock_irqsave(&bd->lock);

	s = bd->stats;
	spin_unlock_irqrestore(&bd->lock, f);
	/* Documentation/block/stat.rst: reads (ios merges sectors ms), writes
	 * (same), in_flight, io_ticks, time_in_queue, discards (4 fields),
	 * flushes (ios ms). Vireo merges no requests, takes no discards and
	 * does not track busy time (io_ticks) or flush time. */
	pfs_printf(b, "%8llu %8u %8llu %8llu %8llu %8u %8llu %8llu %8u %8u %8llu "
		   "%8u %8u %8u %8u %8llu %8u\n",
		   (unsigned long long)s.ios[0], 0, (unsigned long long)s.sectors[0],
		   (unsigned long long)(s.ticks_ns[0] / 1000000u),
		   (unsigned long long)s.ios[1], 0, (unsigned long long)s.sectors[1],
		   (unsigned long long)(s.ticks_ns[1] / 1000000u), s.in_flight, 0,
		   (unsigned long long)((s.ticks_ns[0] + s.ticks_ns[1]) / 1000000u),
		   0, 0, 0, 0, (unsigned long long)s.flushes, 0);
}

static int block_attr_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct block_device *bd = block_get(n->key);
	dev_t dev;

	if (!bd)
		return -ENOENT;
	switch ((enum block_attr)n->num) {
	case BA_SIZE:
		pfs_printf(b, "%llu\n", (unsigned long long)bd->nr_sectors);
		break;
	case BA_RO:
		pfs_printf(b, "%d\n", bd->read_only);
		break;
	case BA_STAT:
		block_stat(bd, b);
		break;
	case BA_DEV:
		dev = blkdev_devt(bd);
		pfs_printf(b, "%u:%u\n", MAJOR(dev), MINOR(dev));
		break;
	case BA_REMOVABLE:
		pfs_printf(b, "0\n");
		break;
	case BA_SERIAL:
		pfs_printf(b, "%s\n", bd->serial);
		break;
	case BQ_LOGICAL:
	case BQ_HW_SECTOR:
		pfs_printf(b, "%u\n", bd->logical_block_size);
		break;
	case BQ_PHYSICAL:
		pfs_printf(b, "%u\n", bd->physical_block_size);
		break;
	case BQ_NR_REQUESTS:
		pfs_printf(b, "%u\n", bd->queue_depth);
		break;
	case BQ_MAX_SEGMENTS:
		pfs_printf(b, "%u\n", bd->max_segments);
		break;
	case BQ_ROTATIONAL:
		pfs_printf(b, "0\n");
		break;
	case BQ_WRITE_CACHE:
		pfs_printf(b, "%s\n", bd->has_flush ? "write back" : "write through");
		break;
	}
	block_put(bd);
	return 0;
}

static const struct pfs_ops block_attr_ops = { .show = block_attr_show };

static const struct {
	const char *name;
	enum block_attr attr;
} block_files[] = {
	{ "dev", BA_DEV }, { "removable", BA_REMOVABLE }, { "ro", BA_RO },
	{ "serial", BA_SERIAL }, { "size", BA_SIZE }, { "stat", BA_STAT },
}, queue_files[] = {
	{ "hw_sector_size", BQ_HW_SECTOR }, { "logical_block_size", BQ_LOGICAL },
	{ "max_segments", BQ_MAX_SEGMENTS }, { "nr_requests", BQ_NR_REQUESTS },
	{ "physical_block_size", BQ_PHYSICAL }, { "rotational", BQ_ROTATIONAL },
	{ "write_cache", BQ_WRITE_CACHE },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int queue_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct block_device *bd = block_get(dir->key);
	struct pfs_node n = { .ops = &block_attr_ops, .mode = S_IFREG | 0444 };

	if (!bd)
		return -ENOENT;
	block_put(bd);
	strlcpy(n.key, dir->key, sizeof(n.key));
	for (size_t i = 0; i < ARRAY_LEN(queue_files); i++) {
		n.num = queue_files[i].attr;
		if (!pfs_emit(l, queue_files[i].name, &n))
			break;
	}
	return 0;
}

static const struct pfs_ops queue_ops = { .list = queue_list };

/* "device" -> ../../../<dev>: from block/vdX back to the device. */
static int block_device_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct block_device *bd = block_get(n->key);

	if (!bd)
		return -ENOENT;
	if (bd->dev)
		pfs_printf(b, "../../../%s", bd->dev->name);
	block_put(bd);
	return bd->dev ? 0 : -ENOENT;
}

/* "subsystem" -> .../class/block */
static int block_subsystem_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct block_device *bd = block_get(n->key);
	struct pfs_buf path;

	if (!bd)
		return -ENOENT;
	pfs_buf_init(&path);
	sysfs_up(b, block_path(bd, &path));
	pfs_printf(b, "class/block");
	pfs_buf_free(&path);
	block_put(bd);
	return 0;
}

static const struct pfs_ops block_device_link_ops = { .show = block_device_link_show };
static const struct pfs_ops block_subsystem_link_ops = { .show = block_subsystem_link_show };

static int block_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct block_device *bd = block_get(dir->key);
	struct pfs_node n = { .ops = &block_attr_ops, .mode = S_IFREG | 0444 };

	if (!bd)
		return -ENOENT;
	block_put(bd);
	strlcpy(n.key, dir->key, sizeof(n.key));
	for (size_t i = 0; i < ARRAY_LEN(block_files); i++) {
		n.num = block_files[i].attr;
		if (!pfs_emit(l, block_files[i].name, &n))
			return 0;
	}
	n.num = 0;
	n.ops = &queue_ops;
	n.mode = S_IFDIR | 0755;
	if (!pfs_emit(l, "queue", &n))
		return 0;
	n.mode = S_IFLNK | 0777;
	n.ops = &block_device_link_ops;
	if (bd->dev && !pfs_emit(l, "device", &n))
		return 0;
	n.ops = &block_subsystem_link_ops;
	pfs_emit(l, "subsystem", &n);
	return 0;
}

static const struct pfs_ops block_dir_ops = { .list = block_dir_list };

/* ---- /sys/block and /sys/class/block ------------------------------------------------ */

/* A link from a directory num levels below /sys to the disk's directory. */
static int block_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct block_device *bd = block_get(n->key);

	if (!bd)
		return -ENOENT;
	sysfs_up(b, (u32)n->num);
	block_path(bd, b);
	block_put(bd);
	return 0;
}

static const struct pfs_ops block_link_ops = { .show = block_link_show };

static int block_links_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	bool more = true;

	for (struct block_device *bd = block_next(NULL), *next; bd; bd = next) {
		struct pfs_node n = { .ops = &block_link_ops, .mode = S_IFLNK | 0777,
				      .num = dir->num };

		if (more) {
			strlcpy(n.key, bd->name, sizeof(n.key));
			more = pfs_emit(l, bd->name, &n);
		}
		next = block_next(bd);
		block_put(bd);
	}
	return 0;
}

const struct pfs_ops sysfs_block_links_ops = { .list = block_links_list };
