/*
 * PCI: configuration access (ECAM from the ACPI MCFG table, or port I/O
 * 0xCF8/0xCFC on machines without it), enumeration that follows bridges,
 * BARs, capabilities, MSI-X, and the PCI bus of the device model.
 * Register offsets and bits come from linux-libc-dev's <linux/pci_regs.h>.
 */
#ifndef VIREO_PCI_PCI_H
#define VIREO_PCI_PCI_H

#include "kernel/device/device.h"
#include "kernel/lib/types.h"
#include <linux/pci_regs.h>

#define PCI_NUM_BARS 6
#define PCI_ANY_ID   0xffffffffu

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
};

struct pci_bar {
	u64 base;               /* bus/physical address; 0 if unassigned */
	u64 size;
	enum pci_bar_type type;
	bool prefetchable;
};

struct pci_dev {
	struct device dev;      /* name: "SSSS:BB:DD.F" */
	u16 segment;
	u8 bus, slot, func;
	u16 vendor, device;
	u16 subsystem_vendor, subsystem_device;
	u32 class;              /* base << 16 | sub << 8 | prog-if */
	u8 revision;
	u8 hdr_type;            /* PCI_HEADER_TYPE_* (without the MFD bit) */
	u8 irq_line, irq_pin;
	u8 secondary, subordinate;      /* bridges */
	struct pci_bar bar[PCI_NUM_BARS];
	struct pci_dev *bridge; /* upstream bridge, NULL on a root bus */
	struct list_node node;  /* all PCI devices, pci_lock */

	/* MSI-X (pci_msix_enable) and MSI state */
	u8 msix_cap;
	u16 msix_count;
	volatile u32 *msix_table;
	u8 msi_cap;
};

struct pci_device_id {
	u32 vendor, device;             /* PCI_ANY_ID matches any */
	u32 class, class_mask;          /* matches if (class & mask) == class */
};

struct pci_driver {
	struct device_driver driver;
	const struct pci_device_id *id_table;   /* ends with vendor == 0 */
	int (*probe)(struct pci_dev *pdev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *pdev);
};

static inline struct pci_dev *to_pci_dev(struct device *d)
{
	return container_of(d, struct pci_dev, dev);
}

extern struct bus_type pci_bus;

/* Find config access and enumerate every bus; then drivers may register. */
int pci_init(void);
int pci_register_driver(struct pci_driver *drv);

u8 pci_read8(struct pci_dev *d, u16 off);
u16 pci_read16(struct pci_dev *d, u16 off);
u32 pci_read32(struct pci_dev *d, u16 off);
void pci_write8(struct pci_dev *d, u16 off, u8 v);
void pci_write16(struct pci_dev *d, u16 off, u16 v);
void pci_write32(struct pci_dev *d, u16 off, u32 v);
/* Size of the config space reachable: 4096 with ECAM, 256 with port I/O. */
u16 pci_config_size(struct pci_dev *d);

/* Turn on memory/I/O decoding for the BARs the device has. */
int pci_enable_device(struct pci_dev *d);
void pci_set_master(struct pci_dev *d);
void pci_disable_device(struct pci_dev *d);

/* Capability list walk: offset of the first capability `id` after `from`
 * (0: from the start), or 0. Bounded, so a looping list cannot hang us. */
u8 pci_find_capability(struct pci_dev *d, u8 id, u8 from);

/* Map len bytes at offset off of a memory BAR; NULL if out of range. */
void *pci_iomap(struct pci_dev *d, int bar, u64 off, u64 len);

/*
 * Interrupts. MSI-X: enable the capability for nvec entries (all masked;
 * returns the table size or a negative errno), then request each entry:
 * a vector is allocated on some CPU, fn(ctx) runs on it, and the vector
 * number is returned (its count is irq_vector_count(vector)). MSI: one
 * vector, the fallback. No INTx (see msix.c).
 */
typedef void (*irq_handler_t)(void *ctx);
int pci_msix_enable(struct pci_dev *d, unsigned nvec);
void pci_msix_disable(struct pci_dev *d);
int pci_msix_request(struct pci_dev *d, unsigned entry, irq_handler_t fn,
		     void *ctx, const char *name);
void pci_msix_release(struct pci_dev *d, unsigned entry, int vector);
/* Deliver entry's vector to cpu from now on (the vector moves, and the
 * entry's message is rewritten while masked). */
int pci_msix_set_affinity(struct pci_dev *d, unsigned entry, int vector, u32 cpu);
void pci_msix_mask(struct pci_dev *d, unsigned entry, bool mask);
int pci_msi_request(struct pci_dev *d, irq_handler_t fn, void *ctx,
		    const char *name);
void pci_msi_release(struct pci_dev *d, int vector);
/* For sysfs msi_irqs/ and /proc/interrupts: fn(vector, entry, msix, arg)
 * for each MSI-X entry that is unmasked and each enabled MSI message, read
 * back from the device (the vector is the message data's low byte). */
void pci_for_each_msi_vector(struct pci_dev *d,
			     void (*fn)(int vector, unsigned entry, bool msix,
					void *arg), void *arg);

/* Iterate all devices (boot-time enumeration order). */
struct pci_dev *pci_next(struct pci_dev *prev);

#endif
