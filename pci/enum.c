/*
 * Enumeration: depth-first from each root bus, following bridges to the
 * buses behind them (never a blind scan of all 256 bus numbers). Bus
 * numbers and BARs that firmware programmed are kept. A bridge that
 * firmware left unnumbered (secondary bus 0) gets the next free bus number,
 * as Linux does, and its subordinate number is fixed up after its subtree
 * is scanned.
 */
#include "pci/pci_internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"

#define PCI_MAX_DEPTH 16        /* bridges nest no deeper than this */

static u8 next_free_bus;        /* boot-time enumeration only: no lock */

static u32 conf32(u16 seg, u8 bus, u8 slot, u8 fn, u16 off)
{
	return pci_conf_read(seg, bus, slot, fn, off, 4);
}

/* Size one BAR by the all-ones write (PCI 3.0 §6.2.5.1) with decoding off.
 * Returns how many BAR slots it used (2 for 64-bit). */
static int pci_size_bar(struct pci_dev *d, int i)
{
	u16 off = PCI_BASE_ADDRESS_0 + i * 4;
	u32 orig = pci_read32(d, off), lo, hi = 0, orig_hi = 0;
	struct pci_bar *b = &d->bar[i];
	u64 mask;

	pci_write32(d, off, ~0u);
	lo = pci_read32(d, off);
	pci_write32(d, off, orig);
	if (!lo || lo == ~0u)
		return 1;
	if (orig & PCI_BASE_ADDRESS_SPACE_IO) {
		b->type = PCI_BAR_IO;
		b->base = orig & PCI_BASE_ADDRESS_IO_MASK;
		mask = (lo & PCI_BASE_ADDRESS_IO_MASK) | 0xffff0000u;
		b->size = (u32)(~mask + 1);
		return 1;
	}
	b->prefetchable = orig & PCI_BASE_ADDRESS_MEM_PREFETCH;
	if ((orig & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 &&
	    i + 1 < PCI_NUM_BARS) {
		orig_hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, ~0u);
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, orig_hi);
		b->type = PCI_BAR_MEM64;
		b->base = ((u64)orig_hi << 32) | (orig & PCI_BASE_ADDRESS_MEM_MASK);
		mask = ((u64)hi << 32) | (lo & PCI_BASE_ADDRESS_MEM_MASK);
		b->size = ~mask + 1;
		return 2;
	}
	b->type = PCI_BAR_MEM32;
	b->base = orig & PCI_BASE_ADDRESS_MEM_MASK;
	b->size = (u32)(~(lo & PCI_BASE_ADDRESS_MEM_MASK) + 1);
	return 1;
}

static void pci_read_bars(struct pci_dev *d, int nr)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	/* Don't let a half-written BAR decode over something else. */
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nr; )
		i += pci_size_bar(d, i);
	pci_write16(d, PCI_COMMAND, cmd);
}

static void pci_dev_release(struct device *dev)
{
	kfree(to_pci_dev(dev));
}

static int pci_scan_bus(u16 seg, u8 bus, struct pci_dev *bridge, int depth);

static int pci_setup_bridge(struct pci_dev *d, int depth)
{
	u8 sec = pci_read8(d, PCI_SECONDARY_BUS);
	u8 sub = pci_read8(d, PCI_SUBORDINATE_BUS);
	bool assign = sec == 0 || sec <= d->bus;
	int err;

	if (depth >= PCI_MAX_DEPTH) {
		pr_warn("pci %s: bridges nested too deep; not scanned\n", d->dev.name);
		return 0;
	}
	if (assign) {
		if (next_free_bus == 0xff) {
			pr_warn("pci %s: out of bus numbers\n", d->dev.name);
			return 0;
		}
		sec = ++next_free_bus;
		pci_write8(d, PCI_PRIMARY_BUS, d->bus);
		pci_write8(d, PCI_SECONDARY_BUS, sec);
		/* Open the range while we scan; closed to the real end below. */
		pci_write8(d, PCI_SUBORDINATE_BUS, 0xff);
	} else if (sec > next_free_bus) {
		next_free_bus = sub > sec ? sub : sec;
	}
	d->secondary = sec;
	err = pci_scan_bus(d->segment, sec, d, depth + 1);
	if (assign) {
		pci_write8(d, PCI_SUBORDINATE_BUS, next_free_bus);
		sub = next_free_bus;
	}
	d->subordinate = sub;
	return err;
}

static int pci_scan_func(u16 seg, u8 bus, u8 slot, u8 fn,
			 struct pci_dev *bridge, int depth)
{
	u32 id = conf32(seg, bus, slot, fn, PCI_VENDOR_ID);
	struct pci_dev *d;
	u32 cls;

	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return 0;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->segment = seg;
	d->bus = bus;
	d->slot = slot;
	d->func = fn;
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	cls = conf32(seg, bus, slot, fn, PCI_CLASS_REVISION);
	d->revision = cls & 0xff;
	d->class = cls >> 8;
	d->hdr_type = pci_conf_read(seg, bus, slot, fn, PCI_HEADER_TYPE, 1) & 0x7f;
	d->bridge = bridge;
	ksnprintf(d->dev.name, sizeof(d->dev.name), "%04x:%02x:%02x.%x",
		  seg, bus, slot, fn);
	d->dev.parent = bridge ? &bridge->dev : NULL;
	d->dev.bus = &pci_bus;
	d->dev.release = pci_dev_release;

	if (d->hdr_type == PCI_HEADER_TYPE_NORMAL) {
		d->subsystem_vendor = pci_read16(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsystem_device = pci_read16(d, PCI_SUBSYSTEM_ID);
		d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
		d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
		pci_read_bars(d, 6);
	} else if (d->hdr_type == PCI_HEADER_TYPE_BRIDGE) {
		pci_read_bars(d, 2);
	}
	pr_info("pci %s: [%04x:%04x] type %02x class %#08x\n", d->dev.name,
		d->vendor, d->device, d->hdr_type, d->class);
	for (int i = 0; i < PCI_NUM_BARS; i++)
		if (d->bar[i].type != PCI_BAR_NONE)
			pr_debug("pci %s: BAR %d %s %#lx size %#lx%s\n", d->dev.name, i,
				 d->bar[i].type == PCI_BAR_IO ? "io" : "mem",
				 (unsigned long)d->bar[i].base,
				 (unsigned long)d->bar[i].size,
				 d->bar[i].base ? "" : " (unassigned)");
	pci_add_device(d);
	if (d->hdr_type == PCI_HEADER_TYPE_BRIDGE)
		return pci_setup_bridge(d, depth);
	return 0;
}

static int pci_scan_bus(u16 seg, u8 bus, struct pci_dev *bridge, int depth)
{
	for (u8 slot = 0; slot < 32; slot++) {
		u8 hdr;
		int err, nfn;

		if ((conf32(seg, bus, slot, 0, PCI_VENDOR_ID) & 0xffff) == 0xffff)
			continue;
		hdr = pci_conf_read(seg, bus, slot, 0, PCI_HEADER_TYPE, 1);
		nfn = (hdr & 0x80) ? 8 : 1;     /* multi-function device */
		for (u8 fn = 0; fn < nfn; fn++) {
			err = pci_scan_func(seg, bus, slot, fn, bridge, depth);
			if (err)
				return err;
		}
	}
	return 0;
}

int pci_enumerate(void)
{
	u16 segs[8];
	u8 first[8];
	unsigned n = pci_conf_segments(segs, first, 8);
	int err;

	for (unsigned i = 0; i < n; i++) {
		next_free_bus = first[i];
		err = pci_scan_bus(segs[i], first[i], NULL, 0);
		if (err)
			return err;
	}
	return 0;
}
