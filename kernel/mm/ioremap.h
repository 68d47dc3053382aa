/*
 * MMIO mappings: device registers (PCI BARs, LAPIC, IOAPIC, HPET, ACPI
 * generic address registers) mapped strong-uncacheable (PCD|PWT) in their
 * own window of kernel addresses. Access them only through volatile
 * loads and stores of the register's width.
 *
 * The direct map does not cover MMIO (it maps RAM, the firmware's ACPI and
 * NVS memory, and reserved ranges below 4 GiB uncached), so a device is
 * reached only through ioremap. RAM cannot be ioremapped.
 */
#ifndef VIREO_MM_IOREMAP_H
#define VIREO_MM_IOREMAP_H

#include "kernel/lib/types.h"

/* Marks a pointer to device memory (documentation only). */
#ifndef __iomem
#define __iomem
#endif

/* Map [pa, pa + len); pa need not be page-aligned. Returns the address
 * of pa, or NULL (len 0, the range holds RAM, out of memory). Ranges of
 * 2 MiB and more are placed so that 2 MiB pages can map them. */
void __iomem *ioremap(phys_addr_t pa, size_t len);
/* Undo ioremap (any address inside the mapping will do). NULL is fine. */
void iounmap(volatile void __iomem *p);

#endif
