/*
 * The local APIC of each CPU: x2APIC (MSR access) when the CPU offers it,
 * xAPIC (MMIO) otherwise. EOI, IPIs, and the per-CPU timer in TSC-deadline
 * mode where available, one-shot otherwise. Register layout: Intel SDM
 * vol 3 §11.4.1 (table 11-1) and §12.12 (x2APIC).
 */
#ifndef VIREO_ARCH_APIC_H
#define VIREO_ARCH_APIC_H

#include "kernel/lib/types.h"

/* Enable this CPU's LAPIC: spurious and error vectors, LINT pins from the
 * MADT, timer masked. The first call picks the mode for every CPU. */
void lapic_init(void);
u32 lapic_id(void);
bool lapic_x2apic_mode(void);
void lapic_eoi(void);

/* Fixed-delivery IPI to one CPU, or to every other CPU. */
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_ipi_others(u8 vector);
void lapic_send_nmi_others(void);
/* The INIT and STARTUP (vector = page of the real-mode entry) IPIs. */
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u8 page);

/* Timer: the first call (boot CPU) picks TSC-deadline or calibrates the
 * one-shot count against the TSC. Call on every CPU. */
void lapic_timer_init(u8 vector);
/* Fire the timer vector once at deadline (ktime_get() nanoseconds); a past
 * deadline fires at once. Interrupts off. */
void lapic_timer_arm(u64 deadline_ns);
void lapic_timer_disarm(void);
const char *lapic_timer_mode(void);

#endif
