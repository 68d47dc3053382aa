/*
 * Vector allocation and interrupt dispatch (see irq.h).
 *
 * irq_lock protects allocation and every descriptor's fn/ctx/cpu/gsi. The
 * dispatch path reads fn and ctx without the lock: a handler is published
 * with a release store of fn after ctx, and irq_free_vector() clears fn
 * and then waits for `running` to drop to zero, so a handler never runs
 * after its vector has been freed.
 */
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/ioapic.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"

#define MSI_ADDR_BASE 0xfee00000u

struct irq_desc {
	irq_handler_t fn;
	void *ctx;
	const char *name;
	u32 cpu;
	s32 gsi;                /* IOAPIC line feeding this vector, or -1 */
	bool level, active_low; /* that line's trigger and polarity */
	bool allocated;
	u32 running;            /* CPUs inside fn right now (atomic) */
	u64 count;              /* atomic */
};

static struct irq_desc irq_descs[256];
static struct spinlock irq_lock = SPINLOCK_INIT("irq");

static void irq_publish(struct irq_desc *d, irq_handler_t fn, void *ctx)
{
	d->ctx = ctx;
	/* Release: a CPU that sees fn also sees ctx. */
	__atomic_store_n(&d->fn, fn, __ATOMIC_RELEASE);
}

void irq_set_system_handler(u8 vector, irq_handler_t fn, void *ctx)
{
	struct irq_desc *d = &irq_descs[vector];

	d->name = "system";
	d->gsi = -1;
	d->allocated = true;
	irq_publish(d, fn, ctx);
}

void irq_init(void)
{
	pic_disable();
	lapic_init();
	ioapic_init();
}

int irq_alloc_vector(irq_handler_t fn, void *ctx, u32 cpu, const char *name)
{
	unsigned long flags;
	int v;

	if (!fn || !cpu_get(cpu))
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	for (v = IRQ_VECTOR_DYN_FIRST; v <= IRQ_VECTOR_DYN_LAST; v++) {
		struct irq_desc *d = &irq_descs[v];

		/* A freed vector whose last handler is still finishing stays
		 * out of reach until irq_free_vector() has waited for it. */
		if (d->allocated)
			continue;
		d->allocated = true;
		d->name = name;
		d->cpu = cpu;
		d->gsi = -1;
		irq_publish(d, fn, ctx);
		spin_unlock_irqrestore(&irq_lock, flags);
		return v;
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return -ENOSPC;
}

static bool irq_vector_dynamic(int v)
{
	return v >= IRQ_VECTOR_DYN_FIRST && v <= IRQ_VECTOR_DYN_LAST;
}

int irq_set_target(int vector, u32 cpu)
{
	struct irq_desc *d;
	struct cpu *c = cpu_get(cpu);
	unsigned long flags;
	int ret = 0;

	if (!irq_vector_dynamic(vector) || !c)
		return -EINVAL;
	d = &irq_descs[vector];
	flags = spin_lock_irqsave(&irq_lock);
	if (!d->allocated) {
		ret = -EINVAL;
	} else if (d->gsi >= 0) {
		ret = ioapic_route((u32)d->gsi, (u8)vector, c->apic_id, d->level,
				   d->active_low);
	}
	if (!ret)
		d->cpu = cpu;
	spin_unlock_irqrestore(&irq_lock, flags);
	return ret;
}

void irq_free_vector(int vector)
{
	struct irq_desc *d;
	unsigned long flags;

	if (!irq_vector_dynamic(vector))
		return;
	d = &irq_descs[vector];
	flags = spin_lock_irqsave(&irq_lock);
	if (d->gsi >= 0)
		ioapic_mask((u32)d->gsi);
	__atomic_store_n(&d->fn, NULL, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&irq_lock, flags);
	/* A handler that loaded fn before the store may still be running. */
	while (__atomic_load_n(&d->running, __ATOMIC_ACQUIRE))
		cpu_relax();
	flags = spin_lock_irqsave(&irq_lock);
	d->ctx = NULL;
	d->gsi = -1;
	d->allocated = false;
	spin_unlock_irqrestore(&irq_lock, flags);
}

int irq_msi_message(int vector, u64 *addr, u32 *data)
{
	struct irq_desc *d;
	struct cpu *c;

	if (!irq_vector_dynamic(vector))
		return -EINVAL;
	d = &irq_descs[vector];
	c = cpu_get(READ_ONCE(d->cpu));
	if (!READ_ONCE(d->allocated) || !c)
		return -EINVAL;
	/* Without interrupt remapping the destination field has 8 bits. */
	if (c->apic_id > 0xff)
		return -ERANGE;
	*addr = MSI_ADDR_BASE | (c->apic_id << 12);
	*data = (u32)vector;                    /* fixed, edge */
	return 0;
}

int irq_request_isa(unsigned isa_irq, irq_handler_t fn, void *ctx, const char *name)
{
	struct acpi_irq_route r;
	unsigned long flags;
	int v, err;

	if (isa_irq > 15)
		return -EINVAL;
	acpi_isa_irq_route(acpi_madt(), isa_irq, &r);
	v = irq_alloc_vector(fn, ctx, 0, name);
	if (v < 0)
		return v;
	flags = spin_lock_irqsave(&irq_lock);
	irq_descs[v].gsi = (s32)r.gsi;
	irq_descs[v].level = r.level;
	irq_descs[v].active_low = r.active_low;
	err = ioapic_route(r.gsi, (u8)v, cpu_get(0)->apic_id, r.level, r.active_low);
	spin_unlock_irqrestore(&irq_lock, flags);
	if (err) {
		irq_free_vector(v);
		return err;
	}
	return v;
}

u64 irq_vector_count(int vector)
{
	if (vector < 0 || vector > 255)
		return 0;
	return __atomic_load_n(&irq_descs[vector].count, __ATOMIC_RELAXED);
}

u64 irq_vector_cpu_count(int vector, u32 cpu)
{
	struct cpu *c = cpu_get(cpu);

	if (vector < 0 || vector > 255 || !c)
		return 0;
	return READ_ONCE(c->irq_counts[vector]);
}

bool irq_vector_info(int vector, struct irq_vector_info *out)
{
	struct irq_desc *d;
	unsigned long flags;
	bool ok;

	if (vector < 0 || vector > 255)
		return false;
	d = &irq_descs[vector];
	flags = spin_lock_irqsave(&irq_lock);
	ok = d->allocated;
	if (ok) {
		out->name = d->name;
		out->gsi = d->gsi;
		out->level = d->level;
		out->cpu = d->cpu;
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return ok;
}

void irq_dispatch(struct trap_frame *f)
{
	struct irq_desc *d = &irq_descs[f->vector & 0xff];
	struct cpu *c = this_cpu();
	irq_handler_t fn;

	c->nr_irqs++;
	c->irq_counts[f->vector & 0xff]++;
	__atomic_fetch_add(&d->count, 1, __ATOMIC_RELAXED);
	/* Spurious: no EOI (SDM vol 3 §11.9). A masked 8259's IRQ 7/15 ghost
	 * did not come through the LAPIC either. */
	if (f->vector == IRQ_VECTOR_SPURIOUS ||
	    (f->vector >= IRQ_VECTOR_PIC_BASE && f->vector < IRQ_VECTOR_DYN_FIRST))
		return;

	c->irq_depth++;
	__atomic_fetch_add(&d->running, 1, __ATOMIC_SEQ_CST);
	fn = __atomic_load_n(&d->fn, __ATOMIC_ACQUIRE);
	if (fn)
		fn(d->ctx);
	__atomic_fetch_sub(&d->running, 1, __ATOMIC_RELEASE);
	c->irq_depth--;
	if (!fn)
		pr_warn("irq: cpu %u: vector %lu has no handler\n", c->id,
			(unsigned long)f->vector);
	lapic_eoi();
	sched_irq_exit();
}
