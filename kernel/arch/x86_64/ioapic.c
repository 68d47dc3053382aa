/*
 * IOAPIC driver (see ioapic.h). The IOAPIC list is not copied: each
 * operation walks the MADT (a handful of entries) to find the chip for a
 * GSI, so there is no table to size. Routing changes are rare (device
 * setup), never on an interrupt path.
 */
#include "kernel/arch/x86_64/ioapic.h"
#include "kernel/mm/ioremap.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/sched/spinlock.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000
#define IOREGSEL  0x00
#define IOWIN     0x10
#define IOAPICVER 0x01
#define IOREDTBL(pin) (0x10 + 2 * (pin))

#define RTE_MASKED     (1u << 16)
#define RTE_LEVEL      (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base;
	u32 pins;
};

/* Serialises the select/window register pairs of every IOAPIC. */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");
static bool ioapic_from_madt;

static u32 ioapic_read(volatile u32 *regs, u32 reg)
{
	regs[IOREGSEL / 4] = reg;
	return regs[IOWIN / 4];
}

static void ioapic_write(volatile u32 *regs, u32 reg, u32 v)
{
	regs[IOREGSEL / 4] = reg;
	regs[IOWIN / 4] = v;
}

static void ioapic_probe(struct ioapic *io, u64 phys, u32 gsi_base)
{
	io->regs = ioremap(phys, 0x20);
	io->gsi_base = gsi_base;
	if (!io->regs) {
		pr_warn("ioapic: cannot map registers at %#lx\n", (unsigned long)phys);
		io->pins = 0;
		return;
	}
	/* Version register bits 23:16: the highest redirection entry. */
	io->pins = ((ioapic_read(io->regs, IOAPICVER) >> 16) & 0xff) + 1;
}

struct find_ctx {
	u32 gsi;
	struct ioapic *io;
	int (*each)(struct ioapic *io, void *arg);      /* for every chip */
	void *arg;
};

static int ioapic_find_entry(const struct acpi_madt_entry *e, void *arg)
{
	const struct acpi_madt_ioapic *m = (const void *)e;
	struct find_ctx *ctx = arg;

	if (e->type != ACPI_MADT_IOAPIC || e->length < sizeof(*m))
		return 0;
	ioapic_probe(ctx->io, m->address, m->gsi_base);
	if (ctx->each)
		return ctx->each(ctx->io, ctx->arg);
	return ctx->gsi >= m->gsi_base && ctx->gsi < m->gsi_base + ctx->io->pins;
}

/* Visit every IOAPIC (each) or find the one holding gsi (1 if found). */
static int ioapic_walk(struct find_ctx *ctx)
{
	if (ioapic_from_madt)
		return acpi_madt_walk(acpi_madt(), ioapic_find_entry, ctx);
	ioapic_probe(ctx->io, IOAPIC_DEFAULT_BASE, 0);
	if (ctx->each)
		return ctx->each(ctx->io, ctx->arg);
	return ctx->gsi < ctx->io->pins;
}

static int ioapic_mask_all(struct ioapic *io, void *arg)
{
	int *count = arg;

	for (u32 pin = 0; pin < io->pins; pin++) {
		ioapic_write(io->regs, IOREDTBL(pin) + 1, 0);
		ioapic_write(io->regs, IOREDTBL(pin), RTE_MASKED);
	}
	pr_info("ioapic: GSIs %u-%u\n", io->gsi_base, io->gsi_base + io->pins - 1);
	(*count)++;
	return 0;
}

int ioapic_init(void)
{
	struct ioapic io;
	int count = 0;
	struct find_ctx ctx = { .io = &io, .each = ioapic_mask_all, .arg = &count };
	unsigned long flags;

	ioapic_from_madt = acpi_madt() != NULL;
	flags = spin_lock_irqsave(&ioapic_lock);
	ioapic_walk(&ctx);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	if (!count) {
		pr_warn("ioapic: none found; no legacy interrupts\n");
		return -ENODEV;
	}
	return 0;
}

int ioapic_route(u32 gsi, u8 vector, u32 apic_id, bool level, bool active_low)
{
	struct ioapic io;
	struct find_ctx ctx = { .gsi = gsi, .io = &io };
	unsigned long flags;
	u32 lo = vector, pin;
	int ret = 0;

	if (apic_id > 0xff)
		return -ERANGE;
	if (level)
		lo |= RTE_LEVEL;
	if (active_low)
		lo |= RTE_ACTIVE_LOW;
	flags = spin_lock_irqsave(&ioapic_lock);
	if (ioapic_walk(&ctx) != 1) {
		ret = -ENODEV;
		goto out_unlock;
	}
	pin = gsi - io.gsi_base;
	/* Mask while the two halves disagree, destination first. */
	ioapic_write(io.regs, IOREDTBL(pin), RTE_MASKED);
	ioapic_write(io.regs, IOREDTBL(pin) + 1, apic_id << 24);
	ioapic_write(io.regs, IOREDTBL(pin), lo);
out_unlock:
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return ret;
}

int ioapic_mask(u32 gsi)
{
	struct ioapic io;
	struct find_ctx ctx = { .gsi = gsi, .io = &io };
	unsigned long flags;
	int ret = -ENODEV;

	flags = spin_lock_irqsave(&ioapic_lock);
	if (ioapic_walk(&ctx) == 1) {
		u32 pin = gsi - io.gsi_base;

		ioapic_write(io.regs, IOREDTBL(pin),
			     ioapic_read(io.regs, IOREDTBL(pin)) | RTE_MASKED);
		ret = 0;
	}
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return ret;
}
