/*
 * Where the platform timers are, as ACPI describes them: the HPET block
 * (HPET table), the PM timer (FADT) and the RTC century register (FADT).
 * The time subsystem uses them to calibrate the TSC and read the date.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"

int acpi_hpet_base(u64 *phys)
{
	const struct acpi_hpet *h = (const void *)acpi_find_table("HPET", 0);

	if (!h || h->hdr.length < sizeof(*h) || h->address.space_id != ACPI_GAS_MEMORY ||
	    !h->address.address)
		return -ENODEV;
	*phys = h->address.address;
	return 0;
}

int acpi_pm_timer(u16 *port, unsigned *bits)
{
	const struct acpi_fadt *f = acpi_fadt();
	u64 addr = 0;

	if (!f)
		return -ENODEV;
	/* X_PM_TMR_BLK wins when present (ACPI 6.4 §5.2.9, table 5.9). */
	if (f->hdr.length >= __builtin_offsetof(struct acpi_fadt, x_gpe0_blk) &&
	    f->x_pm_tmr_blk.address) {
		if (f->x_pm_tmr_blk.space_id != ACPI_GAS_IO)
			return -ENODEV;
		addr = f->x_pm_tmr_blk.address;
	} else if (f->pm_tmr_len == 4) {
		addr = f->pm_tmr_blk;
	}
	if (!addr || addr > 0xffff)
		return -ENODEV;
	*port = (u16)addr;
	*bits = (f->flags & ACPI_FADT_TMR_VAL_EXT) ? 32 : 24;
	return 0;
}

u8 acpi_rtc_century_reg(void)
{
	const struct acpi_fadt *f = acpi_fadt();

	return f ? f->century : 0;
}
