// uses: kernel/acpi/table.c
#include "kernel/acpi/acpi.h"
#include "tests/unit/unit.h"
#include "kernel/lib/errno.h"

/* An exactly-sized heap copy, so ASan sees any read past the table. */
static struct acpi_madt *madt_new(const void *entries, size_t len)
{
	size_t total = sizeof(struct acpi_madt) + len;
	struct acpi_madt *m = calloc(1, total);
	u8 sum = 0;

	memcpy(m->hdr.signature, "APIC", 4);
	m->hdr.length = (u32)total;
	memcpy(m + 1, entries, len);
	for (size_t i = 0; i < total; i++)
		sum += ((u8 *)m)[i];
	m->hdr.checksum = (u8)-sum;
	return m;
}

static int count(const struct acpi_madt_entry *e, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

UNIT_TEST(checksum_catches_every_single_byte_change)
{
	static const u8 ents[] = { ACPI_MADT_LAPIC, 8, 0, 0, 1, 0, 0, 0 };
	struct acpi_madt *m = madt_new(ents, sizeof(ents));
	u8 *b = (u8 *)m;

	EXPECT_EQ(acpi_table_check(m, m->hdr.length), 0);
	for (u32 i = 0; i < m->hdr.length; i++) {
		if (i >= 4 && i < 8)
			continue;       /* length bytes: rejected as -EINVAL instead */
		b[i] ^= 0x40;
		EXPECT_EQ(acpi_table_check(m, m->hdr.length), -EBADMSG);
		b[i] ^= 0x40;
	}
	free(m);
}

UNIT_TEST(length_beyond_buffer_rejected)
{
	static const u8 ents[] = { ACPI_MADT_LAPIC, 8, 0, 0, 1, 0, 0, 0 };
	struct acpi_madt *m = madt_new(ents, sizeof(ents));

	EXPECT_EQ(acpi_table_check(m, m->hdr.length - 1), -EINVAL);
	EXPECT_EQ(acpi_table_check(m, 35), -EINVAL);
	free(m);
}

UNIT_TEST(madt_walk_stops_at_overlong_entry)
{
	/* LAPIC, then an IOAPIC entry whose length runs 1 byte past the end. */
	static const u8 ents[] = { ACPI_MADT_LAPIC, 8, 0, 0, 1, 0, 0, 0,
				   ACPI_MADT_IOAPIC, 13, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
	struct acpi_madt *m = madt_new(ents, sizeof(ents));
	int n = 0;

	EXPECT_EQ(acpi_madt_walk(m, count, &n), -EINVAL);
	EXPECT_EQ(n, 1);
	free(m);
}

UNIT_TEST(madt_walk_stops_at_lone_type_byte)
{
	static const u8 ents[] = { ACPI_MADT_LAPIC, 8, 0, 0, 1, 0, 0, 0, ACPI_MADT_IOAPIC };
	struct acpi_madt *m = madt_new(ents, sizeof(ents));
	int n = 0;

	EXPECT_EQ(acpi_madt_walk(m, count, &n), -EINVAL);
	EXPECT_EQ(n, 1);
	free(m);
}

UNIT_TEST(isa_override_polarity_and_trigger)
{
	/* IRQ0 -> GSI 2 (conforming), IRQ10 -> GSI 10 level, active low. */
	static const u8 ents[] = {
		ACPI_MADT_IRQ_OVERRIDE, 10, 0, 0, 2, 0, 0, 0, 0, 0,
		ACPI_MADT_IRQ_OVERRIDE, 10, 0, 10, 10, 0, 0, 0,
		ACPI_MPS_POLARITY_LOW | ACPI_MPS_TRIGGER_LEVEL, 0,
	};
	struct acpi_madt *m = madt_new(ents, sizeof(ents));
	struct acpi_irq_route r;

	acpi_isa_irq_route(m, 0, &r);
	EXPECT(r.gsi == 2 && !r.level && !r.active_low);
	acpi_isa_irq_route(m, 10, &r);
	EXPECT(r.gsi == 10 && r.level && r.active_low);
	acpi_isa_irq_route(m, 4, &r);
	EXPECT(r.gsi == 4 && !r.level && !r.active_low);
	acpi_isa_irq_route(NULL, 3, &r);
	EXPECT(r.gsi == 3 && !r.level);
	free(m);
}
