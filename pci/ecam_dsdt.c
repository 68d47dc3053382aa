/*
 * ECAM windows from the DSDT.
 *
 * QEMU's microvm (pcie=on) has a GPEX PCI Express host bridge but builds
 * no MCFG table: hw/i386/acpi-microvm.c describes the bridge only in the
 * DSDT, through acpi_dsdt_add_gpex() (hw/pci-host/gpex-acpi.c). PCI
 * Firmware Spec 3.3 §4.1.3 covers exactly this case: a host bridge
 * (_HID or _CID "PNP0A08") whose ECAM space is not in the MCFG reports
 * its base with _CBA, its segment with _SEG (0 if absent) and its bus
 * range with a Word Bus Number descriptor in _CRS (ACPI 6.4 §6.4.3.5.3).
 *
 * QEMU writes these as constants: `Method (_CBA) { Return (0xe0000000) }`
 * (a `Name (_CBA, ...)` is as valid, and accepted too), `Name (_HID,
 * "PNP0A08")` (q35 uses the EISA-id form), and the descriptor inside the
 * `Name (_CRS, ResourceTemplate () {...})` buffer. So a byte scan finds
 * them without an AML interpreter. Each Device () carries the length of
 * its body (a PkgLength, ACPI 6.4 §20.2.4), which bounds the scan to one
 * device's own objects; its nested devices (QEMU's GSI links, RES0) are
 * skipped, so their resources are not taken for the bridge's.
 */
#include "pci/ecam_dsdt.h"
#include "kernel/lib/string.h"

/* AML encodings, ACPI 6.4 §20.2. */
#define AML_ZERO_OP      0x00
#define AML_ONE_OP       0x01
#define AML_NAME_OP      0x08
#define AML_BYTE_PREFIX  0x0a
#define AML_WORD_PREFIX  0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_METHOD_OP    0x14
#define AML_EXT_PREFIX   0x5b
#define AML_DEVICE_OP    0x82           /* after AML_EXT_PREFIX */
#define AML_RETURN_OP    0xa4
#define AML_ONES_OP      0xff

/* Word Address Space Descriptor, ACPI 6.4 §6.4.3.5.3: tag 0x88, length
 * 13, resource type 2 = bus number range; minimum at +8, maximum at +10. */
#define RES_WORD_ADDR    0x88
#define RES_WORD_LEN     13
#define RES_TYPE_BUS     2

/* "PNP0A08" as a compressed EISA id (ACPI 6.4 §19.3.4, EISAID), as the
 * little-endian DWord the AML holds. */
#define EISAID_PNP0A08   0x080ad041u

/* Decode the PkgLength at p: its value (which counts its own bytes) in
 * *len, and the number of bytes it takes, or 0 if it runs past end. */
static size_t aml_pkglen(const u8 *p, const u8 *end, size_t *len)
{
	size_t follow, i;

	if (p >= end)
		return 0;
	follow = p[0] >> 6;
	if ((size_t)(end - p) < 1 + follow)
		return 0;
	if (!follow) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0x0f;
	for (i = 0; i < follow; i++)
		*len |= (size_t)p[1 + i] << (4 + 8 * i);
	return 1 + follow;
}

/* A constant integer at p (ACPI 6.4 §20.2.3, ComputationalData). */
static bool aml_int(const u8 *p, const u8 *end, u64 *v)
{
	size_t n;

	if (p >= end)
		return false;
	switch (p[0]) {
	case AML_ZERO_OP: *v = 0; return true;
	case AML_ONE_OP: *v = 1; return true;
	case AML_ONES_OP: *v = ~0ULL; return true;
	case AML_BYTE_PREFIX: n = 1; break;
	case AML_WORD_PREFIX: n = 2; break;
	case AML_DWORD_PREFIX: n = 4; break;
	case AML_QWORD_PREFIX: n = 8; break;
	default: return false;
	}
	if ((size_t)(end - p) < 1 + n)
		return false;
	*v = 0;
	memcpy(v, p + 1, n);            /* little-endian, like the host */
	return true;
}

/* An _HID/_CID value at p that names a PCI Express host bridge. */
static bool aml_is_pcie_bridge_id(const u8 *p, const u8 *end)
{
	static const char id[] = "PNP0A08";
	u64 v;

	if (p < end && p[0] == AML_STRING_PREFIX)
		return (size_t)(end - p) >= sizeof(id) + 1 &&
		       !memcmp(p + 1, id, sizeof(id));
	return aml_int(p, end, &v) && v == EISAID_PNP0A08;
}

static bool aml_name_is(const u8 *p, const u8 *end, const char *seg)
{
	return (size_t)(end - p) >= 5 && p[0] == AML_NAME_OP && !memcmp(p + 1, seg, 4);
}

/* `Method (_CBA, 0) { Return (constant) }` at p: the constant. */
static bool aml_cba_method(const u8 *p, const u8 *end, u64 *base)
{
	size_t len, n;

	if (p >= end || p[0] != AML_METHOD_OP)
		return false;
	n = aml_pkglen(p + 1, end, &len);
	if (!n || (size_t)(end - p) < 1 + n + 6 || memcmp(p + 1 + n, "_CBA", 4))
		return false;
	/* NameSeg, then MethodFlags, then the body. */
	return p[1 + n + 5] == AML_RETURN_OP && aml_int(p + 1 + n + 6, end, base);
}

struct bridge {
	bool pcie;
	bool have_base, have_bus;
	u64 base, seg;
	u16 bus_min, bus_max;
};

/* The objects of one device body [p, end), nested devices left out. */
static void scan_device(const u8 *p, const u8 *end, struct bridge *b)
{
	size_t len, n;

	while (p < end) {
		if (end - p >= 2 && p[0] == AML_EXT_PREFIX && p[1] == AML_DEVICE_OP) {
			n = aml_pkglen(p + 2, end, &len);
			if (!n || len > (size_t)(end - p - 2))
				return;
			p += 2 + len;
			continue;
		}
		if (aml_name_is(p, end, "_HID") || aml_name_is(p, end, "_CID"))
			b->pcie |= aml_is_pcie_bridge_id(p + 5, end);
		else if (aml_name_is(p, end, "_CBA"))
			b->have_base |= aml_int(p + 5, end, &b->base);
		else if (aml_cba_method(p, end, &b->base))
			b->have_base = true;
		else if (aml_name_is(p, end, "_SEG"))
			aml_int(p + 5, end, &b->seg);
		else if (!b->have_bus && end - p >= 3 + RES_WORD_LEN &&
			 p[0] == RES_WORD_ADDR && p[1] == RES_WORD_LEN && p[2] == 0 &&
			 p[3] == RES_TYPE_BUS) {
			memcpy(&b->bus_min, p + 8, 2);
			memcpy(&b->bus_max, p + 10, 2);
			b->have_bus = true;
		}
		p++;
	}
}

unsigned pci_ecam_from_aml(const u8 *aml, size_t len, struct mcfg_entry *out,
			   unsigned max)
{
	const u8 *p, *end = aml + len;
	unsigned found = 0;

	for (p = aml; end - p >= 2; p++) {
		struct bridge b = { 0 };
		size_t dev_len, n;

		if (p[0] != AML_EXT_PREFIX || p[1] != AML_DEVICE_OP)
			continue;
		n = aml_pkglen(p + 2, end, &dev_len);
		if (!n || dev_len < n || dev_len > (size_t)(end - p - 2))
			continue;
		scan_device(p + 2 + n, p + 2 + dev_len, &b);
		/* A root bridge must give its bus range (PCI Firmware Spec
		 * 3.3 §4.1.3): without one the window's size is unknown. */
		if (!b.pcie || !b.have_base || !b.have_bus || !b.base || b.seg > 0xffff ||
		    b.bus_min > b.bus_max || b.bus_max > 0xff)
			continue;
		if (found < max) {
			out[found] = (struct mcfg_entry){
				.base = b.base,
				.segment = (u16)b.seg,
				.start_bus = (u8)b.bus_min,
				.end_bus = (u8)b.bus_max,
			};
		}
		found++;
	}
	return found;
}
