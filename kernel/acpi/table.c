/*
 * Pure ACPI table logic: validation and MADT decoding on a buffer. Nothing
 * here maps memory, so the host unit tests and the in-kernel tests can hand
 * it tables they built (and broke) themselves.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"

#define ACPI_TABLE_MAX_LEN (16u << 20)  /* sanity bound on a table's length */

int acpi_table_check(const void *buf, size_t avail)
{
	const struct acpi_header *h = buf;
	const u8 *b = buf;
	u8 sum = 0;

	if (avail < sizeof(*h) || h->length < sizeof(*h) ||
	    h->length > avail || h->length > ACPI_TABLE_MAX_LEN)
		return -EINVAL;
	for (u32 i = 0; i < h->length; i++)
		sum += b[i];
	return sum ? -EBADMSG : 0;
}

int acpi_madt_walk(const struct acpi_madt *madt, acpi_madt_fn fn, void *ctx)
{
	const u8 *p, *end;

	if (madt->hdr.length < sizeof(*madt))
		return -EINVAL;
	p = (const u8 *)(madt + 1);
	end = (const u8 *)madt + madt->hdr.length;
	while (p < end) {
		const struct acpi_madt_entry *e = (const void *)p;
		int ret;

		if (end - p < (long)sizeof(*e) || e->length < sizeof(*e) ||
		    e->length > end - p)
			return -EINVAL;
		ret = fn(e, ctx);
		if (ret)
			return ret;
		p += e->length;
	}
	return 0;
}

struct isa_route_ctx {
	unsigned irq;
	struct acpi_irq_route *out;
};

static int isa_route_entry(const struct acpi_madt_entry *e, void *arg)
{
	const struct acpi_madt_irq_override *o = (const void *)e;
	struct isa_route_ctx *ctx = arg;
	u16 pol, trig;

	if (e->type != ACPI_MADT_IRQ_OVERRIDE || e->length < sizeof(*o) ||
	    o->bus != 0 || o->source != ctx->irq)
		return 0;
	ctx->out->gsi = o->gsi;
	/* "Conforms to the bus" (0) keeps the ISA default. */
	pol = o->flags & ACPI_MPS_POLARITY_MASK;
	trig = o->flags & ACPI_MPS_TRIGGER_MASK;
	if (pol)
		ctx->out->active_low = pol == ACPI_MPS_POLARITY_LOW;
	if (trig)
		ctx->out->level = trig == ACPI_MPS_TRIGGER_LEVEL;
	return 1;
}

void acpi_isa_irq_route(const struct acpi_madt *madt, unsigned irq,
			struct acpi_irq_route *out)
{
	struct isa_route_ctx ctx = { irq, out };

	/* ISA interrupts are edge triggered, active high, identity mapped. */
	out->gsi = irq;
	out->level = false;
	out->active_low = false;
	if (madt)
		acpi_madt_walk(madt, isa_route_entry, &ctx);
}
