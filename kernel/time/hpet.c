/*
 * HPET main counter (IA-PC HPET spec 1.0a §2.3): a calibration reference
 * and, when the TSC is not invariant, the clocksource. Only the counter is
 * used; the comparators stay off (per-CPU events come from the LAPIC).
 */
#include "kernel/time/clock.h"
#include "kernel/mm/ioremap.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"

#define HPET_CAP            0x000
#define HPET_CAP_COUNT_64   (1ULL << 13)
#define HPET_CONFIG         0x010
#define HPET_CONFIG_ENABLE  (1ULL << 0)
#define HPET_COUNTER        0x0f0
#define HPET_MAX_PERIOD_FS  100000000ULL    /* §2.3.4: at most 100 ns */

static volatile u64 *hpet_regs;
static u64 period_fs;

int hpet_init(void)
{
	volatile u64 *regs;
	u64 phys, cap;

	if (hpet_regs)
		return 0;
	if (acpi_hpet_base(&phys) || phys >= (4ULL << 30))
		return -ENODEV;
	regs = ioremap(phys, 1024);
	if (!regs)
		return -ENOMEM;
	cap = regs[HPET_CAP / 8];
	period_fs = cap >> 32;
	if (!period_fs || period_fs > HPET_MAX_PERIOD_FS) {
		pr_warn("hpet: bad period %lu fs; not used\n", (unsigned long)period_fs);
		return -ENODEV;
	}
	/* A 32-bit counter wraps in ~43 s at 100 MHz: too soon for a
	 * clocksource that tickless CPUs may not read for longer. */
	if (!(cap & HPET_CAP_COUNT_64)) {
		pr_warn("hpet: 32-bit counter; not used\n");
		return -ENODEV;
	}
	regs[HPET_CONFIG / 8] |= HPET_CONFIG_ENABLE;
	hpet_regs = regs;
	pr_info("hpet: %lu.%03lu MHz counter at %#lx\n",
		(unsigned long)(1000000000ULL / period_fs),
		(unsigned long)(1000000000000ULL / period_fs % 1000), (unsigned long)phys);
	return 0;
}

u64 hpet_read(void)
{
	return hpet_regs[HPET_COUNTER / 8];
}

u64 hpet_period_fs(void)
{
	return period_fs;
}
