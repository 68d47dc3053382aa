/*
 * /sys/bus: per bus, devices/ (links to the device directories) and
 * drivers/, where each driver lists links to its devices and takes device
 * names written to bind and unbind.
 *
 * Bind and unbind writes are serialised by sysfs_bind_mutex. That makes
 * them safe without device reference counts: the only code that deletes
 * devices after boot is a driver's remove() (virtio-pci's deletes its
 * virtio device), and remove() runs only from an unbind, so while one
 * write holds the mutex no other can delete the device it found.
 */
#include "sysfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/sched/mutex.h"

static struct mutex sysfs_bind_mutex = MUTEX_INIT(sysfs_bind_mutex, "sysfs_bind");

static struct bus_type *node_bus(const struct pfs_node *n)
{
	return (struct bus_type *)n->obj;
}

/* A bus is named by its node's key: buses are static and never go. */
static struct bus_type *bus_of(const struct pfs_node *n)
{
	return bus_find(n->key);
}

/* "bus/B/devices/D" -> "../../../devices/...", "bus/B/drivers/R/D" ->
 * "../../../../devices/...": num is how deep the link sits. */
static int dev_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct device *dev = sysfs_dev_get(n);

	if (!dev)
		return -ENOENT;
	sysfs_up(b, (u32)n->num);
	sysfs_dev_path(dev, b);
	sysfs_dev_put();
	return 0;
}

static const struct pfs_ops dev_link_ops = { .show = dev_link_show };

static int bus_devices_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct bus_type *bus = bus_of(dir);

	if (!bus)
		return -ENOENT;
	device_read_lock();
	for (struct device *d = bus_next_device(bus, NULL); d; d = bus_next_device(bus, d)) {
		struct pfs_node n = { .ops = &dev_link_ops, .mode = S_IFLNK | 0777,
				      .obj = bus, .num = 3 };

		strlcpy(n.key, d->name, sizeof(n.key));
		if (!pfs_emit(l, d->name, &n))
			break;
	}
	device_read_unlock();
	return 0;
}

static const struct pfs_ops bus_devices_ops = { .list = bus_devices_list };

/* ---- bind and unbind ---------------------------------------------------------------- */

/* The device named by a write (a trailing newline allowed). */
static struct device *written_device(struct bus_type *bus, const char *buf, size_t len)
{
	char name[sizeof(((struct device *)0)->name)];

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(name))
		return NULL;
	memcpy(name, buf, len);
	name[len] = 0;
	return bus_find_device(bus, name);
}

static ssize_t bind_store(const struct pfs_node *n, const char *buf, size_t len)
{
	struct bus_type *bus = node_bus(n);
	struct device_driver *drv = bus_find_driver(bus, n->key);
	struct device *dev;
	int err;

	if (!drv)
		return -ENOENT;
	mutex_lock(&sysfs_bind_mutex);
	dev = written_device(bus, buf, len);
	if (!dev)
		err = -ENODEV;
	else if (dev->driver)
		err = -EBUSY;
	else
		err = device_bind(dev, drv);
	mutex_unlock(&sysfs_bind_mutex);
	return err ? err : (ssize_t)len;
}

/*
 * Whether a disk of dev (or of a device below it) carries a mounted file
 * system. Unbinding then would wait in remove() for the mount to let go of
 * the disk, which it never does by itself: refuse with -EBUSY instead, as
 * umount(2) refuses a busy file system. Disks that are only open (a dd on
 * /dev/vdX) do not count: their I/O fails once the disk is gone, and
 * remove() waits until they close it.
 */
static bool dev_has_mounted_disk(struct device *dev)
{
	bool busy = false;

	for (struct block_device *bd = block_next(NULL), *next; bd; bd = next) {
		struct device *d = bd->dev;

		while (d && d != dev)
			d = d->parent;
		busy |= d && vfs_bdev_mounted(bd);
		next = block_next(bd);
		block_put(bd);
	}
	return busy;
}

static ssize_t unbind_store(const struct pfs_node *n, const char *buf, size_t len)
{
	struct bus_type *bus = node_bus(n);
	struct device_driver *drv = bus_find_driver(bus, n->key);
	struct device *dev;
	int err;

	if (!drv)
		return -ENOENT;
	mutex_lock(&sysfs_bind_mutex);
	dev = written_device(bus, buf, len);
	if (!dev || dev->driver != drv)
		err = -ENODEV;
	else if (dev_has_mounted_disk(dev))
		err = -EBUSY;
	else
		err = device_unbind(dev);
	mutex_unlock(&sysfs_bind_mutex);
	return err ? err : (ssize_t)len;
}

static const struct pfs_ops bind_ops = { .store = bind_store };
static const struct pfs_ops unbind_ops = { .store = unbind_store };

static int driver_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct bus_type *bus = node_bus(dir);
	struct device_driver *drv = bus_find_driver(bus, dir->key);
	struct pfs_node n = { .obj = bus, .mode = S_IFREG | 0200 };

	if (!drv)
		return -ENOENT;
	strlcpy(n.key, dir->key, sizeof(n.key));
	n.ops = &bind_ops;
	if (!pfs_emit(l, "bind", &n))
		return 0;
	n.ops = &unbind_ops;
	if (!pfs_emit(l, "unbind", &n))
		return 0;
	device_read_lock();
	for (struct device *d = bus_next_device(bus, NULL); d; d = bus_next_device(bus, d)) {
		struct pfs_node link = { .ops = &dev_link_ops, .mode = S_IFLNK | 0777,
					 .obj = bus, .num = 4 };

		if (d->driver != drv)
			continue;
		strlcpy(link.key, d->name, sizeof(link.key));
		if (!pfs_emit(l, d->name, &link))
			break;
	}
	device_read_unlock();
	return 0;
}

static const struct pfs_ops driver_dir_ops = { .list = driver_dir_list };

static int bus_drivers_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct bus_type *bus = bus_of(dir);

	if (!bus)
		return -ENOENT;
	for (struct device_driver *drv = bus_next_driver(bus, NULL); drv;
	     drv = bus_next_driver(bus, drv)) {
		struct pfs_node n = { .ops = &driver_dir_ops, .mode = S_IFDIR | 0755,
				      .obj = bus };

		strlcpy(n.key, drv->name, sizeof(n.key));
		if (!pfs_emit(l, drv->name, &n))
			break;
	}
	return 0;
}

static const struct pfs_ops bus_drivers_ops = { .list = bus_drivers_list };

static int bus_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct pfs_node n = { .mode = S_IFDIR | 0755 };

	strlcpy(n.key, dir->key, sizeof(n.key));
	n.ops = &bus_devices_ops;
	if (!pfs_emit(l, "devices", &n))
		return 0;
	n.ops = &bus_drivers_ops;
	pfs_emit(l, "drivers", &n);
	return 0;
}

static const struct pfs_ops bus_dir_ops = { .list = bus_dir_list };

static int bus_root_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	(void)dir;
	for (struct bus_type *bus = bus_next(NULL); bus; bus = bus_next(bus)) {
		struct pfs_node n = { .ops = &bus_dir_ops, .mode = S_IFDIR | 0755 };

		strlcpy(n.key, bus->name, sizeof(n.key));
		if (!pfs_emit(l, bus->name, &n))
			break;
	}
	return 0;
}

const struct pfs_ops sysfs_bus_root_ops = { .list = bus_root_list };
