/*
 * The CMOS real-time clock (MC146818 layout), read once at boot for the
 * wall clock. The chip updates its registers once a second; we read while
 * no update is in progress and repeat until two reads agree. The century
 * lives where the FADT says (QEMU: register 0x32); without one we assume
 * 20xx. rtc_mktime() is pure and host-tested.
 */
#include "kernel/time/clock.h"
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"

#ifndef HOST_TEST
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/string.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define RTC_SEC    0x00
#define RTC_MIN    0x02
#define RTC_HOUR   0x04
#define RTC_MDAY   0x07
#define RTC_MON    0x08
#define RTC_YEAR   0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_A_UIP  0x80                 /* update in progress */
#define RTC_B_24H  0x02
#define RTC_B_BIN  0x04                 /* binary, else BCD */
#define RTC_HOUR_PM 0x80                /* 12-hour mode */

struct rtc_regs {
	u8 sec, min, hour, mday, mon, year, century;
};

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static bool rtc_regs_read(struct rtc_regs *r, u8 century_reg)
{
	for (int i = 0; i < 100000 && (cmos_read(RTC_STATUS_A) & RTC_A_UIP); i++)
		cpu_relax();
	if (cmos_read(RTC_STATUS_A) & RTC_A_UIP)
		return false;
	r->sec = cmos_read(RTC_SEC);
	r->min = cmos_read(RTC_MIN);
	r->hour = cmos_read(RTC_HOUR);
	r->mday = cmos_read(RTC_MDAY);
	r->mon = cmos_read(RTC_MON);
	r->year = cmos_read(RTC_YEAR);
	r->century = century_reg ? cmos_read(century_reg) : 0;
	return true;
}

static unsigned bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

int rtc_read(struct rtc_time *t)
{
	u8 century_reg = acpi_rtc_century_reg();
	struct rtc_regs a, b;
	bool bin, h24, pm;
	u8 status_b;
	int tries;

	for (tries = 0; tries < 10; tries++) {
		if (!rtc_regs_read(&a, century_reg) || !rtc_regs_read(&b, century_reg))
			continue;
		if (!memcmp(&a, &b, sizeof(a)))
			break;
	}
	if (tries == 10)
		return -EIO;
	status_b = cmos_read(RTC_STATUS_B);
	if (status_b == 0xff)           /* floating bus: no RTC */
		return -ENODEV;
	bin = status_b & RTC_B_BIN;
	h24 = status_b & RTC_B_24H;
	pm = !h24 && (a.hour & RTC_HOUR_PM);
	t->sec = bcd(a.sec, bin);
	t->min = bcd(a.min, bin);
	t->hour = bcd(a.hour & (u8)~RTC_HOUR_PM, bin);
	if (!h24)
		t->hour = t->hour % 12 + (pm ? 12 : 0);
	t->mday = bcd(a.mday, bin);
	t->mon = bcd(a.mon, bin);
	t->year = bcd(a.year, bin) + (a.century ? bcd(a.century, bin) * 100 : 2000);
	return 0;
}
#endif

s64 rtc_mktime(const struct rtc_time *t)
{
	static const u8 mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	s64 y, era, yoe, doy, doe;

	if (t->mon < 1 || t->mon > 12 || t->mday < 1 || t->mday > mdays[t->mon - 1] ||
	    t->hour > 23 || t->min > 59 || t->sec > 60 || t->year < 1970)
		return -EINVAL;
	/* Days since 1970 from a year that starts in March, so the leap day
	 * is the last day of the year: 400-year eras of 146097 days. */
	y = (s64)t->year - (t->mon <= 2);
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * ((s64)t->mon + (t->mon > 2 ? -3 : 9)) + 2) / 5 + t->mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return ((era * 146097 + doe - 719468) * 24 + t->hour) * 3600 +
	       (s64)t->min * 60 + t->sec;
}
