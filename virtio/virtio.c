/*
 * The virtio bus and the device initialization sequence of virtio 1.2
 * §3.1.1, in the spec's order:
 *   1. reset  2. ACKNOWLEDGE  3. DRIVER  4. read features, write the subset
 *   we and the driver understand  5. FEATURES_OK  6. re-read: still set?
 *   7. device-specific setup (queues: the driver's probe)  8. DRIVER_OK.
 * On failure: FAILED. VIRTIO_F_VERSION_1 is required (no legacy devices).
 */
#include "virtio/virtio.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include <linux/virtio_ring.h>

static u32 virtio_next_index;   /* virtioN names; boot-time, no lock needed
				 * beyond the atomic increment */

static struct virtio_driver *to_virtio_driver(struct device_driver *d)
{
	return container_of(d, struct virtio_driver, driver);
}

static bool virtio_match(struct device *dev, struct device_driver *drv)
{
	struct virtio_device *vd = to_virtio_device(dev);

	for (const u32 *id = to_virtio_driver(drv)->ids; *id; id++)
		if (*id == vd->id)
			return true;
	return false;
}

static void virtio_add_status(struct virtio_device *vd, u8 bits)
{
	vd->t->set_status(vd, vd->t->get_status(vd) | bits);
}

static int virtio_negotiate(struct virtio_device *vd, struct virtio_driver *drv)
{
	/* The ring features every queue implements (virtqueue.c), whatever
	 * the driver: event-index suppression of kicks and interrupts. */
	u64 want = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_RING_F_EVENT_IDX;

	vd->device_features = vd->t->get_features(vd);
	for (unsigned i = 0; i < drv->nr_features; i++)
		want |= 1ULL << drv->features[i];
	if (!(vd->device_features & (1ULL << VIRTIO_F_VERSION_1))) {
		pr_err("%s: legacy device (no VIRTIO_F_VERSION_1); not supported\n",
		       vd->dev.name);
		return -ENODEV;
	}
	/* §2.2: accept only what both sides know. */
	vd->features = vd->device_features & want;
	vd->t->set_features(vd, vd->features);
	virtio_add_status(vd, VIRTIO_CONFIG_S_FEATURES_OK);
	/* §3.1.1 step 6: the device may refuse our subset. */
	if (!(vd->t->get_status(vd) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		pr_err("%s: device refused features %#lx\n", vd->dev.name,
		       (unsigned long)vd->features);
		return -ENODEV;
	}
	return 0;
}

static int virtio_probe(struct device *dev)
{
	struct virtio_device *vd = to_virtio_device(dev);
	struct virtio_driver *drv = to_virtio_driver(dev->driver);
	int err;

	err = vd->t->reset(vd);                              /* step 1 */
	if (err)
		return err;
	virtio_add_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);  /* step 2 */
	virtio_add_status(vd, VIRTIO_CONFIG_S_DRIVER);       /* step 3 */
	err = virtio_negotiate(vd, drv);                     /* steps 4-6 */
	if (err)
		goto out_failed;
	err = drv->probe(vd);                                /* step 7 */
	if (err)
		goto out_failed;
	if (!(vd->t->get_status(vd) & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_device_ready(vd);                     /* step 8 */
	return 0;

out_failed:
	virtio_add_status(vd, VIRTIO_CONFIG_S_FAILED);
	return err;
}

static void virtio_remove(struct device *dev)
{
	struct virtio_device *vd = to_virtio_device(dev);
	struct virtio_driver *drv = to_virtio_driver(dev->driver);

	if (drv->remove)
		drv->remove(vd);
	/* The driver reset the device and freed its queues; be sure. */
	vd->t->reset(vd);
	vd->t->del_vqs(vd);
}

/* The bus's sysfs attributes (attrs.c). */
extern const struct device_attr *const virtio_dev_attrs[];

struct bus_type virtio_bus = {
	.name = "virtio",
	.match = virtio_match,
	.dev_attrs = virtio_dev_attrs,
};

void virtio_init(void)
{
	bus_register(&virtio_bus);
}

int virtio_register_driver(struct virtio_driver *drv)
{
	drv->driver.bus = &virtio_bus;
	drv->driver.probe = virtio_probe;
	drv->driver.remove = virtio_remove;
	return driver_register(&drv->driver);
}

int virtio_add_device(struct virtio_device *vd)
{
	ksnprintf(vd->dev.name, sizeof(vd->dev.name), "virtio%u",
		  __atomic_fetch_add(&virtio_next_index, 1, __ATOMIC_RELAXED));
	vd->dev.bus = &virtio_bus;
	/* Until a driver binds, the device only knows we saw it. A device
	 * that cannot even reset is not added. */
	if (vd->t->reset(vd))
		return -EIO;
	virtio_add_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	return device_add(&vd->dev);
}

void virtio_del_device(struct virtio_device *vd)
{
	device_del(&vd->dev);
}

void virtio_device_ready(struct virtio_device *vd)
{
	virtio_add_status(vd, VIRTIO_CONFIG_S_DRIVER_OK);
}

void virtio_cread(struct virtio_device *vd, unsigned off, void *buf, unsigned len)
{
	u32 gen;

	do {
		gen = vd->t->config_generation(vd);
		vd->t->read_config(vd, off, buf, len);
	} while (gen != vd->t->config_generation(vd));
}
