/*
 * /proc/interrupts: a row per vector in use, a column of counts per online
 * CPU, then where the interrupt comes from and who asked for it, in
 * Linux's layout. Rows are numbered by vector (Vireo has no separate IRQ
 * numbers). MSI and MSI-X vectors are named by the PCI device and table
 * entry whose message carries them, found in the devices' MSI-X tables and
 * MSI capabilities themselves, then by the requester's name ("virtio0.1":
 * device virtio0, queue 1). The fixed system vectors come last under
 * Linux's mnemonics (LOC, RES, CAL, TLB, ERR, SPU).
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kmalloc.h"
#include "pci/pci.h"

struct irq_source {
	struct pci_dev *pdev;           /* NULL: not a PCI message */
	u16 entry;                      /* MSI-X table entry */
	bool msix;
};

static const struct {
	u8 vector;
	const char *tag, *what;
} sys_vectors[] = {
	{ IRQ_VECTOR_TIMER, "LOC", "Local timer interrupts" },
	{ IRQ_VECTOR_RESCHED, "RES", "Rescheduling interrupts" },
	{ IRQ_VECTOR_CALL_FUNC, "CAL", "Function call interrupts" },
	{ IRQ_VECTOR_TLB, "TLB", "TLB shootdowns" },
	{ IRQ_VECTOR_APIC_ERROR, "ERR", "APIC errors" },
	{ IRQ_VECTOR_SPURIOUS, "SPU", "Spurious interrupts" },
};

struct irq_source_walk {
	struct irq_source *src;
	struct pci_dev *pdev;
};

static void irq_note_source(int vector, unsigned entry, bool msix, void *arg)
{
	struct irq_source_walk *w = arg;

	w->src[vector & 0xff] = (struct irq_source){ w->pdev, (u16)entry, msix };
}

/* Which PCI device and entry deliver each vector, from the messages the
 * devices were programmed with. */
static void irq_find_sources(struct irq_source *src)
{
	struct irq_source_walk w = { .src = src };

	for (w.pdev = pci_next(NULL); w.pdev; w.pdev = pci_next(w.pdev))
		pci_for_each_msi_vector(w.pdev, irq_note_source, &w);
}

static void irq_counts(struct pfs_buf *b, int vector, u32 ncpu)
{
	for (u32 c = 0; c < ncpu; c++)
		pfs_printf(b, "%10llu ",
			   (unsigned long long)irq_vector_cpu_count(vector, c));
}

int procfs_show_interrupts(struct pfs_buf *b)
{
	u32 ncpu = cpu_count();
	struct irq_source *src = kzalloc(256 * sizeof(*src), GFP_KERNEL);
	struct irq_vector_info info;

	if (!src)
		return -ENOMEM;
	irq_find_sources(src);
	pfs_printf(b, "%4s", "");
	for (u32 c = 0; c < ncpu; c++)
		pfs_printf(b, "CPU%-8u", c);
	pfs_printf(b, "\n");
	for (int v = IRQ_VECTOR_PIC_BASE; v <= IRQ_VECTOR_DYN_LAST; v++) {
		if (!irq_vector_info(v, &info))
			continue;
		pfs_printf(b, "%3d: ", v);
		irq_counts(b, v, ncpu);
		if (info.gsi >= 0)
			pfs_printf(b, " IO-APIC %4d-%-8s", info.gsi,
				   info.level ? "fasteoi" : "edge");
		else if (src[v].pdev)
			pfs_printf(b, " PCI-%s-%s %4u-edge    ",
				   src[v].msix ? "MSIX" : "MSI",
				   src[v].pdev->dev.name, src[v].entry);
		else
			pfs_printf(b, " %-13s", "MSI");
		pfs_printf(b, "  %s\n", info.name ? info.name : "");
	}
	kfree(src);
	for (size_t i = 0; i < sizeof(sys_vectors) / sizeof(sys_vectors[0]); i++) {
		pfs_printf(b, "%s: ", sys_vectors[i].tag);
		irq_counts(b, sys_vectors[i].vector, ncpu);
		pfs_printf(b, "  %s\n", sys_vectors[i].what);
	}
	return 0;
}
