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

#define ACPI_FADT_TMR_VAL_EXT   (1u << 8)       /* PM timer is 32 bits, else 24 */

/* MADT (§5.2.12): the interrupt controllers and the CPUs. */
struct acpi_madt {
	struct acpi_header hdr;
	u32 lapic_addr;
	u32 flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT");

#define ACPI_MADT_PCAT_COMPAT   (1u << 0)       /* 8259 PICs present */

struct acpi_madt_entry {                /* common head of every structure */
	u8 type;
	u8 length;
} __packed;

#define ACPI_MADT_LAPIC          0
#define ACPI_MADT_IOAPIC         1
#define ACPI_MADT_IRQ_OVERRIDE   2
#define ACPI_MADT_LAPIC_NMI      4
#define ACPI_MADT_LAPIC_OVERRIDE 5
#define ACPI_MADT_X2APIC         9
#define ACPI_MADT_X2APIC_NMI     10

struct acpi_madt_lapic {                /* §5.2.12.2 */
	struct acpi_madt_entry e;
	u8 processor_uid;
	u8 apic_id;
	u32 flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC");

#define ACPI_MADT_ENABLED        (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE (1u << 1)

struct acpi_madt_ioapic {               /* §5.2.12.3 */
	struct acpi_madt_entry e;
	u8 ioapic_id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC");

struct acpi_madt_irq_override {         /* §5.2.12.5 */
	struct acpi_madt_entry e;
	u8 bus;                         /* 0: ISA */
	u8 source;                      /* ISA IRQ */
	u32 gsi;
	u16 flags;                      /* MPS INTI flags, below */
} __packed;
_Static_assert(sizeof(struct acpi_madt_irq_override) == 10, "MADT override");

/* MPS INTI flags (§5.2.12.5, table 5.26). 0 in a field: bus default. */
#define ACPI_MPS_POLARITY_MASK   0x3
#define ACPI_MPS_POLARITY_HIGH   0x1
#define ACPI_MPS_POLARITY_LOW    0x3
#define ACPI_MPS_TRIGGER_MASK    0xc
#define ACPI_MPS_TRIGGER_EDGE    0x4
#define ACPI_MPS_TRIGGER_LEVEL   0xc

struct acpi_madt_lapic_nmi {            /* §5.2.12.7 */
	struct acpi_madt_entry e;
	u8 processor_uid;               /* 0xff: every processor */
	u16 flags;                      /* MPS INTI flags */
	u8 lint;                        /* LINT0 or LINT1 */
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT LAPIC NMI");

struct acpi_madt_lapic_override {       /* §5.2.12.8 */
	struct acpi_madt_entry e;
	u16 reserved;
	u64 address;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12, "MADT LAPIC addr");

struct acpi_madt_x2apic {               /* §5.2.12.12 */
	struct acpi_madt_entry e;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 processor_uid;
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC");

struct acpi_madt_x2apic_nmi {           /* §5.2.12.13 */
	struct acpi_madt_entry e;
	u16 flags;
	u32 processor_uid;              /* 0xffffffff: every processor */
	u8 lint;
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "MADT x2APIC NMI");

/* MCFG (PCI Firmware spec 3.2 §4.1.2): ECAM windows for PCIe config space. */
struct acpi_mcfg {
	struct acpi_header hdr;
	u64 reserved;
} __packed;
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG");

struct acpi_mcfg_entry {
	u64 base;                       /* ECAM address of bus 0 of the segment */
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct acpi_mcfg_entry) == 16, "MCFG entry");

/* HPET description table (IA-PC HPET spec 1.0a §3.2.4). */
struct acpi_hpet {
	struct acpi_header hdr;
	u32 event_timer_block_id;
	struct acpi_gas address;
	u8 hpet_number;
	u16 min_tick;
	u8 page_protection;
} __packed;
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET table");

/*
 * Table validation on a buffer: the header fits in avail bytes, its length
 * is sane and within avail, and the bytes sum to zero. 0, -EINVAL (bad
 * length) or -EBADMSG (bad checksum). Pure: the tests feed it built tables.
 */
int acpi_table_check(const void *buf, size_t avail);

/*
 * Walk the MADT's interrupt controller structures, calling fn on each until
 * it returns non-zero (which is returned). An entry shorter than its head or
 * running past the table ends the walk with -EINVAL: later entries cannot be
 * located. fn must check e->length against the struct it casts to.
 */
typedef int (*acpi_madt_fn)(const struct acpi_madt_entry *e, void *ctx);
int acpi_madt_walk(const struct acpi_madt *madt, acpi_madt_fn fn, void *ctx);

/* ISA IRQ -> GSI with polarity and trigger, from the MADT's overrides
 * (ISA default: GSI = IRQ, edge, active high). */
struct acpi_irq_route {
	u32 gsi;
	bool level;
	bool active_low;
};
void acpi_isa_irq_route(const struct acpi_madt *madt, unsigned irq,
			struct acpi_irq_route *out);

/* Find and checksum the RSDP's root table; warn (not panic) on trouble. */
int acpi_init(u64 rsdp_phys);
/* The index'th table with this signature, checksum verified, or NULL. */
const struct acpi_header *acpi_find_table(const char *sig, int index);
const struct acpi_fadt *acpi_fadt(void);
/* The MADT, or NULL (then: no IOAPIC list, only the boot CPU). */
const struct acpi_madt *acpi_madt(void);

/* PCIe ECAM windows from the MCFG, for the PCI layer. */
struct acpi_ecam {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
};
int acpi_mcfg_count(void);
/* 0, or -ENOENT if there is no i'th window. */
int acpi_mcfg_get(int i, struct acpi_ecam *out);

/* HPET block physical address from the HPET table: 0 or -ENODEV. */
int acpi_hpet_base(u64 *phys);
/* FADT PM timer: I/O port and width (24 or 32 bits): 0 or -ENODEV. */
int acpi_pm_timer(u16 *port, unsigned *bits);
/* FADT RTC century register index, 0 if the FADT names none. */
u8 acpi_rtc_century_reg(void);

/* Enter S5 (soft off). Returns only if that is not possible. */
int acpi_power_off(void);
/* Write the FADT reset register. Returns only if that did not reset. */
int acpi_reset(void);

#endif
