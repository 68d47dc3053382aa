/*
 * I/O APICs: global system interrupts (GSIs) -> vectors on a CPU. The MADT
 * lists them; without one we assume the PC default (one IOAPIC at
 * 0xfec00000 for GSIs 0..23). Redirection entry layout: 82093AA IOAPIC
 * datasheet §3.2.4.
 */
#ifndef VIREO_ARCH_IOAPIC_H
#define VIREO_ARCH_IOAPIC_H

#include "kernel/lib/types.h"

/* Find the IOAPICs and mask every pin. */
int ioapic_init(void);
/* Send gsi to vector on apic_id, fixed delivery, physical destination;
 * unmasked. -ENODEV if no IOAPIC has that GSI, -ERANGE if apic_id does
 * not fit the 8-bit destination field. */
int ioapic_route(u32 gsi, u8 vector, u32 apic_id, bool level, bool active_low);
int ioapic_mask(u32 gsi);

#endif
