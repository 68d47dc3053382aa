/*
 * Monotonic time since boot. Until a clocksource is calibrated ktime_get()
 * returns 0, so the earliest log lines read [0.000000].
 */
#ifndef VIREO_TIME_CLOCK_H
#define VIREO_TIME_CLOCK_H

#include "kernel/lib/types.h"

u64 ktime_get(void);                 /* nanoseconds since boot */
void clock_early_init(void);         /* TSC, calibrated against the PIT */
u64 clock_tsc_khz(void);             /* 0 if uncalibrated */
void udelay(u64 us);

#endif
