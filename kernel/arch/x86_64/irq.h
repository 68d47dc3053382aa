/*
 * Interrupt vectors and their handlers.
 *
 * Vector map (priority class = vector >> 4, higher wins):
 *   0x00-0x1f  CPU exceptions (traps.c)
 *   0x20-0x2f  the masked 8259s' range: only spurious IRQ 7/15 land here
 *   0x30-0xef  dynamic: irq_alloc_vector() for MSI/MSI-X and IOAPIC lines
 *   0xf0-0xff  system: timer, IPIs, APIC error, spurious
 * One descriptor per vector (256 is fixed by the architecture); a vector
 * is targeted at one CPU, so each is unique system-wide.
 */
#ifndef VIREO_ARCH_IRQ_H
#define VIREO_ARCH_IRQ_H

#include "kernel/lib/types.h"

#define IRQ_VECTOR_PIC_BASE    0x20
#define IRQ_VECTOR_DYN_FIRST   0x30
#define IRQ_VECTOR_DYN_LAST    0xef
#define IRQ_VECTOR_CALL_FUNC   0xf9
#define IRQ_VECTOR_TLB         0xfa
#define IRQ_VECTOR_RESCHED     0xfb
#define IRQ_VECTOR_TIMER       0xfc
#define IRQ_VECTOR_APIC_ERROR  0xfe
#define IRQ_VECTOR_SPURIOUS    0xff

struct trap_frame;

/* Runs with interrupts off on the target CPU; the EOI follows it. */
typedef void (*irq_handler_t)(void *ctx);

/* Boot CPU: PICs off, LAPIC on, IOAPIC pins masked. Interrupts stay off. */
void irq_init(void);

/* A free dynamic vector delivering to cpu (a CPU id); returns the vector
 * or -ENOSPC (none left), -EINVAL (no such CPU online). */
int irq_alloc_vector(irq_handler_t fn, void *ctx, u32 cpu, const char *name);
/* Retarget a vector: an IOAPIC line is reprogrammed here; an MSI user
 * must rewrite its message (irq_msi_message). */
int irq_set_target(int vector, u32 cpu);
/* Release a vector: the line is masked, and we wait until no CPU is still
 * running its handler, so ctx may be freed right after. */
void irq_free_vector(int vector);
/* The MSI address/data pair that delivers vector to its CPU (edge, fixed,
 * physical destination; PCI local bus 3.0 §6.8, SDM vol 3 §11.11). */
int irq_msi_message(int vector, u64 *addr, u32 *data);

/* An ISA IRQ (0-15) through the IOAPIC, with the MADT's overrides, to the
 * boot CPU. Returns the vector or a negative errno. */
int irq_request_isa(unsigned isa_irq, irq_handler_t fn, void *ctx, const char *name);

/* Handlers for the fixed system vectors (timer, IPIs, APIC error). */
void irq_set_system_handler(u8 vector, irq_handler_t fn, void *ctx);

/* From trap_dispatch for vectors >= 32. */
void irq_dispatch(struct trap_frame *f);

/* Times vector was taken, all CPUs. */
u64 irq_vector_count(int vector);
/* Times vector was taken on cpu (a CPU id); 0 for CPUs not online. */
u64 irq_vector_cpu_count(int vector, u32 cpu);

/* What a vector is attached to, for /proc/interrupts. */
struct irq_vector_info {
	const char *name;       /* the requester's ("virtio0.1", "system") */
	s32 gsi;                /* IOAPIC input, or -1 (MSI, system vectors) */
	bool level;             /* that input's trigger */
	u32 cpu;                /* target CPU of a dynamic vector */
};
/* false if nothing is attached to vector. */
bool irq_vector_info(int vector, struct irq_vector_info *out);

void pic_disable(void);

#endif
