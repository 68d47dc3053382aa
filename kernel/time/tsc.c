/*
 * The TSC as early clocksource, calibrated against the 8254 PIT (which
 * q35, pc and microvm all have). If the PIT never answers, fall back to
 * CPUID leaf 0x16 (base MHz) and say so.
 *
 * ktime_get() scales with a 32.32 fixed-point multiplier so the hot path
 * has no division: ns = (delta * mult) >> 32.
 */
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/log.h"

#define PIT_HZ          1193182
#define PIT_CH0         0x40
#define PIT_CMD         0x43
#define CALIBRATE_MS    10

static u64 tsc_boot;
static u64 tsc_mult;      /* ns per tick, 32.32 fixed point; 0 = uncalibrated */
static u64 tsc_khz;

u64 ktime_get(void)
{
	u64 d;

	if (!tsc_mult)
		return 0;
	d = rdtsc() - tsc_boot;
	/* 128-bit product: a 64-bit one overflows after ~1 s at 4 GHz. */
	return (u64)(((unsigned __int128)d * tsc_mult) >> 32);
}

u64 clock_tsc_khz(void)
{
	return tsc_khz;
}

static u16 pit_read_ch0(void)
{
	u8 lo, hi;

	outb(PIT_CMD, 0x00);                    /* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (u16)(lo | (hi << 8));
}

/*
 * Returns TSC ticks in CALIBRATE_MS, or 0 if the PIT did not count.
 * Channel 0 in mode 2 counts down by one per PIT tick from 0xffff; we read
 * it back with latch commands. (Channel 2's gate at port 0x61 would avoid
 * the readback, but microvm has no port 0x61.) Interrupts are off and IRQ0
 * goes nowhere until the interrupt controllers are set up.
 */
static u64 pit_calibrate(void)
{
	const u32 want = PIT_HZ * CALIBRATE_MS / 1000;
	u32 elapsed = 0;
	u16 prev, now;
	u64 t0;

	outb(PIT_CMD, 0x34);                    /* ch0, lo/hi, mode 2, binary */
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	prev = pit_read_ch0();
	t0 = rdtsc();
	/* Bound the loop by iterations: we cannot bound it by time before
	 * we know the clock. A missing PIT reads as a constant. */
	for (u32 i = 0; i < 5000000 && elapsed < want; i++) {
		now = pit_read_ch0();
		elapsed += (u16)(prev - now);
		prev = now;
	}
	if (elapsed < want)
		return 0;
	return (rdtsc() - t0) * want / elapsed;
}

void clock_early_init(void)
{
	u64 ticks = pit_calibrate();
	u32 a, b, c, d;

	if (ticks) {
		tsc_khz = ticks / CALIBRATE_MS;
	} else {
		cpuid(0, 0, &a, &b, &c, &d);
		if (a >= 0x16) {
			cpuid(0x16, 0, &a, &b, &c, &d);
			tsc_khz = (u64)(a & 0xffff) * 1000;
		}
		if (!tsc_khz) {
			pr_warn("clock: no PIT and no CPUID frequency; assuming 1 GHz TSC\n");
			tsc_khz = 1000000;
		}
	}
	tsc_boot = rdtsc() - ticks;     /* count from before calibration */
	tsc_mult = (1000000ULL << 32) / tsc_khz;
	pr_info("clock: TSC %lu.%03lu MHz (%s)\n", (unsigned long)(tsc_khz / 1000),
		(unsigned long)(tsc_khz % 1000), ticks ? "PIT calibrated" : "CPUID");
}

void udelay(u64 us)
{
	u64 end;

	if (!tsc_khz) {
		for (u64 i = 0; i < us * 100; i++)
			cpu_relax();
		return;
	}
	end = rdtsc() + us * tsc_khz / 1000;
	while (rdtsc() < end)
		cpu_relax();
}
