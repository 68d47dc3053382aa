/*
 * ACPI static tables (no AML interpreter). Layouts follow the ACPI 6.4
 * specification; Debian ships no ACPI table header outside the Linux
 * source tree, so they are written here and pinned with static asserts.
 */
#ifndef VIREO_ACPI_ACPI_H
#define VIREO_ACPI_ACPI_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"

struct acpi_rsdp {                      /* §5.2.5.3 */
	char signature[8];              /* "RSD PTR " */
	u8 checksum;                    /* first 20 bytes */
	char oem_id[6];
	u8 revision;                    /* 0: ACPI 1.0 (RSDT only) */
	u32 rsdt_address;
	u32 length;                     /* revision >= 2 from here */
	u64 xsdt_address;
	u8 extended_checksum;
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");

struct acpi_header {                    /* §5.2.6 */
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header");

struct acpi_gas {                       /* §5.2.3.2 Generic Address */
	u8 space_id;                    /* 0 memory, 1 I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO     1

struct acpi_fadt {                      /* §5.2.9, table 5.9 */
	struct acpi_header hdr;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT sleep");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size");

#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED    (1u << 20)

/* Find and checksum the RSDP's root table; warn (not panic) on trouble. */
int acpi_init(u64 rsdp_phys);
/* The index'th table with this signature, checksum verified, or NULL. */
const struct acpi_header *acpi_find_table(const char *sig, int index);
const struct acpi_fadt *acpi_fadt(void);

/* Enter S5 (soft off). Returns only if that is not possible. */
int acpi_power_off(void);
/* Write the FADT reset register. Returns only if that did not reset. */
int acpi_reset(void);

#endif
