/* The PCI bus: device list, driver matching, config accessors, BARs. */
#include "pci/pci_internal.h"
#include "kernel/mm/ioremap.h"
#include "kernel/sched/spinlock.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"

/* All PCI devices in enumeration order; pci_lock protects the list. */
static struct list_node pci_devices = LIST_INIT(pci_devices);
static struct spinlock pci_lock = SPINLOCK_INIT("pci");

u8 pci_read8(struct pci_dev *d, u16 off)
{
	return pci_conf_read(d->segment, d->bus, d->slot, d->func, off, 1);
}

u16 pci_read16(struct pci_dev *d, u16 off)
{
	return pci_conf_read(d->segment, d->bus, d->slot, d->func, off, 2);
}

u32 pci_read32(struct pci_dev *d, u16 off)
{
	return pci_conf_read(d->segment, d->bus, d->slot, d->func, off, 4);
}

void pci_write8(struct pci_dev *d, u16 off, u8 v)
{
	pci_conf_write(d->segment, d->bus, d->slot, d->func, off, 1, v);
}

void pci_write16(struct pci_dev *d, u16 off, u16 v)
{
	pci_conf_write(d->segment, d->bus, d->slot, d->func, off, 2, v);
}

void pci_write32(struct pci_dev *d, u16 off, u32 v)
{
	pci_conf_write(d->segment, d->bus, d->slot, d->func, off, 4, v);
}

u16 pci_config_size(struct pci_dev *d)
{
	return pci_conf_is_ecam(d->segment, d->bus) ? PCI_CFG_SPACE_EXP_SIZE :
						       PCI_CFG_SPACE_SIZE;
}

int pci_enable_device(struct pci_dev *d)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	/* Decode only what has an address; a driver that needs an
	 * unassigned BAR finds out from pci_iomap() returning NULL. */
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (d->bar[i].type == PCI_BAR_NONE || !d->bar[i].base)
			continue;
		cmd |= d->bar[i].type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	pci_write16(d, PCI_COMMAND, cmd);
	return 0;
}

void pci_set_master(struct pci_dev *d)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_COMMAND_MASTER);
}

void pci_disable_device(struct pci_dev *d)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) &
		    ~(PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
}

u8 pci_find_capability(struct pci_dev *d, u8 id, u8 from)
{
	u8 pos;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = from ? pci_read8(d, from + PCI_CAP_LIST_NEXT) :
		     pci_read8(d, PCI_CAPABILITY_LIST);
	/* 48 capabilities fit in 192 bytes; more means the list loops. */
	for (int n = 0; n < 48 && pos >= 0x40; n++) {
		pos &= ~3;
		if (pci_read8(d, pos + PCI_CAP_LIST_ID) == id)
			return pos;
		pos = pci_read8(d, pos + PCI_CAP_LIST_NEXT);
	}
	return 0;
}

void *pci_iomap(struct pci_dev *d, int bar, u64 off, u64 len)
{
	struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &d->bar[bar];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) || !b->base ||
	    off > b->size || len > b->size - off)
		return NULL;
	return ioremap(b->base + off, len);
}

struct pci_dev *pci_next(struct pci_dev *prev)
{
	unsigned long f = spin_lock_irqsave(&pci_lock);
	struct list_node *n = prev ? prev->node.next : pci_devices.next;
	struct pci_dev *d = n == &pci_devices ? NULL :
			    list_entry(n, struct pci_dev, node);

	spin_unlock_irqrestore(&pci_lock, f);
	return d;
}

/* ---- the bus ------------------------------------------------------------- */

static const struct pci_device_id *pci_match_id(const struct pci_driver *drv,
						const struct pci_dev *d)
{
	for (const struct pci_device_id *id = drv->id_table; id && id->vendor; id++) {
		if (id->vendor != PCI_ANY_ID && id->vendor != d->vendor)
			continue;
		if (id->device != PCI_ANY_ID && id->device != d->device)
			continue;
		if ((d->class & id->class_mask) != id->class)
			continue;
		return id;
	}
	return NULL;
}

static struct pci_driver *to_pci_driver(struct device_driver *drv)
{
	return container_of(drv, struct pci_driver, driver);
}

static bool pci_bus_match(struct device *dev, struct device_driver *drv)
{
	return pci_match_id(to_pci_driver(drv), to_pci_dev(dev)) != NULL;
}

static int pci_drv_probe(struct device *dev)
{
	struct pci_dev *d = to_pci_dev(dev);
	struct pci_driver *drv = to_pci_driver(dev->driver);
	const struct pci_device_id *id = pci_match_id(drv, d);

	return id ? drv->probe(d, id) : -ENODEV;
}

static void pci_drv_remove(struct device *dev)
{
	struct pci_driver *drv = to_pci_driver(dev->driver);

	if (drv->remove)
		drv->remove(to_pci_dev(dev));
}

int pci_register_driver(struct pci_driver *drv)
{
	drv->driver.bus = &pci_bus;
	drv->driver.probe = pci_drv_probe;
	drv->driver.remove = pci_drv_remove;
	return driver_register(&drv->driver);
}

struct bus_type pci_bus = {
	.name = "pci",
	.match = pci_bus_match,
	.dev_attrs = pci_dev_attrs,
};

void pci_add_device(struct pci_dev *d)
{
	unsigned long f = spin_lock_irqsave(&pci_lock);

	list_add_tail(&d->node, &pci_devices);
	spin_unlock_irqrestore(&pci_lock, f);
	device_add(&d->dev);
}

int pci_init(void)
{
	int err;

	bus_register(&pci_bus);
	err = pci_conf_init();
	if (err)
		return err;
	err = pci_enumerate();
	if (err)
		return err;
	return pci_assign_resources();
}
