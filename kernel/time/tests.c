/* In-kernel tests for timekeeping and per-CPU timers. */
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

KTEST(clock_monotonic_and_matches_delay)
{
	u64 prev = ktime_get(), t0, t1;

	for (int i = 0; i < 20000; i++) {
		u64 now = ktime_get();

		KT_ASSERT(now >= prev);
		prev = now;
	}
	t0 = ktime_get();
	udelay(10000);
	t1 = ktime_get();
	/* udelay runs on the TSC, ktime perhaps on the HPET: they agree to
	 * within calibration error, and TCG may stretch the upper bound. */
	KT_ASSERT(t1 - t0 >= 9 * NSEC_PER_MSEC);
	KT_ASSERT(t1 - t0 < 200 * NSEC_PER_MSEC);
}

KTEST(clock_wall_clock_from_rtc)
{
	/* 2020-01-01 00:00:00 UTC: QEMU's RTC starts at the host's time. */
	KT_ASSERT(ktime_get_real() / NSEC_PER_SEC > 1577836800ULL);
	KT_ASSERT(ktime_get_real() / NSEC_PER_SEC < 4102444800ULL);   /* 2100 */
}

struct fired {
	struct timer t;
	u64 at;                 /* ktime when the callback ran */
	u32 order;
	u32 *seq;
};

static void fired_fn(struct timer *t)
{
	struct fired *f = container_of(t, struct fired, t);

	f->at = ktime_get();
	f->order = __atomic_add_fetch(f->seq, 1, __ATOMIC_RELAXED);
}

static bool wait_fired(struct fired *f, u64 ms)
{
	u64 end = ktime_get() + ms * NSEC_PER_MSEC;

	while (!READ_ONCE(f->order) && ktime_get() < end)
		cpu_relax();
	return READ_ONCE(f->order) != 0;
}

KTEST(timer_fires_in_order_never_early)
{
	struct fired f[3] = { 0 };
	u32 seq = 0;
	u64 now = ktime_get();
	/* Armed out of order: 3 ms, 1 ms, 2 ms. */
	const u64 due[3] = { now + 3 * NSEC_PER_MSEC, now + NSEC_PER_MSEC,
			     now + 2 * NSEC_PER_MSEC };

	/* Arm all three with interrupts off: on one CPU's queue (a migration
	 * between arms would split them across queues, whose CPUs need not
	 * run in step), and none can fire before the last is queued (on a
	 * loaded host a vCPU can stall for longer than the 1 ms gaps, and
	 * then the earliest would rightly fire before the last is armed). */
	irq_disable();
	for (int i = 0; i < 3; i++) {
		f[i].seq = &seq;
		timer_setup(&f[i].t, fired_fn);
		timer_arm(&f[i].t, due[i]);
	}
	irq_enable();
	bool all = true;
	for (int i = 0; i < 3; i++)
		all &= wait_fired(&f[i], 1000);
	/* A failed assert must not leave timers armed on this stack frame. */
	for (int i = 0; !all && i < 3; i++)
		timer_cancel_sync(&f[i].t);
	KT_ASSERT(all);
	for (int i = 0; i < 3; i++) {
		KT_ASSERT(f[i].at >= due[i]);
	}
	KT_ASSERT_EQ(f[1].order, 1);
	KT_ASSERT_EQ(f[2].order, 2);
	KT_ASSERT_EQ(f[0].order, 3);
}

KTEST(timer_cancel_prevents_callback)
{
	struct fired f = { 0 }, g = { 0 };
	u32 seq = 0;

	f.seq = g.seq = &seq;
	timer_setup(&f.t, fired_fn);
	timer_setup(&g.t, fired_fn);
	/* Interrupts off from arm to cancel, so f cannot rightly fire first
	 * on a host that stalls this vCPU for the 2 ms (and a failed assert
	 * cannot leave g armed on this dead stack frame). */
	irq_disable();
	timer_arm(&f.t, ktime_get() + 2 * NSEC_PER_MSEC);
	timer_arm(&g.t, ktime_get() + 4 * NSEC_PER_MSEC);
	bool cancelled = timer_cancel(&f.t);
	bool again = timer_cancel(&f.t);
	irq_enable();
	if (!wait_fired(&g, 1000))
		timer_cancel_sync(&g.t);
	KT_ASSERT(cancelled);
	KT_ASSERT(!again);
	KT_ASSERT(READ_ONCE(g.order) != 0);
	KT_ASSERT_EQ(f.order, 0);
	KT_ASSERT_EQ(g.order, 1);
}

KTEST(timer_tickless_when_idle)
{
	struct cpu *c = this_cpu();
	u64 before;

	/* Nothing pending on this CPU: 30 ms pass without a timer interrupt. */
	KT_ASSERT(c->timers->head == NULL);
	before = c->nr_timer_irqs;
	udelay(30000);
	KT_ASSERT_EQ(c->nr_timer_irqs, before);
}

/* Re-arming for later than the deadline the LAPIC already holds leaves the
 * hardware alone (a LAPIC timer write is dear under TCG, and the slice
 * timer is re-armed on wake-ups): the early interrupt finds nothing due
 * and programs the real deadline, which still fires, never early. */
KTEST(timer_rearm_later_keeps_the_programmed_deadline)
{
	u32 seq = 0;
	struct fired f = { .seq = &seq };
	u64 first, late, held;

	timer_setup(&f.t, fired_fn);
	irq_disable();
	first = ktime_get() + 20 * NSEC_PER_MSEC;
	late = first + 20 * NSEC_PER_MSEC;
	timer_arm(&f.t, first);
	timer_cancel(&f.t);
	timer_arm(&f.t, late);
	held = this_cpu()->timers->programmed;
	irq_enable();
	if (!wait_fired(&f, 1000))
		timer_cancel_sync(&f.t);
	KT_ASSERT(held <= first);
	KT_ASSERT_EQ(f.order, 1);
	KT_ASSERT(f.at >= late);
}
