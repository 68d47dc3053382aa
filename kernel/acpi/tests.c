/* In-kernel tests for the ACPI table code: built tables and QEMU's own. */
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"

/* A MADT as QEMU's pc machine builds it: one CPU, one IOAPIC, IRQ0 on
 * GSI 2 and IRQ9 level triggered, active high. */
struct test_madt {
	struct acpi_madt madt;
	struct acpi_madt_lapic lapic;
	struct acpi_madt_ioapic ioapic;
	struct acpi_madt_irq_override irq0;
	struct acpi_madt_irq_override irq9;
} __packed;

static void test_madt_build(struct test_madt *t)
{
	u8 sum = 0;

	memset(t, 0, sizeof(*t));
	memcpy(t->madt.hdr.signature, "APIC", 4);
	t->madt.hdr.length = sizeof(*t);
	t->madt.hdr.revision = 3;
	t->madt.lapic_addr = 0xfee00000;
	t->madt.flags = ACPI_MADT_PCAT_COMPAT;
	t->lapic = (struct acpi_madt_lapic){ { ACPI_MADT_LAPIC, 8 }, 0, 0, ACPI_MADT_ENABLED };
	t->ioapic = (struct acpi_madt_ioapic){ { ACPI_MADT_IOAPIC, 12 }, 0, 0, 0xfec00000, 0 };
	t->irq0 = (struct acpi_madt_irq_override){ { ACPI_MADT_IRQ_OVERRIDE, 10 }, 0, 0, 2, 0 };
	t->irq9 = (struct acpi_madt_irq_override){ { ACPI_MADT_IRQ_OVERRIDE, 10 }, 0, 9, 9,
		ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL };
	for (size_t i = 0; i < sizeof(*t); i++)
		sum += ((u8 *)t)[i];
	t->madt.hdr.checksum = (u8)-sum;
}

static int count_entries(const struct acpi_madt_entry *e, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

KTEST(acpi_corrupt_checksum_rejected)
{
	struct test_madt t;
	struct acpi_irq_route r;
	int n = 0;

	test_madt_build(&t);
	KT_ASSERT_EQ(acpi_table_check(&t, sizeof(t)), 0);
	KT_ASSERT_EQ(acpi_madt_walk(&t.madt, count_entries, &n), 0);
	KT_ASSERT_EQ(n, 4);
	acpi_isa_irq_route(&t.madt, 0, &r);
	KT_ASSERT_EQ(r.gsi, 2);
	KT_ASSERT(!r.level && !r.active_low);
	acpi_isa_irq_route(&t.madt, 9, &r);
	KT_ASSERT(r.gsi == 9 && r.level && !r.active_low);
	acpi_isa_irq_route(&t.madt, 4, &r);
	KT_ASSERT(r.gsi == 4 && !r.level);

	/* One flipped bit anywhere in the table must be caught. */
	t.ioapic.address ^= 0x1000;
	KT_ASSERT_EQ(acpi_table_check(&t, sizeof(t)), -EBADMSG);
	t.ioapic.address ^= 0x1000;
	KT_ASSERT_EQ(acpi_table_check(&t, sizeof(t)), 0);
	t.madt.hdr.signature[0] = 'X';
	KT_ASSERT_EQ(acpi_table_check(&t, sizeof(t)), -EBADMSG);
}

KTEST(acpi_bad_lengths_rejected)
{
	struct test_madt t;
	int n = 0;

	test_madt_build(&t);
	/* A length past the bytes we have, or shorter than a header. */
	KT_ASSERT_EQ(acpi_table_check(&t, sizeof(t) - 1), -EINVAL);
	KT_ASSERT_EQ(acpi_table_check(&t, 20), -EINVAL);
	t.madt.hdr.length = 12;
	KT_ASSERT_EQ(acpi_table_check(&t, sizeof(t)), -EINVAL);

	/* An entry claiming to run past the table ends the walk... */
	test_madt_build(&t);
	t.irq9.e.length = 40;
	KT_ASSERT_EQ(acpi_madt_walk(&t.madt, count_entries, &n), -EINVAL);
	KT_ASSERT_EQ(n, 3);
	/* ...and so does a zero-length one, instead of looping forever. */
	n = 0;
	t.ioapic.e.length = 0;
	KT_ASSERT_EQ(acpi_madt_walk(&t.madt, count_entries, &n), -EINVAL);
	KT_ASSERT_EQ(n, 1);
}

static int count_cpus_ioapics(const struct acpi_madt_entry *e, void *ctx)
{
	int *c = ctx;

	if (e->type == ACPI_MADT_LAPIC || e->type == ACPI_MADT_X2APIC)
		c[0]++;
	if (e->type == ACPI_MADT_IOAPIC)
		c[1]++;
	return 0;
}

KTEST(acpi_firmware_madt_has_cpus_and_ioapic)
{
	const struct acpi_madt *m = acpi_madt();
	int c[2] = { 0, 0 };

	KT_ASSERT(m != NULL);
	KT_ASSERT_EQ(acpi_table_check(m, m->hdr.length), 0);
	KT_ASSERT_EQ(acpi_madt_walk(m, count_cpus_ioapics, c), 0);
	KT_ASSERT(c[0] >= 1);
	KT_ASSERT(c[1] >= 1);
}
