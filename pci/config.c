/*
 * PCI configuration space access.
 *
 * ECAM (PCI Express Base 5.0 §7.2.2): each function's 4 KiB of config
 * space is memory-mapped at base + (bus << 20 | dev << 15 | fn << 12); the
 * windows come from the ACPI MCFG table (PCI Firmware Spec 3.3 §4.1.2),
 * which q35 has, or else from the host bridges' _CBA in the DSDT and
 * SSDTs (ecam_dsdt.c), which is how microvm (pcie=on) describes its own.
 *
 * Port I/O "configuration mechanism #1" (PCI Local Bus 3.0 §3.2.2.3.2):
 * write an address to 0xCF8, then access 0xCFC..0xCFF. Two steps, so
 * pci_pio_lock serializes them. i440fx (pc) has only this, and only the
 * first 256 bytes.
 */
#include "pci/pci_internal.h"
#include "pci/ecam_dsdt.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/ioremap.h"
#include "kernel/sched/spinlock.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

#define MCFG_ENTRIES_OFFSET 44        /* the header, 8 reserved bytes */

#define PCI_PIO_ADDR 0xcf8
#define PCI_PIO_DATA 0xcfc

struct ecam_window {
	u16 segment;
	u8 start_bus, end_bus;
	volatile u8 *virt;              /* mapping of the whole window */
};

/* MCFG windows, discovered once at boot and read-only afterwards. */
static struct ecam_window *ecam;
static unsigned nr_ecam;
static bool have_pio;
static struct spinlock pci_pio_lock = SPINLOCK_INIT("pci_pio");

static volatile u8 *ecam_addr(u16 seg, u8 bus, u8 slot, u8 fn, u16 off)
{
	for (unsigned i = 0; i < nr_ecam; i++) {
		struct ecam_window *w = &ecam[i];

		if (w->segment != seg || bus < w->start_bus || bus > w->end_bus)
			continue;
		return w->virt + ((u64)(bus - w->start_bus) << 20) +
		       ((u64)slot << 15) + ((u64)fn << 12) + off;
	}
	return NULL;
}

static u32 pio_address(u8 bus, u8 slot, u8 fn, u16 off)
{
	return 0x80000000u | (u32)bus << 16 | (u32)slot << 11 | (u32)fn << 8 |
	       (off & 0xfc);
}

/* Read width (1, 2 or 4) bytes at a naturally aligned offset. A function
 * that does not exist reads as all ones, as on real hardware. */
u32 pci_conf_read(u16 seg, u8 bus, u8 slot, u8 fn, u16 off, int width)
{
	volatile u8 *p = ecam_addr(seg, bus, slot, fn, off);
	unsigned long f;
	u32 v;

	if ((off & (width - 1)) || off >= PCI_CFG_SPACE_EXP_SIZE)
		return ~0u;
	if (p) {
		if (width == 1)
			return *p;
		if (width == 2)
			return *(volatile u16 *)p;
		return *(volatile u32 *)p;
	}
	if (!have_pio || seg != 0 || off >= 256)
		return ~0u;
	f = spin_lock_irqsave(&pci_pio_lock);
	outl(PCI_PIO_ADDR, pio_address(bus, slot, fn, off));
	if (width == 1)
		v = inb(PCI_PIO_DATA + (off & 3));
	else if (width == 2)
		v = inw(PCI_PIO_DATA + (off & 2));
	else
		v = inl(PCI_PIO_DATA);
	spin_unlock_irqrestore(&pci_pio_lock, f);
	return v;
}

void pci_conf_write(u16 seg, u8 bus, u8 slot, u8 fn, u16 off, int width, u32 v)
{
	volatile u8 *p = ecam_addr(seg, bus, slot, fn, off);
	unsigned long f;

	if ((off & (width - 1)) || off >= PCI_CFG_SPACE_EXP_SIZE)
		return;
	if (p) {
		if (width == 1)
			*p = (u8)v;
		else if (width == 2)
			*(volatile u16 *)p = (u16)v;
		else
			*(volatile u32 *)p = v;
		return;
	}
	if (!have_pio || seg != 0 || off >= 256)
		return;
	f = spin_lock_irqsave(&pci_pio_lock);
	outl(PCI_PIO_ADDR, pio_address(bus, slot, fn, off));
	if (width == 1)
		outb(PCI_PIO_DATA + (off & 3), (u8)v);
	else if (width == 2)
		outw(PCI_PIO_DATA + (off & 2), (u16)v);
	else
		outl(PCI_PIO_DATA, v);
	spin_unlock_irqrestore(&pci_pio_lock, f);
}

bool pci_conf_is_ecam(u16 seg, u8 bus)
{
	return ecam_addr(seg, bus, 0, 0, 0) != NULL;
}

unsigned pci_conf_segments(u16 *segs, u8 *first_bus, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nr_ecam && n < max; i++) {
		segs[n] = ecam[i].segment;
		first_bus[n++] = ecam[i].start_bus;
	}
	if (!nr_ecam && have_pio && max) {
		segs[0] = 0;
		first_bus[0] = 0;
		n = 1;
	}
	return n;
}

/* Host bridges with a _CBA in the DSDT and the SSDTs: store up to max in
 * out, return how many there are. */
static unsigned ecam_scan_aml(struct mcfg_entry *out, unsigned max)
{
	const struct acpi_header *t;
	unsigned n = 0;

	for (int i = 0; ; i++) {
		t = i ? acpi_find_table("SSDT", i - 1) : acpi_find_table("DSDT", 0);
		if (!t)
			return n;
		if (t->length <= sizeof(*t))
			continue;
		n += pci_ecam_from_aml((const u8 *)(t + 1), t->length - sizeof(*t),
				       n < max ? out + n : NULL, n < max ? max - n : 0);
	}
}

/* The same, in a kzalloc'ed array (*out): how many, or a negative errno. */
static int ecam_from_aml(struct mcfg_entry **out)
{
	unsigned n = ecam_scan_aml(NULL, 0);

	if (!n)
		return -ENODEV;
	*out = kzalloc(n * sizeof(**out), GFP_KERNEL);
	if (!*out)
		return -ENOMEM;
	ecam_scan_aml(*out, n);
	return (int)n;
}

static int ecam_init(void)
{
	const struct acpi_header *mcfg = acpi_find_table("MCFG", 0);
	struct mcfg_entry *aml_entries = NULL;
	const struct mcfg_entry *e;
	unsigned n;
	int ret;

	if (mcfg && mcfg->length >= MCFG_ENTRIES_OFFSET + sizeof(*e)) {
		n = (mcfg->length - MCFG_ENTRIES_OFFSET) / sizeof(*e);
		e = (const void *)((const u8 *)mcfg + MCFG_ENTRIES_OFFSET);
	} else {
		ret = ecam_from_aml(&aml_entries);
		if (ret < 0)
			return ret;
		n = (unsigned)ret;
		e = aml_entries;
	}
	ecam = kzalloc(n * sizeof(*ecam), GFP_KERNEL);
	if (!ecam) {
		kfree(aml_entries);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		u64 len = ((u64)e[i].end_bus - e[i].start_bus + 1) << 20;
		struct ecam_window *w = &ecam[nr_ecam];

		if (e[i].end_bus < e[i].start_bus || !e[i].base) {
			pr_warn("pci: MCFG entry %u is malformed; ignored\n", i);
			continue;
		}
		w->virt = ioremap(e[i].base + ((u64)e[i].start_bus << 20), len);
		if (!w->virt) {
			pr_warn("pci: cannot map ECAM window at %#lx\n",
				(unsigned long)e[i].base);
			continue;
		}
		w->segment = e[i].segment;
		w->start_bus = e[i].start_bus;
		w->end_bus = e[i].end_bus;
		pr_info("pci: ECAM segment %u buses %02x-%02x at %#lx (%s)\n",
			w->segment, w->start_bus, w->end_bus,
			(unsigned long)(e[i].base + ((u64)e[i].start_bus << 20)),
			aml_entries ? "DSDT _CBA" : "MCFG");
		nr_ecam++;
	}
	kfree(aml_entries);
	return nr_ecam ? 0 : -ENODEV;
}

/* Mechanism #1 latches the enable bit of 0xCF8; nothing else does. */
static bool pio_probe(void)
{
	u32 saved = inl(PCI_PIO_ADDR);
	bool ok;

	outl(PCI_PIO_ADDR, 0x80000000u);
	ok = inl(PCI_PIO_ADDR) == 0x80000000u;
	outl(PCI_PIO_ADDR, saved);
	return ok;
}

int pci_conf_init(void)
{
	int err = ecam_init();

	if (err == -ENOMEM)
		return err;
	have_pio = pio_probe();
	if (!nr_ecam && !have_pio) {
		pr_warn("pci: no ECAM (MCFG) and no port I/O configuration; no PCI\n");
		return -ENODEV;
	}
	if (!nr_ecam)
		pr_info("pci: configuration through port I/O 0xcf8\n");
	return 0;
}
