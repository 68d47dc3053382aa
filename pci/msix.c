/*
 * Message-signalled interrupts: MSI-X (PCI Local Bus 3.0 §6.8.2), MSI as a
 * fallback (§6.8.1). Vectors come from the interrupt layer
 * (irq_alloc_vector); the message that reaches a vector's CPU comes from
 * irq_msi_message. Entries are spread across online CPUs round-robin.
 *
 * Legacy INTx is not offered: routing a PCI interrupt pin to an IOAPIC
 * input needs the ACPI _PRT, which is AML. Devices without MSI or MSI-X
 * get -EOPNOTSUPP, said loudly, instead of a guess.
 */
#include "pci/pci_internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"

/* MSI-X table entry layout (§6.8.2.6), in 32-bit words. */
#define MSIX_ADDR_LO 0
#define MSIX_ADDR_HI 1
#define MSIX_DATA    2
#define MSIX_CTRL    3
#define MSIX_WORDS   (PCI_MSIX_ENTRY_SIZE / 4)

static u32 next_cpu;    /* round-robin target; a race only skews the spread */

static u32 pci_pick_cpu(void)
{
	u32 n = cpu_count();

	return n ? __atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) % n : 0;
}

/* A vector on some CPU running fn(ctx), and the message that raises it. */
static int pci_msi_vector(irq_handler_t fn, void *ctx, const char *name,
			  u64 *addr, u32 *data)
{
	int vec = irq_alloc_vector(fn, ctx, pci_pick_cpu(), name);

	if (vec < 0)
		return vec;
	if (irq_msi_message(vec, addr, data)) {
		irq_free_vector(vec);
		return -EIO;
	}
	return vec;
}

int pci_msix_enable(struct pci_dev *d, unsigned nvec)
{
	u8 cap = pci_find_capability(d, PCI_CAP_ID_MSIX, 0);
	u16 ctrl;
	u32 table;
	unsigned size;
	int bir;

	if (!cap)
		return -ENODEV;
	ctrl = pci_read16(d, cap + PCI_MSIX_FLAGS);
	size = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	if (nvec > size)
		return -ENOSPC;
	table = pci_read32(d, cap + PCI_MSIX_TABLE);
	bir = table & PCI_MSIX_TABLE_BIR;
	d->msix_table = pci_iomap(d, bir, table & PCI_MSIX_TABLE_OFFSET,
				  (u64)size * PCI_MSIX_ENTRY_SIZE);
	if (!d->msix_table) {
		pr_err("pci %s: MSI-X table in BAR %d is not reachable\n",
		       d->dev.name, bir);
		return -EIO;
	}
	d->msix_cap = cap;
	d->msix_count = size;
	/* Enable with the function masked, mask every entry, then unmask the
	 * function: no entry can fire before it is programmed. */
	pci_write16(d, cap + PCI_MSIX_FLAGS,
		    ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned i = 0; i < size; i++)
		d->msix_table[i * MSIX_WORDS + MSIX_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	pci_write16(d, cap + PCI_MSIX_FLAGS,
		    (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	/* INTx off: MSI-X replaces it (§6.8.2.3 leaves it to the driver). */
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) |
		    PCI_COMMAND_INTX_DISABLE);
	return (int)size;
}

void pci_msix_disable(struct pci_dev *d)
{
	if (!d->msix_cap)
		return;
	pci_write16(d, d->msix_cap + PCI_MSIX_FLAGS,
		    pci_read16(d, d->msix_cap + PCI_MSIX_FLAGS) & ~PCI_MSIX_FLAGS_ENABLE);
	d->msix_cap = 0;
}

void pci_msix_mask(struct pci_dev *d, unsigned entry, bool mask)
{
	volatile u32 *e;

	if (!d->msix_cap || entry >= d->msix_count)
		return;
	e = &d->msix_table[entry * MSIX_WORDS];
	e[MSIX_CTRL] = mask ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0;
	/* Read back: the posted write reaches the device before we go on. */
	(void)e[MSIX_CTRL];
}

/* Point an entry at a message and unmask it. The entry is masked while
 * its message changes (§6.8.2.9): an interrupt raised meanwhile stays
 * pending in the PBA and is sent, with the new message, on unmask. */
static void msix_write_entry(struct pci_dev *d, unsigned entry, u64 addr, u32 data)
{
	volatile u32 *e = &d->msix_table[entry * MSIX_WORDS];

	e[MSIX_CTRL] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	e[MSIX_ADDR_LO] = (u32)addr;
	e[MSIX_ADDR_HI] = (u32)(addr >> 32);
	e[MSIX_DATA] = data;
	e[MSIX_CTRL] = 0;
	(void)e[MSIX_CTRL];     /* read back: the writes have reached it */
}

int pci_msix_request(struct pci_dev *d, unsigned entry, irq_handler_t fn,
		     void *ctx, const char *name)
{
	u64 addr;
	u32 data;
	int vec;

	if (!d->msix_cap || entry >= d->msix_count)
		return -EINVAL;
	vec = pci_msi_vector(fn, ctx, name, &addr, &data);
	if (vec < 0)
		return vec;
	msix_write_entry(d, entry, addr, data);
	return vec;
}

int pci_msix_set_affinity(struct pci_dev *d, unsigned entry, int vector, u32 cpu)
{
	u64 addr;
	u32 data;
	int err;

	if (!d->msix_cap || entry >= d->msix_count)
		return -EINVAL;
	err = irq_set_target(vector, cpu);
	if (err)
		return err;
	err = irq_msi_message(vector, &addr, &data);
	if (err)
		return err;
	msix_write_entry(d, entry, addr, data);
	return 0;
}

void pci_msix_release(struct pci_dev *d, unsigned entry, int vector)
{
	pci_msix_mask(d, entry, true);
	irq_free_vector(vector);
}

int pci_msi_request(struct pci_dev *d, irq_handler_t fn, void *ctx,
		    const char *name)
{
	u8 cap = pci_find_capability(d, PCI_CAP_ID_MSI, 0);
	u16 ctrl;
	u64 addr;
	u32 data;
	int vec;

	if (!cap)
		return -EOPNOTSUPP;
	vec = pci_msi_vector(fn, ctx, name, &addr, &data);
	if (vec < 0)
		return vec;
	ctrl = pci_read16(d, cap + PCI_MSI_FLAGS);
	pci_write32(d, cap + PCI_MSI_ADDRESS_LO, (u32)addr);
	if (ctrl & PCI_MSI_FLAGS_64BIT) {
		pci_write32(d, cap + PCI_MSI_ADDRESS_HI, (u32)(addr >> 32));
		pci_write16(d, cap + PCI_MSI_DATA_64, (u16)data);
	} else {
		pci_write16(d, cap + PCI_MSI_DATA_32, (u16)data);
	}
	/* One message (QSIZE 0), enabled; INTx off. */
	pci_write16(d, cap + PCI_MSI_FLAGS,
		    (ctrl & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE);
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) |
		    PCI_COMMAND_INTX_DISABLE);
	d->msi_cap = cap;
	return vec;
}

void pci_msi_release(struct pci_dev *d, int vector)
{
	if (d->msi_cap)
		pci_write16(d, d->msi_cap + PCI_MSI_FLAGS,
			    pci_read16(d, d->msi_cap + PCI_MSI_FLAGS) &
			    ~PCI_MSI_FLAGS_ENABLE);
	d->msi_cap = 0;
	irq_free_vector(vector);
}

void pci_for_each_msi_vector(struct pci_dev *d,
			     void (*fn)(int vector, unsigned entry, bool msix,
					void *arg), void *arg)
{
	u8 msix = READ_ONCE(d->msix_cap), msi = READ_ONCE(d->msi_cap);

	if (msix && d->msix_table) {
		for (unsigned e = 0; e < d->msix_count; e++) {
			volatile u32 *w = &d->msix_table[e * MSIX_WORDS];

			if (!(w[MSIX_CTRL] & PCI_MSIX_ENTRY_CTRL_MASKBIT))
				fn((int)(w[MSIX_DATA] & 0xff), e, true, arg);
		}
	}
	if (msi) {
		u16 ctrl = pci_read16(d, msi + PCI_MSI_FLAGS);
		u16 data = pci_read16(d, msi + ((ctrl & PCI_MSI_FLAGS_64BIT) ?
					    PCI_MSI_DATA_64 : PCI_MSI_DATA_32));

		if (ctrl & PCI_MSI_FLAGS_ENABLE)
			fn(data & 0xff, 0, false, arg);
	}
}
