/*
 * /sys/devices: a directory per device, nested as the device model's
 * parents nest, holding its bus's attributes (bus->dev_attrs), "driver"
 * and "subsystem" links, its child devices, a PCI device's msi_irqs/ and
 * the disks a device provides (block/).
 */
#include "sysfs/internal.h"
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "pci/pci.h"

/* Attribute show() buffers: a page, as Linux's sysfs, and enough for the
 * 4 KiB PCI Express configuration space. */
#define SYSFS_ATTR_BUF 4096

static const struct pfs_ops dev_dir_ops;

struct device *sysfs_dev_get(const struct pfs_node *n)
{
	struct device *dev;

	device_read_lock();
	dev = bus_find_device((struct bus_type *)n->obj, n->key);
	if (!dev)
		device_read_unlock();
	return dev;
}

void sysfs_dev_put(void)
{
	device_read_unlock();
}

void sysfs_dev_node(struct device *dev, struct pfs_node *n)
{
	memset(n, 0, sizeof(*n));
	n->ops = &dev_dir_ops;
	n->mode = S_IFDIR | 0755;
	n->obj = dev->bus;
	strlcpy(n->key, dev->name, sizeof(n->key));
}

/* The directory under /sys/devices a parentless device hangs from: its
 * PCI host bridge's "pciSSSS:BB", or "platform" for other buses. */
static void dev_root_name(struct device *dev, char *buf, size_t size)
{
	if (dev->bus == &pci_bus) {
		struct pci_dev *p = to_pci_dev(dev);

		ksnprintf(buf, size, "pci%04x:%02x", p->segment, p->bus);
	} else {
		strlcpy(buf, "platform", size);
	}
}

/* Emit dev's ancestors first, then dev; returns the components. */
static u32 dev_path_rec(struct device *dev, struct pfs_buf *b)
{
	u32 depth;

	if (!dev->parent) {
		char root[24];

		dev_root_name(dev, root, sizeof(root));
		pfs_printf(b, "devices/%s/%s", root, dev->name);
		return 3;
	}
	depth = dev_path_rec(dev->parent, b);
	pfs_printf(b, "/%s", dev->name);
	return depth + 1;
}

u32 sysfs_dev_path(struct device *dev, struct pfs_buf *b)
{
	return dev_path_rec(dev, b);
}

void sysfs_up(struct pfs_buf *b, u32 depth)
{
	while (depth--)
		pfs_printf(b, "../");
}

/* ---- attributes ---------------------------------------------------------------- */

static int attr_show(const struct pfs_node *n, struct pfs_buf *b)
{
	const struct device_attr *a = n->obj2;
	struct device *dev = sysfs_dev_get(n);
	char *out;
	ssize_t len;

	if (!dev)
		return -ENOENT;
	out = pfs_reserve(b, SYSFS_ATTR_BUF);
	len = out ? a->show(dev, out, SYSFS_ATTR_BUF) : b->err;
	sysfs_dev_put();
	if (len < 0)
		return (int)len;
	pfs_commit(b, (size_t)len);
	return 0;
}

static ssize_t attr_store(const struct pfs_node *n, const char *buf, size_t len)
{
	const struct device_attr *a = n->obj2;
	struct device *dev = sysfs_dev_get(n);
	ssize_t ret;

	if (!dev)
		return -ENOENT;
	ret = a->store(dev, buf, len);
	sysfs_dev_put();
	return ret;
}

static const struct pfs_ops attr_ro_ops = { .show = attr_show };
static const struct pfs_ops attr_rw_ops = { .show = attr_show, .store = attr_store };

/* ---- links ----------------------------------------------------------------------- */

/* "driver" -> ../../bus/<bus>/drivers/<driver>, from the device's depth. */
static int driver_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct device *dev = sysfs_dev_get(n);
	struct pfs_buf path;
	u32 depth;
	int err = 0;

	if (!dev)
		return -ENOENT;
	pfs_buf_init(&path);
	depth = sysfs_dev_path(dev, &path);
	if (dev->driver) {
		sysfs_up(b, depth);
		pfs_printf(b, "bus/%s/drivers/%s", dev->bus->name, dev->driver->name);
	} else {
		err = -ENOENT;
	}
	sysfs_dev_put();
	pfs_buf_free(&path);
	return err;
}

static int subsystem_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct device *dev = sysfs_dev_get(n);
	struct pfs_buf path;

	if (!dev)
		return -ENOENT;
	pfs_buf_init(&path);
	sysfs_up(b, sysfs_dev_path(dev, &path));
	pfs_printf(b, "bus/%s", dev->bus->name);
	sysfs_dev_put();
	pfs_buf_free(&path);
	return 0;
}

static const struct pfs_ops driver_link_ops = { .show = driver_link_show };
static const struct pfs_ops subsystem_link_ops = { .show = subsystem_link_show };

/* ---- msi_irqs/ ------------------------------------------------------------------- */

struct msi_walk {
	struct pfs_lister *l;
	const struct pfs_node *dir;
	bool stop;
};

static int msi_file_show(const struct pfs_node *n, struct pfs_buf *b)
{
	pfs_printf(b, "%s\n", n->num ? "msix" : "msi");
	return 0;
}

static const struct pfs_ops msi_file_ops = { .show = msi_file_show };

static void msi_emit(int vector, unsigned entry, bool msix, void *arg)
{
	struct msi_walk *w = arg;
	struct pfs_node n = { .ops = &msi_file_ops, .mode = S_IFREG | 0444,
			      .num = msix };
	char name[8];

	(void)entry;
	if (w->stop)
		return;
	ksnprintf(name, sizeof(name), "%d", vector);
	w->stop = !pfs_emit(w->l, name, &n);
}

/* One file per vector the device's MSI/MSI-X messages carry. */
static int msi_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct device *dev = sysfs_dev_get(dir);
	struct msi_walk w = { .l = l, .dir = dir };

	if (!dev)
		return -ENOENT;
	pci_for_each_msi_vector(to_pci_dev(dev), msi_emit, &w);
	sysfs_dev_put();
	return 0;
}

static const struct pfs_ops msi_dir_ops = { .list = msi_dir_list };

/* ---- a device's directory ----------------------------------------------------------- */

static int dev_block_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct device *dev = sysfs_dev_get(dir);
	int err;

	if (!dev)
		return -ENOENT;
	err = sysfs_list_dev_disks(dev, l);
	sysfs_dev_put();
	return err;
}

static const struct pfs_ops dev_block_ops = { .list = dev_block_list };

/* Emit every device whose parent is parent (NULL: parentless devices
 * whose root directory is named root). Device read lock held. */
static bool list_children(struct pfs_lister *l, struct device *parent,
			  const char *root)
{
	for (struct bus_type *bus = bus_next(NULL); bus; bus = bus_next(bus)) {
		for (struct device *d = bus_next_device(bus, NULL); d;
		     d = bus_next_device(bus, d)) {
			struct pfs_node n;
			char name[24];

			if (d->parent != parent)
				continue;
			if (!parent) {
				dev_root_name(d, name, sizeof(name));
				if (strcmp(name, root))
					continue;
			}
			sysfs_dev_node(d, &n);
			if (!pfs_emit(l, d->name, &n))
				return false;
		}
	}
	return true;
}

static int dev_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct device *dev = sysfs_dev_get(dir);
	const struct device_attr *const *attrs;
	struct pfs_node n = { .obj = dir->obj };

	if (!dev)
		return -ENOENT;
	strlcpy(n.key, dir->key, sizeof(n.key));
	for (attrs = dev->bus->dev_attrs; attrs && *attrs; attrs++) {
		n.ops = (*attrs)->store ? &attr_rw_ops : &attr_ro_ops;
		n.mode = S_IFREG | ((*attrs)->store ? 0644 : 0444);
		n.obj2 = *attrs;
		if (!pfs_emit(l, (*attrs)->name, &n))
			goto out;
	}
	n.obj2 = NULL;
	n.mode = S_IFLNK | 0777;
	n.ops = &subsystem_link_ops;
	if (!pfs_emit(l, "subsystem", &n))
		goto out;
	n.ops = &driver_link_ops;
	if (dev->driver && !pfs_emit(l, "driver", &n))
		goto out;
	n.mode = S_IFDIR | 0755;
	n.ops = &msi_dir_ops;
	if (dev->bus == &pci_bus && !pfs_emit(l, "msi_irqs", &n))
		goto out;
	n.ops = &dev_block_ops;
	if (sysfs_dev_has_disks(dev) && !pfs_emit(l, "block", &n))
		goto out;
	list_children(l, dev, NULL);
out:
	sysfs_dev_put();
	return 0;
}

static const struct pfs_ops dev_dir_ops = { .list = dev_dir_list };

/* ---- /sys/devices ------------------------------------------------------------------- */

static int dev_root_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	device_read_lock();
	list_children(l, NULL, dir->key);
	device_read_unlock();
	return 0;
}

static const struct pfs_ops dev_root_ops = { .list = dev_root_list };

static int system_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const struct pfs_node cpu = { .ops = &sysfs_cpu_dir_ops,
					     .mode = S_IFDIR | 0755 };

	(void)dir;
	pfs_emit(l, "cpu", &cpu);
	return 0;
}

static const struct pfs_ops system_ops = { .list = system_list };

static int virtual_block_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	(void)dir;
	return sysfs_list_dev_disks(NULL, l);
}

static const struct pfs_ops virtual_block_ops = { .list = virtual_block_list };

static int virtual_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const struct pfs_node block = { .ops = &virtual_block_ops,
					       .mode = S_IFDIR | 0755 };

	(void)dir;
	pfs_emit(l, "block", &block);
	return 0;
}

static const struct pfs_ops virtual_ops = { .list = virtual_list };

/* The root directories: "system", "virtual" and one per distinct device
 * root. */
static int devices_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const struct pfs_node system = { .ops = &system_ops,
						.mode = S_IFDIR | 0755 };
	static const struct pfs_node virt = { .ops = &virtual_ops,
					      .mode = S_IFDIR | 0755 };
	int err = 0;

	(void)dir;
	if (!pfs_emit(l, "system", &system) || !pfs_emit(l, "virtual", &virt))
		return 0;
	device_read_lock();
	for (struct bus_type *bus = bus_next(NULL); bus; bus = bus_next(bus)) {
		for (struct device *d = bus_next_device(bus, NULL); d;
		     d = bus_next_device(bus, d)) {
			struct pfs_node n = { .ops = &dev_root_ops, .mode = S_IFDIR | 0755 };
			bool seen = false;

			if (d->parent)
				continue;
			dev_root_name(d, n.key, sizeof(n.key));
			/* Emit each root once: at its first device. */
			for (struct bus_type *b2 = bus_next(NULL); b2 && !seen; b2 = bus_next(b2)) {
				for (struct device *e = bus_next_device(b2, NULL); e && e != d;
				     e = bus_next_device(b2, e)) {
					char other[PFS_KEY_LEN];

					if (e->parent)
						continue;
					dev_root_name(e, other, sizeof(other));
					if (!strcmp(other, n.key)) {
						seen = true;
						break;
					}
				}
				if (b2 == bus)
					break;
			}
			if (!seen && !pfs_emit(l, n.key, &n))
				goto out;
		}
	}
out:
	device_read_unlock();
	return err;
}

const struct pfs_ops sysfs_devices_root_ops = { .list = devices_list };
