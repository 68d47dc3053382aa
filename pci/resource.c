/*
 * Assigning BARs that firmware left unassigned.
 *
 * SeaBIOS assigns every BAR on q35 and pc; on microvm (pcie=on) nothing
 * does, so without this no driver could reach its device. The host
 * bridge's 32-bit memory window is described only in the DSDT's _CRS, as
 * a DWord Address Space Descriptor (ACPI 6.4 §6.4.3.5.2). Resource
 * templates are plain data inside the AML, so we find descriptors by
 * their fixed header (0x87, length 0x17, resource type 0 = memory) and
 * take the largest memory range below 4 GiB, without interpreting AML.
 *
 * Memory BARs are placed in that window depth-first: a bridge's subtree
 * gets a 1 MiB-aligned range, which becomes the bridge's memory window
 * (PCI-to-PCI Bridge Arch 1.2 §3.2.5.8). Prefetchable BARs go there too
 * (legal, and a bridge then needs no prefetchable window, which we close).
 * I/O BARs are not assigned: virtio 1.x devices do not need them.
 */
#include "pci/pci_internal.h"
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

#define BRIDGE_WINDOW_ALIGN (1u << 20)

struct pci_window {
	u64 next;       /* bump pointer */
	u64 end;        /* exclusive */
};

static int pci_find_dsdt_window(u64 *base, u64 *len)
{
	const struct acpi_header *dsdt = acpi_find_table("DSDT", 0);
	const u8 *p, *end;

	*len = 0;
	if (!dsdt)
		return -ENODEV;
	p = (const u8 *)(dsdt + 1);
	end = (const u8 *)dsdt + dsdt->length;
	for (; p + 26 <= end; p++) {
		u32 min, max, l;

		if (p[0] != 0x87 || p[1] != 0x17 || p[2] != 0x00 || p[3] != 0)
			continue;
		memcpy(&min, p + 10, 4);
		memcpy(&max, p + 14, 4);
		memcpy(&l, p + 22, 4);
		if (!l || max < min || (u64)max - min + 1 != l)
			continue;
		if (l > *len) {
			*base = min;
			*len = l;
		}
	}
	return *len ? 0 : -ENODEV;
}

static bool bar_needs_assign(const struct pci_bar *b)
{
	return (b->type == PCI_BAR_MEM32 || b->type == PCI_BAR_MEM64) && !b->base;
}

static int pci_assign_dev_bars(struct pci_dev *d, struct pci_window *w)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		u64 at;

		if (!bar_needs_assign(b))
			continue;
		/* A BAR's size is a power of two and its natural alignment. */
		at = ALIGN_UP(w->next, b->size < 16 ? 16 : b->size);
		if (at + b->size > w->end || at + b->size < at) {
			pr_warn("pci %s: no room for BAR %d (%#lx bytes)\n",
				d->dev.name, i, (unsigned long)b->size);
			continue;
		}
		pci_write32(d, PCI_BASE_ADDRESS_0 + i * 4,
			    (u32)at | (pci_read32(d, PCI_BASE_ADDRESS_0 + i * 4) & 0xf));
		if (b->type == PCI_BAR_MEM64)
			pci_write32(d, PCI_BASE_ADDRESS_0 + i * 4 + 4, (u32)(at >> 32));
		b->base = at;
		w->next = at + b->size;
		pr_debug("pci %s: BAR %d assigned %#lx\n", d->dev.name, i,
			 (unsigned long)at);
	}
	pci_write16(d, PCI_COMMAND, cmd);
	return 0;
}

static void pci_assign_bus(u16 seg, u8 bus, struct pci_window *w);

static void pci_assign_bridge(struct pci_dev *br, struct pci_window *w)
{
	u64 start = ALIGN_UP(w->next, BRIDGE_WINDOW_ALIGN), end;
	struct pci_window sub = { start, w->end };

	pci_assign_bus(br->segment, br->secondary, &sub);
	end = ALIGN_UP(sub.next, BRIDGE_WINDOW_ALIGN);
	if (end == start) {
		/* Nothing behind it: close the window (base above limit). */
		pci_write16(br, PCI_MEMORY_BASE, 0xfff0);
		pci_write16(br, PCI_MEMORY_LIMIT, 0x0000);
	} else {
		/* Bits 15:4 hold address bits 31:20; the limit is inclusive. */
		pci_write16(br, PCI_MEMORY_BASE, (u16)((start >> 16) & 0xfff0));
		pci_write16(br, PCI_MEMORY_LIMIT, (u16)(((end - 1) >> 16) & 0xfff0));
		w->next = end;
	}
	pci_write16(br, PCI_PREF_MEMORY_BASE, 0xfff0);
	pci_write16(br, PCI_PREF_MEMORY_LIMIT, 0x0000);
	pci_write32(br, PCI_PREF_BASE_UPPER32, 0);
	pci_write32(br, PCI_PREF_LIMIT_UPPER32, 0);
	pci_write16(br, PCI_COMMAND, pci_read16(br, PCI_COMMAND) |
		    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void pci_assign_bus(u16 seg, u8 bus, struct pci_window *w)
{
	/* Devices first, then bridges, so each bridge's range is contiguous. */
	for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d))
		if (d->segment == seg && d->bus == bus)
			pci_assign_dev_bars(d, w);
	for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d))
		if (d->segment == seg && d->bus == bus &&
		    d->hdr_type == PCI_HEADER_TYPE_BRIDGE)
			pci_assign_bridge(d, w);
}

int pci_assign_resources(void)
{
	struct pci_window w;
	u64 base, len;
	bool needed = false;

	for (struct pci_dev *d = pci_next(NULL); d && !needed; d = pci_next(d))
		for (int i = 0; i < PCI_NUM_BARS; i++)
			needed |= bar_needs_assign(&d->bar[i]);
	if (!needed)
		return 0;
	if (pci_find_dsdt_window(&base, &len)) {
		pr_warn("pci: BARs unassigned and no host bridge window in the DSDT\n");
		return -ENODEV;
	}
	pr_info("pci: assigning BARs in [%#lx-%#lx]\n", (unsigned long)base,
		(unsigned long)(base + len - 1));
	w.next = base;
	w.end = base + len;
	/* Root buses: those of devices without an upstream bridge. */
	for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d)) {
		struct pci_dev *e;
		bool seen = false;

		if (d->bridge)
			continue;
		for (e = pci_next(NULL); e != d; e = pci_next(e))
			seen |= !e->bridge && e->segment == d->segment && e->bus == d->bus;
		if (!seen)
			pci_assign_bus(d->segment, d->bus, &w);
	}
	return 0;
}
