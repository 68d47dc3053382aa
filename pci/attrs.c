/*
 * The PCI bus's device attributes: the files sysfs shows in
 * /sys/bus/pci/devices/SSSS:BB:DD.F/, in Linux's formats (see Linux's
 * Documentation/ABI/testing/sysfs-bus-pci), which lspci and friends parse.
 * Each show() reads the live pci_dev or its config space.
 */
#include "pci/pci_internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"

/*
 * Resource flags in the third column of "resource". They are Linux's
 * kernel-internal IORESOURCE_* values (include/linux/ioport.h), which no
 * installed header carries; user space (lspci, libpci) decodes them.
 */
#define PCI_RES_FLAG_IO        0x00000100u
#define PCI_RES_FLAG_MEM       0x00000200u
#define PCI_RES_FLAG_PREFETCH  0x00002000u
#define PCI_RES_FLAG_MEM_64    0x00100000u
/* Lines in "resource" for a non-bridge: six BARs and the expansion ROM. */
#define PCI_RES_LINES 7

static ssize_t pci_attr_fmt(char *buf, size_t size, const char *fmt, u32 v)
{
	int n = ksnprintf(buf, size, fmt, v);

	return n < (int)size ? n : -EFBIG;
}

static ssize_t pci_vendor_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "0x%04x\n", to_pci_dev(dev)->vendor);
}

static ssize_t pci_device_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "0x%04x\n", to_pci_dev(dev)->device);
}

static ssize_t pci_subvendor_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "0x%04x\n",
			    to_pci_dev(dev)->subsystem_vendor);
}

static ssize_t pci_subdevice_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "0x%04x\n",
			    to_pci_dev(dev)->subsystem_device);
}

static ssize_t pci_class_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "0x%06x\n", to_pci_dev(dev)->class);
}

static ssize_t pci_revision_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "0x%02x\n", to_pci_dev(dev)->revision);
}

/* The legacy interrupt line as firmware left it (Vireo takes no INTx). */
static ssize_t pci_irq_show(struct device *dev, char *buf, size_t size)
{
	return pci_attr_fmt(buf, size, "%u\n", to_pci_dev(dev)->irq_line);
}

/* Enabled = decoding memory or I/O, as pci_enable_device sets it. */
static ssize_t pci_enable_show(struct device *dev, char *buf, size_t size)
{
	u16 cmd = pci_read16(to_pci_dev(dev), PCI_COMMAND);

	return pci_attr_fmt(buf, size, "%u\n",
			    !!(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)));
}

/* "1" enables decoding; "0" disables it, but not under a bound driver,
 * which would fault on its next register access. */
static ssize_t pci_enable_store(struct device *dev, const char *buf, size_t len)
{
	unsigned long long v;
	char tmp[8];
	size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;

	memcpy(tmp, buf, n);
	tmp[n] = 0;
	if (n && tmp[n - 1] == '\n')
		tmp[n - 1] = 0;
	if (kstrtoull(tmp, 0, &v) || v > 1)
		return -EINVAL;
	if (v) {
		int err = pci_enable_device(to_pci_dev(dev));

		if (err)
			return err;
	} else {
		if (dev->driver)
			return -EBUSY;
		pci_disable_device(to_pci_dev(dev));
	}
	return (ssize_t)len;
}

static u32 pci_bar_flags(const struct pci_bar *b)
{
	switch (b->type) {
	case PCI_BAR_IO:
		return PCI_RES_FLAG_IO;
	case PCI_BAR_MEM64:
		return PCI_RES_FLAG_MEM | PCI_RES_FLAG_MEM_64 |
		       (b->prefetchable ? PCI_RES_FLAG_PREFETCH : 0);
	case PCI_BAR_MEM32:
		return PCI_RES_FLAG_MEM |
		       (b->prefetchable ? PCI_RES_FLAG_PREFETCH : 0);
	case PCI_BAR_NONE:
		break;
	}
	return 0;
}

/* "start end flags" per resource; an unassigned BAR is all zeros. A
 * 64-bit BAR's upper half is its own line of zeros, as in Linux. */
static ssize_t pci_resource_show(struct device *dev, char *buf, size_t size)
{
	struct pci_dev *d = to_pci_dev(dev);
	size_t len = 0;

	for (int i = 0; i < PCI_RES_LINES; i++) {
		const struct pci_bar *b = i < PCI_NUM_BARS ? &d->bar[i] : NULL;
		bool used = b && b->type != PCI_BAR_NONE && b->base && b->size;
		int n = ksnprintf(buf + len, size - len,
				  "0x%016llx 0x%016llx 0x%016llx\n",
				  used ? (unsigned long long)b->base : 0ull,
				  used ? (unsigned long long)(b->base + b->size - 1) : 0ull,
				  used ? (unsigned long long)pci_bar_flags(b) : 0ull);

		if (n >= (int)(size - len))
			return -EFBIG;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/* The configuration space, binary, as far as the access method reaches. */
static ssize_t pci_config_show(struct device *dev, char *buf, size_t size)
{
	struct pci_dev *d = to_pci_dev(dev);
	u16 n = pci_config_size(d);

	if (size < n)
		return -EFBIG;
	for (u16 off = 0; off < n; off += 4) {
		u32 v = pci_read32(d, off);

		memcpy(buf + off, &v, 4);
	}
	return n;
}

static ssize_t pci_modalias(struct pci_dev *d, char *buf, size_t size)
{
	int n = ksnprintf(buf, size,
			  "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02x\n",
			  d->vendor, d->device, d->subsystem_vendor,
			  d->subsystem_device, (d->class >> 16) & 0xff,
			  (d->class >> 8) & 0xff, d->class & 0xff);

	return n < (int)size ? n : -EFBIG;
}

static ssize_t pci_modalias_show(struct device *dev, char *buf, size_t size)
{
	return pci_modalias(to_pci_dev(dev), buf, size);
}

/* What a hotplug event would carry; busybox lspci reads only this. */
static ssize_t pci_uevent_show(struct device *dev, char *buf, size_t size)
{
	struct pci_dev *d = to_pci_dev(dev);
	int n = 0;
	ssize_t m;

	if (dev->driver)
		n = ksnprintf(buf, size, "DRIVER=%s\n", dev->driver->name);
	if (n < (int)size)
		n += ksnprintf(buf + n, size - (size_t)n,
			       "PCI_CLASS=%04X\nPCI_ID=%04X:%04X\n"
			       "PCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
			       "MODALIAS=", d->class, d->vendor, d->device,
			       d->subsystem_vendor, d->subsystem_device, dev->name);
	if (n >= (int)size)
		return -EFBIG;
	m = pci_modalias(d, buf + n, size - (size_t)n);
	return m < 0 ? m : n + m;
}

#define PCI_ATTR_RO(n, fn) \
	static const struct device_attr pci_attr_##n = { #n, fn, NULL }

PCI_ATTR_RO(vendor, pci_vendor_show);
PCI_ATTR_RO(device, pci_device_show);
PCI_ATTR_RO(subsystem_vendor, pci_subvendor_show);
PCI_ATTR_RO(subsystem_device, pci_subdevice_show);
PCI_ATTR_RO(class, pci_class_show);
PCI_ATTR_RO(revision, pci_revision_show);
PCI_ATTR_RO(irq, pci_irq_show);
PCI_ATTR_RO(resource, pci_resource_show);
PCI_ATTR_RO(config, pci_config_show);
PCI_ATTR_RO(modalias, pci_modalias_show);
PCI_ATTR_RO(uevent, pci_uevent_show);
static const struct device_attr pci_attr_enable = {
	"enable", pci_enable_show, pci_enable_store
};

const struct device_attr *const pci_dev_attrs[] = {
	&pci_attr_vendor, &pci_attr_device, &pci_attr_subsystem_vendor,
	&pci_attr_subsystem_device, &pci_attr_class, &pci_attr_revision,
	&pci_attr_irq, &pci_attr_enable, &pci_attr_resource, &pci_attr_config,
	&pci_attr_modalias, &pci_attr_uevent, NULL,
};
