/*
 * ECAM windows described in the DSDT, for machines without an MCFG table
 * (see ecam_dsdt.c). Pure code: no allocation, no I/O, host-testable.
 */
#ifndef VIREO_PCI_ECAM_DSDT_H
#define VIREO_PCI_ECAM_DSDT_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

/* One ECAM window, laid out as an MCFG allocation entry (PCI Firmware
 * Spec 3.3 §4.1.2, table 4-3): base is the address of bus 0's space. */
struct mcfg_entry {
	u64 base;
	u16 segment;
	u8 start_bus;
	u8 end_bus;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct mcfg_entry) == 16, "MCFG entry");

/* Scan len bytes of AML (a DSDT or SSDT body, after its header) for PCI
 * Express host bridges with a _CBA; store up to max of them in out and
 * return how many there are (call with max 0 to count). */
unsigned pci_ecam_from_aml(const u8 *aml, size_t len, struct mcfg_entry *out,
			   unsigned max);

#endif
