// uses: pci/ecam_dsdt.c
#include "pci/ecam_dsdt.h"
#include "tests/unit/unit.h"

/* A tiny AML assembler: just the encodings pci_ecam_from_aml reads
 * (ACPI 6.4 §20.2), so each case spells out its DSDT. */
struct aml {
	u8 b[1024];
	size_t n;
};

static void put(struct aml *a, const void *p, size_t n)
{
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void put8(struct aml *a, u8 v)
{
	put(a, &v, 1);
}

static void put_int(struct aml *a, u64 v)
{
	if (v <= 0xffffffffu) {
		put8(a, 0x0c);                          /* DWordPrefix */
		put(a, &v, 4);
	} else {
		put8(a, 0x0e);                          /* QWordPrefix */
		put(a, &v, 8);
	}
}

/* PkgLength for a body of n bytes (the encoding counts itself). */
static void put_pkglen(struct aml *a, size_t n)
{
	if (n + 1 < 64) {
		put8(a, (u8)(n + 1));
	} else {
		put8(a, (u8)(0x40 | ((n + 2) & 0xf)));
		put8(a, (u8)((n + 2) >> 4));
	}
}

static void name_str(struct aml *a, const char *seg, const char *s)
{
	put8(a, 0x08);
	put(a, seg, 4);
	put8(a, 0x0d);                                  /* StringPrefix */
	put(a, s, strlen(s) + 1);
}

static void name_int(struct aml *a, const char *seg, u64 v)
{
	put8(a, 0x08);
	put(a, seg, 4);
	put_int(a, v);
}

/* Method (_CBA, 0) { Return (v) }, as QEMU's gpex-acpi.c writes it. */
static void method_cba(struct aml *a, u64 v)
{
	struct aml body = { .n = 0 };

	put(&body, "_CBA", 4);
	put8(&body, 0x00);                              /* MethodFlags */
	put8(&body, 0xa4);                              /* ReturnOp */
	put_int(&body, v);
	put8(a, 0x14);
	put_pkglen(a, body.n);
	put(a, body.b, body.n);
}

/* Name (_CRS, ResourceTemplate () { WordBusNumber (min, max) }). */
static void crs_bus(struct aml *a, u16 min, u16 max)
{
	u8 d[16] = { 0x88, 13, 0, 2, 0x0c, 0 };
	u16 len = (u16)(max - min + 1);
	u8 end_tag[2] = { 0x79, 0 };

	memcpy(d + 8, &min, 2);
	memcpy(d + 10, &max, 2);
	memcpy(d + 14, &len, 2);
	put8(a, 0x08);
	put(a, "_CRS", 4);
	put8(a, 0x11);                                  /* BufferOp */
	put_pkglen(a, 2 + sizeof(d) + sizeof(end_tag));
	put8(a, 0x0a);                                  /* BytePrefix size */
	put8(a, (u8)(sizeof(d) + sizeof(end_tag)));
	put(a, d, sizeof(d));
	put(a, end_tag, sizeof(end_tag));
}

static void device(struct aml *a, const char *name, const struct aml *body)
{
	put8(a, 0x5b);
	put8(a, 0x82);
	put_pkglen(a, 4 + body->n);
	put(a, name, 4);
	put(a, body->b, body->n);
}

/* QEMU 7.2 microvm's host bridge, trimmed to what matters, with a nested
 * device (RES0) of its own. */
static void microvm_bridge(struct aml *a, u64 cba)
{
	struct aml br = { .n = 0 }, res0 = { .n = 0 };

	name_str(&br, "_HID", "PNP0A08");
	name_str(&br, "_CID", "PNP0A03");
	name_int(&br, "_SEG", 0);
	method_cba(&br, cba);
	crs_bus(&br, 0, 0xff);
	name_str(&res0, "_HID", "PNP0C02");
	device(&br, "RES0", &res0);
	device(a, "PCI0", &br);
}

/* Scan an exactly-sized heap copy, so ASan sees any read past the end. */
static unsigned scan(const struct aml *a, size_t len, struct mcfg_entry *out, unsigned max)
{
	u8 *copy = malloc(len ? len : 1);
	unsigned n;

	memcpy(copy, a->b, len);
	n = pci_ecam_from_aml(copy, len, out, max);
	free(copy);
	return n;
}

UNIT_TEST(microvm_cba_method_and_bus_range)
{
	struct aml a = { .n = 0 };
	struct mcfg_entry e[2];

	microvm_bridge(&a, 0xe0000000);
	EXPECT_EQ(scan(&a, a.n, e, 2), 1);
	EXPECT_EQ(e[0].base, 0xe0000000);
	EXPECT_EQ(e[0].segment, 0);
	EXPECT_EQ(e[0].start_bus, 0);
	EXPECT_EQ(e[0].end_bus, 0xff);
}

UNIT_TEST(name_cba_qword_eisaid_segment_and_partial_bus_range)
{
	struct aml a = { .n = 0 }, br = { .n = 0 };
	struct mcfg_entry e;
	u8 eisaid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08 };

	put(&br, eisaid, sizeof(eisaid));
	name_int(&br, "_SEG", 1);
	name_int(&br, "_CBA", 0x800000000ULL);
	crs_bus(&br, 0x10, 0x1f);
	device(&a, "PCI1", &br);
	EXPECT_EQ(scan(&a, a.n, &e, 1), 1);
	EXPECT_EQ(e.base, 0x800000000ULL);
	EXPECT_EQ(e.segment, 1);
	EXPECT_EQ(e.start_bus, 0x10);
	EXPECT_EQ(e.end_bus, 0x1f);
}

UNIT_TEST(conventional_pci_bridge_is_not_ecam)
{
	struct aml a = { .n = 0 }, br = { .n = 0 };

	name_str(&br, "_HID", "PNP0A03");
	method_cba(&br, 0xe0000000);
	crs_bus(&br, 0, 0xff);
	device(&a, "PCI0", &br);
	EXPECT_EQ(scan(&a, a.n, NULL, 0), 0);
}

UNIT_TEST(bus_range_of_a_nested_device_is_not_the_bridges)
{
	struct aml a = { .n = 0 }, br = { .n = 0 }, child = { .n = 0 };

	name_str(&br, "_HID", "PNP0A08");
	method_cba(&br, 0xe0000000);
	crs_bus(&child, 0, 3);
	device(&br, "CHLD", &child);
	device(&a, "PCI0", &br);
	EXPECT_EQ(scan(&a, a.n, NULL, 0), 0);
}

UNIT_TEST(counts_every_bridge_and_fills_only_max)
{
	struct aml a = { .n = 0 };
	struct mcfg_entry e[1];

	microvm_bridge(&a, 0xe0000000);
	microvm_bridge(&a, 0xf0000000);
	EXPECT_EQ(scan(&a, a.n, NULL, 0), 2);
	EXPECT_EQ(scan(&a, a.n, e, 1), 2);
	EXPECT_EQ(e[0].base, 0xe0000000);
}

UNIT_TEST(every_truncation_is_safe_and_finds_nothing)
{
	struct aml a = { .n = 0 };

	microvm_bridge(&a, 0xe0000000);
	for (size_t len = 0; len < a.n; len++)
		EXPECT_EQ(scan(&a, len, NULL, 0), 0);
}

UNIT_TEST(device_length_past_the_table_is_ignored)
{
	struct aml a = { .n = 0 };
	struct mcfg_entry e;

	microvm_bridge(&a, 0xe0000000);
	EXPECT_EQ(a.b[2] >> 6, 1);      /* a two-byte PkgLength... */
	a.b[2] |= 0x0f;                 /* ...made 0xfff: past the end */
	a.b[3] = 0xff;
	EXPECT_EQ(scan(&a, a.n, &e, 1), 0);
}
