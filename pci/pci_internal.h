/* Shared between the files of pci/; not for drivers. */
#ifndef VIREO_PCI_INTERNAL_H
#define VIREO_PCI_INTERNAL_H

#include "pci/pci.h"

int pci_conf_init(void);
u32 pci_conf_read(u16 seg, u8 bus, u8 slot, u8 fn, u16 off, int width);
void pci_conf_write(u16 seg, u8 bus, u8 slot, u8 fn, u16 off, int width, u32 v);
bool pci_conf_is_ecam(u16 seg, u8 bus);
/* Root buses to scan: (segment, first bus) pairs; returns how many. */
unsigned pci_conf_segments(u16 *segs, u8 *first_bus, unsigned max);

int pci_enumerate(void);
void pci_add_device(struct pci_dev *d);
int pci_assign_resources(void);
/* The bus's sysfs attributes (attrs.c). */
extern const struct device_attr *const pci_dev_attrs[];

#endif
