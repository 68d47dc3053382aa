/* The device model (see device.h). */
#include "kernel/device/device.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/spinlock.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

static struct spinlock device_lock = SPINLOCK_INIT("device");
static struct list_node all_buses = LIST_INIT(all_buses);
/* Held by readers that keep device pointers (sysfs) and by device_del. */
static struct mutex device_read_mutex = MUTEX_INIT(device_read_mutex, "device_read");

void bus_register(struct bus_type *bus)
{
	unsigned long f;

	list_init(&bus->devices);
	list_init(&bus->drivers);
	f = spin_lock_irqsave(&device_lock);
	list_add_tail(&bus->node, &all_buses);
	spin_unlock_irqrestore(&device_lock, f);
}

struct bus_type *bus_next(struct bus_type *prev)
{
	struct list_node *n = prev ? prev->node.next : all_buses.next;

	return n == &all_buses ? NULL : list_entry(n, struct bus_type, node);
}

struct bus_type *bus_find(const char *name)
{
	for (struct bus_type *b = bus_next(NULL); b; b = bus_next(b))
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

/* Claim dev for a probe/remove: false if it is busy or in the wrong state. */
static bool device_claim(struct device *dev, bool want_bound)
{
	unsigned long f = spin_lock_irqsave(&device_lock);
	bool ok = !dev->busy && (dev->driver != NULL) == want_bound;

	if (ok)
		dev->busy = true;
	spin_unlock_irqrestore(&device_lock, f);
	return ok;
}

static void device_release_claim(struct device *dev, struct device_driver *drv)
{
	unsigned long f = spin_lock_irqsave(&device_lock);

	dev->driver = drv;
	dev->busy = false;
	spin_unlock_irqrestore(&device_lock, f);
}

int device_bind(struct device *dev, struct device_driver *drv)
{
	int err;

	if (drv->bus != dev->bus || !dev->bus->match(dev, drv))
		return -ENODEV;
	if (!device_claim(dev, false))
		return -EBUSY;
	/* probe() finds its driver in dev->driver; busy keeps others off. */
	dev->driver = drv;
	err = drv->probe(dev);
	if (err) {
		if (err != -ENODEV)
			pr_warn("%s %s: probe by %s failed (%d)\n", dev->bus->name,
				dev->name, drv->name, err);
		device_release_claim(dev, NULL);
		return err;
	}
	device_release_claim(dev, drv);
	return 0;
}

int device_unbind(struct device *dev)
{
	struct device_driver *drv;

	if (!device_claim(dev, true))
		return dev->driver ? -EBUSY : -ENODEV;
	drv = dev->driver;
	if (drv->remove)
		drv->remove(dev);
	dev->driver_data = NULL;
	device_release_claim(dev, NULL);
	return 0;
}

/* Try every driver of the bus on dev until one binds. */
static void device_attach(struct device *dev)
{
	struct device_driver *drv, *found = NULL;
	unsigned long f = spin_lock_irqsave(&device_lock);

	list_for_each_entry(drv, &dev->bus->drivers, node)
		if (dev->bus->match(dev, drv)) {
			found = drv;
			break;
		}
	spin_unlock_irqrestore(&device_lock, f);
	/* Drivers are never unregistered, so found stays valid; the first
	 * driver that matches gets the device. */
	if (found)
		device_bind(dev, found);
}

int device_add(struct device *dev)
{
	unsigned long f;

	if (!dev->bus)
		return -EINVAL;
	f = spin_lock_irqsave(&device_lock);
	list_add_tail(&dev->bus_node, &dev->bus->devices);
	spin_unlock_irqrestore(&device_lock, f);
	device_attach(dev);
	return 0;
}

void device_del(struct device *dev)
{
	unsigned long f;

	if (dev->driver)
		device_unbind(dev);
	mutex_lock(&device_read_mutex);
	f = spin_lock_irqsave(&device_lock);
	list_del(&dev->bus_node);
	spin_unlock_irqrestore(&device_lock, f);
	mutex_unlock(&device_read_mutex);
	if (dev->release)
		dev->release(dev);
}

int driver_register(struct device_driver *drv)
{
	struct device *dev, *tmp;
	unsigned long f;

	if (!drv->bus || !drv->probe)
		return -EINVAL;
	f = spin_lock_irqsave(&device_lock);
	list_add_tail(&drv->node, &drv->bus->drivers);
	spin_unlock_irqrestore(&device_lock, f);

	/* Devices are not removed during boot-time registration; the walk
	 * drops the lock around each probe and restarts from the next node,
	 * which stays on the list. */
	list_for_each_entry_safe(dev, tmp, &drv->bus->devices, bus_node)
		if (!dev->driver && drv->bus->match(dev, drv))
			device_bind(dev, drv);
	return 0;
}

struct device *bus_find_device(struct bus_type *bus, const char *name)
{
	struct device *dev, *found = NULL;
	unsigned long f = spin_lock_irqsave(&device_lock);

	list_for_each_entry(dev, &bus->devices, bus_node)
		if (!strcmp(dev->name, name)) {
			found = dev;
			break;
		}
	spin_unlock_irqrestore(&device_lock, f);
	return found;
}

struct device_driver *bus_find_driver(struct bus_type *bus, const char *name)
{
	struct device_driver *drv, *found = NULL;
	unsigned long f = spin_lock_irqsave(&device_lock);

	list_for_each_entry(drv, &bus->drivers, node)
		if (!strcmp(drv->name, name)) {
			found = drv;
			break;
		}
	spin_unlock_irqrestore(&device_lock, f);
	return found;
}

void device_read_lock(void)
{
	mutex_lock(&device_read_mutex);
}

void device_read_unlock(void)
{
	mutex_unlock(&device_read_mutex);
}

struct device *bus_next_device(struct bus_type *bus, struct device *prev)
{
	unsigned long f = spin_lock_irqsave(&device_lock);
	struct list_node *n = prev ? prev->bus_node.next : bus->devices.next;

	spin_unlock_irqrestore(&device_lock, f);
	return n == &bus->devices ? NULL : list_entry(n, struct device, bus_node);
}

struct device_driver *bus_next_driver(struct bus_type *bus,
				      struct device_driver *prev)
{
	unsigned long f = spin_lock_irqsave(&device_lock);
	struct list_node *n = prev ? prev->node.next : bus->drivers.next;

	spin_unlock_irqrestore(&device_lock, f);
	return n == &bus->drivers ? NULL : list_entry(n, struct device_driver, node);
}
