/*
 * ACPI static tables: RSDP -> XSDT (RSDT fallback) -> tables, every one
 * checksummed. A bad table is skipped with a warning; nothing here panics.
 *
 * Power off without AML: the S5 sleep type values live in the DSDT's
 * \_S5_ package. QEMU generates that package as plain data (q35 and pc:
 * Package {0, 0, ...}; microvm: Package {5, ...}), so a byte scan for the
 * name followed by PackageOp and integer constants finds them without
 * interpreting AML. If the scan fails we use 0 (QEMU's PIIX4 and ICH9 treat
 * SLP_TYP 0 as soft-off) and say so.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/ioremap.h"
#include "kernel/time/clock.h"

#define ACPI_PHYS_LIMIT (4ULL << 30)    /* what the early direct map covers */

static const struct acpi_header *acpi_root;     /* XSDT or RSDT */
static bool acpi_root_is_xsdt;
static const struct acpi_fadt *fadt;
static const struct acpi_madt *madt;
static u8 s5_typ_a, s5_typ_b;
static bool s5_found;
/* Memory-space registers of the FADT, mapped once by acpi_init so that
 * power off and reset need no allocation. NULL if not memory-space. */
static volatile void __iomem *reset_mmio, *sleep_ctl_mmio;

static bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/* Map a table by physical address and check length and checksum. */
static const struct acpi_header *acpi_map_table(u64 phys)
{
	const struct acpi_header *h;
	int err;

	if (!phys || phys >= ACPI_PHYS_LIMIT - sizeof(*h))
		return NULL;
	h = phys_to_virt(phys);
	err = acpi_table_check(h, ACPI_PHYS_LIMIT - phys);
	if (err == -EBADMSG) {
		pr_warn("acpi: %.4s at %#lx fails its checksum; ignored\n",
			h->signature, (unsigned long)phys);
		return NULL;
	}
	if (err) {
		pr_warn("acpi: table at %#lx has bad length %u\n",
			(unsigned long)phys, h->length);
		return NULL;
	}
	return h;
}

static u32 acpi_root_entries(void)
{
	if (!acpi_root)
		return 0;
	return (acpi_root->length - sizeof(*acpi_root)) / (acpi_root_is_xsdt ? 8 : 4);
}

static u64 acpi_root_entry(u32 i)
{
	const u8 *base = (const u8 *)(acpi_root + 1);
	u64 v64;
	u32 v32;

	/* Entries are unaligned in the XSDT (36-byte header). */
	if (acpi_root_is_xsdt) {
		memcpy(&v64, base + i * 8, 8);
		return v64;
	}
	memcpy(&v32, base + i * 4, 4);
	return v32;
}

const struct acpi_header *acpi_find_table(const char *sig, int index)
{
	if (!strncmp(sig, "DSDT", 4)) {
		if (!fadt || index)
			return NULL;
		if (fadt->hdr.length >= __builtin_offsetof(struct acpi_fadt, x_pm1a_evt_blk) &&
		    fadt->x_dsdt)
			return acpi_map_table(fadt->x_dsdt);
		return acpi_map_table(fadt->dsdt);
	}
	for (u32 i = 0, n = acpi_root_entries(); i < n; i++) {
		const struct acpi_header *h;
		u64 phys = acpi_root_entry(i);

		if (phys >= ACPI_PHYS_LIMIT - sizeof(*h))
			continue;
		h = phys_to_virt(phys);
		if (strncmp(h->signature, sig, 4))
			continue;
		h = acpi_map_table(phys);
		if (h && index-- == 0)
			return h;
	}
	return NULL;
}

const struct acpi_fadt *acpi_fadt(void)
{
	return fadt;
}

const struct acpi_madt *acpi_madt(void)
{
	return madt;
}

/* AML integer constant at p (ZeroOp, OneOp, BytePrefix n). */
static int aml_small_int(const u8 *p, const u8 *end, u8 *out)
{
	if (p >= end)
		return -EINVAL;
	if (*p == 0x00 || *p == 0x01) {         /* ZeroOp, OneOp */
		*out = *p;
		return 1;
	}
	if (*p == 0x0a && p + 1 < end) {        /* BytePrefix */
		*out = p[1];
		return 2;
	}
	return -EINVAL;
}

static void acpi_find_s5(void)
{
	const struct acpi_header *dsdt = acpi_find_table("DSDT", 0);
	const u8 *p, *end;

	if (!dsdt)
		return;
	p = (const u8 *)(dsdt + 1);
	end = (const u8 *)dsdt + dsdt->length;
	for (; p + 8 < end; p++) {
		const u8 *q;
		int n;

		if (memcmp(p, "_S5_", 4))
			continue;
		q = p + 4;
		if (*q++ != 0x12)               /* PackageOp */
			continue;
		q += (*q >> 6) + 1;             /* PkgLength: 1 + extra bytes */
		q++;                            /* NumElements */
		n = aml_small_int(q, end, &s5_typ_a);
		if (n < 0)
			continue;
		if (aml_small_int(q + n, end, &s5_typ_b) < 0)
			s5_typ_b = s5_typ_a;
		s5_found = true;
		return;
	}
}

static void acpi_map_registers(void);

int acpi_init(u64 rsdp_phys)
{
	const struct acpi_rsdp *rsdp;

	if (!rsdp_phys || rsdp_phys >= ACPI_PHYS_LIMIT - sizeof(*rsdp)) {
		pr_warn("acpi: no RSDP from the boot loader; running without ACPI\n");
		return -ENODEV;
	}
	rsdp = phys_to_virt(rsdp_phys);
	if (memcmp(rsdp->signature, "RSD PTR ", 8) || !acpi_checksum_ok(rsdp, 20)) {
		pr_warn("acpi: RSDP at %#lx is invalid; running without ACPI\n",
			(unsigned long)rsdp_phys);
		return -EINVAL;
	}
	if (rsdp->revision >= 2 && rsdp->length >= sizeof(*rsdp) &&
	    acpi_checksum_ok(rsdp, sizeof(*rsdp)) && rsdp->xsdt_address) {
		acpi_root = acpi_map_table(rsdp->xsdt_address);
		acpi_root_is_xsdt = acpi_root != NULL;
	}
	if (!acpi_root) {
		acpi_root = acpi_map_table(rsdp->rsdt_address);
		acpi_root_is_xsdt = false;
	}
	if (!acpi_root) {
		pr_warn("acpi: no valid XSDT or RSDT; running without ACPI\n");
		return -EINVAL;
	}
	pr_info("acpi: RSDP rev %u (%.6s), %s with %u tables\n", rsdp->revision,
		rsdp->oem_id, acpi_root_is_xsdt ? "XSDT" : "RSDT", acpi_root_entries());
	for (u32 i = 0, n = acpi_root_entries(); i < n; i++) {
		u64 phys = acpi_root_entry(i);
		const struct acpi_header *h =
			phys < ACPI_PHYS_LIMIT - sizeof(*h) ? phys_to_virt(phys) : NULL;

		if (h)
			pr_debug("acpi:   %.4s at %#lx len %u\n", h->signature,
				 (unsigned long)phys, h->length);
	}

	madt = (const struct acpi_madt *)acpi_find_table("APIC", 0);
	if (madt && madt->hdr.length < sizeof(*madt))
		madt = NULL;
	if (!madt)
		pr_warn("acpi: no valid MADT; one CPU, IOAPIC at its default address\n");
	fadt = (const struct acpi_fadt *)acpi_find_table("FACP", 0);
	if (fadt && fadt->hdr.length < __builtin_offsetof(struct acpi_fadt, flags) + 4) {
		pr_warn("acpi: FADT too short (%u bytes); ignored\n", fadt->hdr.length);
		fadt = NULL;
	}
	if (!fadt) {
		pr_warn("acpi: no FADT; power off and reset fall back to other means\n");
		return 0;
	}
	acpi_find_s5();
	if (!s5_found)
		pr_warn("acpi: no \\_S5_ package in the DSDT; using SLP_TYP 0\n");
	acpi_map_registers();
	return 0;
}

/* FADT fields past the ACPI 1.0 length exist only if the table is long
 * enough; a short (old) FADT has zeros there as far as we are concerned. */
static bool fadt_has(size_t end_offset)
{
	return fadt && fadt->hdr.length >= end_offset;
}

static volatile void __iomem *gas_map(const struct acpi_gas *g)
{
	if (g->space_id != ACPI_GAS_MEMORY || !g->address)
		return NULL;
	return ioremap(g->address, g->bit_width > 8 ? g->bit_width / 8 : 1);
}

static void acpi_map_registers(void)
{
	if (fadt_has(__builtin_offsetof(struct acpi_fadt, arm_boot_arch)) &&
	    (fadt->flags & ACPI_FADT_RESET_REG_SUP))
		reset_mmio = gas_map(&fadt->reset_reg);
	if ((fadt->flags & ACPI_FADT_HW_REDUCED) &&
	    fadt_has(__builtin_offsetof(struct acpi_fadt, sleep_status_reg)))
		sleep_ctl_mmio = gas_map(&fadt->sleep_control_reg);
}

/* mmio: the register's mapping if it is in memory space. */
static void gas_write(const struct acpi_gas *g, volatile void __iomem *mmio, u64 v)
{
	unsigned width = g->bit_width ? g->bit_width : 8;

	if (g->space_id == ACPI_GAS_IO) {
		if (width == 8)
			outb((u16)g->address, (u8)v);
		else if (width == 16)
			outw((u16)g->address, (u16)v);
		else
			outl((u16)g->address, (u32)v);
	} else if (g->space_id == ACPI_GAS_MEMORY && mmio) {
		if (width == 8)
			*(volatile u8 *)mmio = (u8)v;
		else if (width == 16)
			*(volatile u16 *)mmio = (u16)v;
		else
			*(volatile u32 *)mmio = (u32)v;
	}
}

/* Legacy (non-HW-reduced) hardware starts in SMM mode after a direct boot
 * with no firmware ACPI hand-off; ask for ACPI mode as Linux does. */
static void acpi_enable_mode(void)
{
	u16 cnt = (u16)fadt->pm1a_cnt_blk;

	if (!cnt || (inw(cnt) & 1) || !fadt->smi_cmd || !fadt->acpi_enable)
		return;
	outb((u16)fadt->smi_cmd, fadt->acpi_enable);
	for (int i = 0; i < 300 && !(inw(cnt) & 1); i++)
		udelay(1000);
}

int acpi_power_off(void)
{
	const u16 slp_en = 1u << 13;

	if (!fadt)
		return -ENODEV;
	pr_info("acpi: entering S5 (SLP_TYP %u)\n", s5_typ_a);

	if ((fadt->flags & ACPI_FADT_HW_REDUCED) &&
	    fadt_has(__builtin_offsetof(struct acpi_fadt, sleep_status_reg)) &&
	    fadt->sleep_control_reg.address) {
		/* §4.8.3.7: SLP_TYPx in bits 2-4, SLP_EN is bit 5. */
		gas_write(&fadt->sleep_control_reg, sleep_ctl_mmio, ((s5_typ_a & 7u) << 2) | (1u << 5));
	} else if (fadt->pm1a_cnt_blk) {
		/* §4.8.3.2.1: PM1 control, SLP_TYPx in bits 10-12, SLP_EN bit 13. */
		acpi_enable_mode();
		outw((u16)fadt->pm1a_cnt_blk, (u16)((s5_typ_a & 7u) << 10) | slp_en);
		if (fadt->pm1b_cnt_blk)
			outw((u16)fadt->pm1b_cnt_blk,
			     (u16)((s5_typ_b & 7u) << 10) | slp_en);
	}
	udelay(100000);
	return -EIO;
}

int acpi_reset(void)
{
	if (!fadt_has(__builtin_offsetof(struct acpi_fadt, arm_boot_arch)) ||
	    !(fadt->flags & ACPI_FADT_RESET_REG_SUP) || !fadt->reset_reg.address)
		return -ENODEV;
	gas_write(&fadt->reset_reg, reset_mmio, fadt->reset_value);
	udelay(100000);
	return -EIO;
}
