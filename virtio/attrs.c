/*
 * The virtio bus's device attributes: /sys/bus/virtio/devices/virtioN/ in
 * Linux's formats (drivers/virtio/virtio.c there): device and vendor ids,
 * the device status byte, and the negotiated features as a string of 0/1
 * per bit, bit 0 first.
 */
#include "virtio/virtio.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"

#define VIRTIO_FEATURE_BITS 64

static ssize_t virtio_attr_fmt(char *buf, size_t size, const char *fmt, u32 v)
{
	int n = ksnprintf(buf, size, fmt, v);

	return n < (int)size ? n : -EFBIG;
}

static ssize_t virtio_device_show(struct device *dev, char *buf, size_t size)
{
	return virtio_attr_fmt(buf, size, "0x%04x\n", to_virtio_device(dev)->id);
}

static ssize_t virtio_vendor_show(struct device *dev, char *buf, size_t size)
{
	return virtio_attr_fmt(buf, size, "0x%04x\n", to_virtio_device(dev)->vendor);
}

static ssize_t virtio_status_show(struct device *dev, char *buf, size_t size)
{
	struct virtio_device *vd = to_virtio_device(dev);

	return virtio_attr_fmt(buf, size, "0x%08x\n", vd->t->get_status(vd));
}

static ssize_t virtio_features_show(struct device *dev, char *buf, size_t size)
{
	u64 f = to_virtio_device(dev)->features;

	if (size < VIRTIO_FEATURE_BITS + 2)
		return -EFBIG;
	for (unsigned i = 0; i < VIRTIO_FEATURE_BITS; i++)
		buf[i] = (f >> i) & 1 ? '1' : '0';
	buf[VIRTIO_FEATURE_BITS] = '\n';
	buf[VIRTIO_FEATURE_BITS + 1] = 0;
	return VIRTIO_FEATURE_BITS + 1;
}

static ssize_t virtio_modalias_show(struct device *dev, char *buf, size_t size)
{
	struct virtio_device *vd = to_virtio_device(dev);
	int n = ksnprintf(buf, size, "virtio:d%08Xv%08X\n", vd->id, vd->vendor);

	return n < (int)size ? n : -EFBIG;
}

static ssize_t virtio_uevent_show(struct device *dev, char *buf, size_t size)
{
	struct virtio_device *vd = to_virtio_device(dev);
	int n = 0;

	if (dev->driver)
		n = ksnprintf(buf, size, "DRIVER=%s\n", dev->driver->name);
	if (n < (int)size)
		n += ksnprintf(buf + n, size - (size_t)n,
			       "MODALIAS=virtio:d%08Xv%08X\n", vd->id, vd->vendor);
	return n < (int)size ? n : -EFBIG;
}

#define VIRTIO_ATTR_RO(n, fn) \
	static const struct device_attr virtio_attr_##n = { #n, fn, NULL }

VIRTIO_ATTR_RO(device, virtio_device_show);
VIRTIO_ATTR_RO(vendor, virtio_vendor_show);
VIRTIO_ATTR_RO(status, virtio_status_show);
VIRTIO_ATTR_RO(features, virtio_features_show);
VIRTIO_ATTR_RO(modalias, virtio_modalias_show);
VIRTIO_ATTR_RO(uevent, virtio_uevent_show);

const struct device_attr *const virtio_dev_attrs[] = {
	&virtio_attr_device, &virtio_attr_vendor, &virtio_attr_status,
	&virtio_attr_features, &virtio_attr_modalias, &virtio_attr_uevent, NULL,
};
