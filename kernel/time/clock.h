/*
 * Time: a monotonic nanosecond clock since boot, the wall clock, delays.
 *
 * The clocksource is, in order of preference: kvmclock (the hypervisor's
 * paravirtual clock), the TSC when it is invariant, the HPET main counter,
 * and the TSC anyway (with a warning). `clocksource=kvm-clock|tsc|hpet`
 * on the command line overrides the choice, as on Linux. The TSC is
 * calibrated against the HPET, else the ACPI PM timer, else the PIT, and
 * also drives udelay() and the TSC-deadline timer.
 *
 * Until clock_init() ktime_get() returns 0, so the earliest log lines read
 * [0.000000].
 */
#ifndef VIREO_TIME_CLOCK_H
#define VIREO_TIME_CLOCK_H

#include "kernel/lib/types.h"

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

u64 ktime_get(void);                 /* nanoseconds since boot */
u64 ktime_get_real(void);            /* nanoseconds since 1970 (UTC) */

/* After acpi_init(): calibrate, choose the clocksource, read the RTC. */
void clock_init(const char *cmdline);
/* Per-CPU part on a secondary CPU: kvmclock registers the area the caller
 * put in this_cpu()->pvclock. A CPU that fails must not go online. */
int clock_cpu_init(void);
const char *clock_source_name(void);
u64 clock_tsc_khz(void);             /* 0 if uncalibrated */
void udelay(u64 us);

/* ---- internal to kernel/time --------------------------------------------- */

/* TSC calibration (tsc.c): kHz, and which reference measured it. */
u64 tsc_calibrate(const char **how);
bool tsc_invariant(void);

/* HPET main counter (hpet.c). */
int hpet_init(void);
u64 hpet_read(void);
u64 hpet_period_fs(void);            /* femtoseconds per tick */

/* kvmclock (kvmclock.c): present? then per-CPU registration and reads. */
bool kvmclock_available(void);
int kvmclock_cpu_init(void);
u64 kvmclock_read_ns(void);
u64 kvmclock_tsc_khz(void);

/* CMOS real-time clock (rtc.c). */
struct rtc_time {
	unsigned year, mon, mday, hour, min, sec;       /* mon 1..12 */
};
int rtc_read(struct rtc_time *t);
/* Seconds since 1970-01-01 00:00 UTC; pure (host-tested). */
s64 rtc_mktime(const struct rtc_time *t);

#endif
