/*
 * Timekeeping: pick a clocksource (see clock.h), scale it to nanoseconds
 * since boot, and anchor the wall clock to the RTC once.
 *
 * A clocksource is a raw counter and a 32.32 fixed-point ns-per-count
 * multiplier, so ktime_get() is a read, a subtraction and a 128-bit
 * multiply: no division on the hot path. All fields are written once in
 * clock_init() before other CPUs start and read without a lock after.
 */
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

struct clocksource {
	const char *name;
	u64 (*read)(void);
	u64 mult;               /* ns per count, 32.32 */
};

static u64 tsc_read(void)
{
	return rdtsc();
}

static struct clocksource cs;           /* .read NULL until clock_init */
static u64 cs_base;                     /* counter value at "boot" */
static u64 tsc_khz;
static u64 wall_base_ns;                /* wall clock at ktime 0 */

u64 ktime_get(void)
{
	if (!cs.read)
		return 0;
	return (u64)(((unsigned __int128)(cs.read() - cs_base) * cs.mult) >> 32);
}

u64 ktime_get_real(void)
{
	return wall_base_ns + ktime_get();
}

u64 clock_tsc_khz(void)
{
	return tsc_khz;
}

const char *clock_source_name(void)
{
	return cs.read ? cs.name : "none";
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

int clock_cpu_init(void)
{
	if (cs.read == kvmclock_read_ns)
		return kvmclock_cpu_init();
	return 0;
}

static bool clock_use_kvm(void)
{
	if (!kvmclock_available() || kvmclock_cpu_init())
		return false;
	cs = (struct clocksource){ "kvm-clock", kvmclock_read_ns, 1ULL << 32 };
	return true;
}

static bool clock_use_hpet(void)
{
	if (hpet_init())
		return false;
	cs = (struct clocksource){ "hpet", hpet_read,
				   (hpet_period_fs() << 32) / 1000000 };
	return true;
}

static void clock_use_tsc(void)
{
	cs = (struct clocksource){ "tsc", tsc_read, (1000000ULL << 32) / tsc_khz };
}

static void clock_wall_init(void)
{
	struct rtc_time t;
	s64 secs;

	if (rtc_read(&t) || (secs = rtc_mktime(&t)) < 0) {
		pr_warn("clock: no usable RTC; wall clock starts at 1970\n");
		return;
	}
	wall_base_ns = (u64)secs * NSEC_PER_SEC - ktime_get();
	pr_info("clock: RTC %04u-%02u-%02u %02u:%02u:%02u UTC\n", t.year, t.mon,
		t.mday, t.hour, t.min, t.sec);
}

void clock_init(const char *cmdline)
{
	const char *how = "kvmclock";
	char want[16] = "";
	u64 tsc0 = rdtsc();
	bool ok = false;

	cmdline_get(cmdline, "clocksource", want, sizeof(want));
	if (clock_use_kvm())
		tsc_khz = kvmclock_tsc_khz();
	if (!tsc_khz)
		tsc_khz = tsc_calibrate(&how);

	if (!strcmp(want, "tsc")) {
		clock_use_tsc();
		ok = true;
	} else if (!strcmp(want, "hpet")) {
		ok = clock_use_hpet();
	} else if (!strcmp(want, "kvm-clock")) {
		ok = cs.read == kvmclock_read_ns;
	}
	if (want[0] && !ok)
		pr_warn("clock: clocksource=%s unavailable; choosing\n", want);
	if (!ok && cs.read != kvmclock_read_ns) {
		if (tsc_invariant())
			clock_use_tsc();
		else if (!clock_use_hpet()) {
			pr_warn("clock: TSC not invariant and no HPET; using the TSC\n");
			clock_use_tsc();
		}
	}
	/* Count from before calibration, as the TSC did. */
	cs_base = cs.read();
	if (cs.read == tsc_read)
		cs_base = tsc0;
	pr_info("clock: %s clocksource, TSC %lu.%03lu MHz (%s)\n", cs.name,
		(unsigned long)(tsc_khz / 1000), (unsigned long)(tsc_khz % 1000), how);
	clock_wall_init();
}
