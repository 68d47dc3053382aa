/*
 * TSC calibration. References, best first:
 *  1. CPUID leaf 0x15 when it names the crystal (exact, no measurement);
 *  2. the HPET main counter (ACPI HPET table; q35 and pc have one);
 *  3. the ACPI PM timer (3.579545 MHz, FADT);
 *  4. the 8254 PIT channel 0 (everything but some microvm setups);
 *  5. CPUID leaf 0x16 (nominal base MHz), then a guess, loudly.
 * A measurement spans CALIBRATE_MS; loops are bounded by iterations,
 * since no clock is trustworthy yet.
 */
#include "kernel/time/clock.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/log.h"

#define CALIBRATE_MS    10
#define PIT_HZ          1193182
#define PIT_CH0         0x40
#define PIT_CMD         0x43
#define PM_TIMER_HZ     3579545
#define FS_PER_SEC      1000000000000000ULL
#define CPUID_APM_EDX_INVARIANT_TSC (1u << 8)

bool tsc_invariant(void)
{
	u32 a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000007)
		return false;
	cpuid(0x80000007, 0, &a, &b, &c, &d);
	return d & CPUID_APM_EDX_INVARIANT_TSC;
}

/* ---- counting references --------------------------------------------- */

struct ref_counter {
	u64 (*read)(void);
	u64 mask;               /* counter width */
	u64 period_fs;          /* femtoseconds per count */
};

static u16 pm_port;
static u64 pm_read(void)
{
	return inl(pm_port);
}

/* TSC kHz measured against ref, or 0 if ref did not count. */
static u64 tsc_measure(const struct ref_counter *ref)
{
	u64 want = (u64)CALIBRATE_MS * 1000000000000ULL / ref->period_fs;
	u64 r0, r1 = 0, t0, t1, elapsed = 0;

	r0 = ref->read();
	t0 = rdtsc();
	for (u32 i = 0; i < 50000000 && elapsed < want; i++) {
		r1 = ref->read();
		elapsed = (r1 - r0) & ref->mask;
	}
	t1 = rdtsc();
	if (elapsed < want || t1 <= t0)
		return 0;
	/* kHz = ticks per elapsed ns * 1e6; elapsed * period stays far below
	 * 2^64 for 10 ms of any counter (<= 1e13 fs). */
	return (t1 - t0) * 1000000 / (elapsed * ref->period_fs / 1000000);
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
 * Channel 0 in mode 2 counts down from 0xffff, read back with latch
 * commands (microvm has no port 0x61 for channel 2's gate). IRQ0 goes
 * nowhere: the 8259s and the IOAPIC pin are masked.
 */
static u64 tsc_measure_pit(void)
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
	for (u32 i = 0; i < 5000000 && elapsed < want; i++) {
		now = pit_read_ch0();
		elapsed += (u16)(prev - now);
		prev = now;
	}
	if (elapsed < want)
		return 0;
	return (rdtsc() - t0) * PIT_HZ / elapsed / 1000;
}

static u64 tsc_cpuid_khz(u32 leaf)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < leaf)
		return 0;
	cpuid(leaf, 0, &a, &b, &c, &d);
	if (leaf == 0x15)       /* TSC = crystal (ECX) * EBX / EAX */
		return a && b && c ? (u64)c * b / a / 1000 : 0;
	return (u64)(a & 0xffff) * 1000;        /* 0x16: base MHz */
}

u64 tsc_calibrate(const char **how)
{
	unsigned bits;
	u64 khz;

	if ((khz = tsc_cpuid_khz(0x15))) {
		*how = "CPUID crystal";
		return khz;
	}
	if (!hpet_init()) {
		struct ref_counter ref = { hpet_read, ~0ULL, hpet_period_fs() };

		if ((khz = tsc_measure(&ref))) {
			*how = "HPET calibrated";
			return khz;
		}
	}
	if (!acpi_pm_timer(&pm_port, &bits)) {
		struct ref_counter ref = { pm_read, (1ULL << bits) - 1,
					   FS_PER_SEC / PM_TIMER_HZ };

		if ((khz = tsc_measure(&ref))) {
			*how = "PM timer calibrated";
			return khz;
		}
	}
	if ((khz = tsc_measure_pit())) {
		*how = "PIT calibrated";
		return khz;
	}
	if ((khz = tsc_cpuid_khz(0x16))) {
		*how = "CPUID base frequency";
		return khz;
	}
	pr_warn("clock: no reference timer and no CPUID frequency; assuming 1 GHz TSC\n");
	*how = "guessed";
	return 1000000;
}
