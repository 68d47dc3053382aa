/*
 * The device model: devices on buses, drivers with match tables, and
 * match -> probe -> remove. Every device has a name, a parent and a list
 * of attributes, so sysfs can be generated from it without a second list.
 *
 * Locking: device_lock (a spinlock) protects the bus lists and the
 * device/driver links. probe() and remove() run without it, with the
 * device marked busy, because they may sleep (a virtio-blk probe does I/O).
 */
#ifndef VIREO_DEVICE_DEVICE_H
#define VIREO_DEVICE_DEVICE_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"

struct device;
struct device_driver;

/* A read-only or read-write attribute (a sysfs file). show() formats into
 * buf (size bytes) and returns the length or a negative errno; store()
 * parses and returns bytes consumed or a negative errno. */
struct device_attr {
	const char *name;
	ssize_t (*show)(struct device *dev, char *buf, size_t size);
	ssize_t (*store)(struct device *dev, const char *buf, size_t len);
};

struct bus_type {
	const char *name;                       /* "pci", "virtio" */
	bool (*match)(struct device *dev, struct device_driver *drv);
	const struct device_attr *const *dev_attrs;  /* NULL-terminated */
	struct list_node devices;               /* device_lock */
	struct list_node drivers;               /* device_lock */
	struct list_node node;                  /* all buses */
};

struct device_driver {
	const char *name;
	struct bus_type *bus;
	/* Called with dev->driver already pointing at this driver. */
	int (*probe)(struct device *dev);
	void (*remove)(struct device *dev);
	struct list_node node;                  /* bus->drivers */
};

struct device {
	char name[32];                          /* "0000:00:03.0", "virtio0" */
	struct device *parent;
	struct bus_type *bus;
	struct device_driver *driver;           /* NULL while unbound */
	void *driver_data;
	bool busy;                              /* in probe/remove */
	struct list_node bus_node;              /* bus->devices */
	void (*release)(struct device *dev);    /* frees the container */
};

/* Buses are static objects, registered once. */
void bus_register(struct bus_type *bus);
struct bus_type *bus_find(const char *name);
/* First bus after prev (NULL: the first); for sysfs walks. */
struct bus_type *bus_next(struct bus_type *prev);

/* Add a device to its bus and try to bind a driver. */
int device_add(struct device *dev);
/* Unbind, take off the bus, release. */
void device_del(struct device *dev);

/* Register a driver and bind it to every matching unbound device. */
int driver_register(struct device_driver *drv);

/* Explicit bind/unbind (sysfs bind and unbind files). */
int device_bind(struct device *dev, struct device_driver *drv);
int device_unbind(struct device *dev);

struct device *bus_find_device(struct bus_type *bus, const char *name);
struct device_driver *bus_find_driver(struct bus_type *bus, const char *name);

/*
 * For sysfs, which finds devices by name every time it touches one:
 * device_del() takes the device read lock (a sleeping mutex) around taking
 * a device off its bus, so between device_read_lock() and the unlock a
 * device found on a bus stays valid. Never hold it across a bind or
 * unbind (their remove() may delete devices).
 */
void device_read_lock(void);
void device_read_unlock(void);
/* Device after prev on bus (NULL: the first), with the read lock held. */
struct device *bus_next_device(struct bus_type *bus, struct device *prev);
/* Driver after prev on bus (NULL: the first); drivers stay registered. */
struct device_driver *bus_next_driver(struct bus_type *bus,
				      struct device_driver *prev);

#endif
