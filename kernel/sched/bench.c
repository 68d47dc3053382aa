/*
 * Scheduler and interrupt micro-benchmarks, run by booting with
 * `bench=sched` (bench/smp.md has the command lines and the figures).
 * They print, they do not assert: timings under TCG say little about
 * correctness. Each prints one line "BENCH name value ns".
 */
#include "kernel/sched/sched.h"
#include "kernel/sched/wait.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/lib/log.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

#define BENCH_STACK 8192

static struct task bench_tasks[2];
static u8 bench_stacks[2][BENCH_STACK] __aligned(16);


static void bench_print(const char *name, u64 total_cycles, u64 n)
{
	u64 ps = total_cycles * 1000000000ULL / clock_tsc_khz() / n;

	pr_info("BENCH %s %lu.%03lu ns (n=%lu)\n", name, (unsigned long)(ps / 1000),
		(unsigned long)(ps % 1000), (unsigned long)n);
}

/* ---- context switch: two threads yielding to each other on one CPU ------------- */

#define YIELDS 20000

static void yielder(void *arg)
{
	for (int i = 0; i < YIELDS; i++)
		sched_yield();
}

static void bench_yield(u32 cpu)
{
	struct sched_cpu_stats a, b;
	u64 t0, t1;

	sched_cpu_stats(cpu, &a);
	t0 = rdtsc();
	task_start(&bench_tasks[0], "yield0", yielder, NULL, bench_stacks[0], BENCH_STACK, cpu);
	task_start(&bench_tasks[1], "yield1", yielder, NULL, bench_stacks[1], BENCH_STACK, cpu);
	task_join(&bench_tasks[0]);
	task_join(&bench_tasks[1]);
	t1 = rdtsc();
	sched_cpu_stats(cpu, &b);
	bench_print("context_switch_yield", t1 - t0, b.switches - a.switches);
}

/* ---- ping-pong: wake the other thread and sleep, through completions ------------ */

#define PINGS 5000
static struct completion ping, pong;

static void pinger(void *arg)
{
	for (int i = 0; i < PINGS; i++) {
		complete(&ping);
		wait_for_completion(&pong);
	}
}

static void ponger(void *arg)
{
	for (int i = 0; i < PINGS; i++) {
		wait_for_completion(&ping);
		complete(&pong);
	}
}

static void bench_pingpong(const char *name, u32 cpu_a, u32 cpu_b)
{
	u64 t0, t1;

	completion_init(&ping);
	completion_init(&pong);
	t0 = rdtsc();
	task_start(&bench_tasks[1], "pong", ponger, NULL, bench_stacks[1], BENCH_STACK, cpu_b);
	task_start(&bench_tasks[0], "ping", pinger, NULL, bench_stacks[0], BENCH_STACK, cpu_a);
	task_join(&bench_tasks[0]);
	task_join(&bench_tasks[1]);
	t1 = rdtsc();
	/* Two wake-up + switch hand-overs per round. */
	bench_print(name, t1 - t0, 2 * PINGS);
}

/* ---- IPI round trip: call-function to another CPU and back ------------------------ */

#define IPIS 2000

static void nop_call(void *arg)
{
}

static void bench_ipi(void)
{
	u32 target;
	u64 t0, t1;

	if (cpu_count() < 2) {
		pr_info("BENCH ipi_round_trip skipped (one CPU)\n");
		return;
	}
	irq_disable();
	target = (this_cpu()->id + 1) % cpu_count();
	t0 = rdtsc();
	for (int i = 0; i < IPIS; i++)
		smp_call_on(target, nop_call, NULL);
	t1 = rdtsc();
	irq_enable();
	bench_print("ipi_round_trip", t1 - t0, IPIS);
}

/* ---- interrupts: self-IPI, and a timer that re-arms itself due now ----------------- */

#define IRQS 5000
static u32 irq_hits;

static void count_irq(void *ctx)
{
	irq_hits++;
}

static void bench_self_ipi(void)
{
	int v = irq_alloc_vector(count_irq, NULL, 0, "bench");
	u64 t0, t1;

	if (v < 0)
		return;
	irq_disable();
	irq_hits = 0;
	t0 = rdtsc();
	for (u32 i = 0; i < IRQS; i++) {
		lapic_send_ipi(lapic_id(), (u8)v);
		/* Taken right here, in the STI shadow's end. */
		irq_enable();
		while (READ_ONCE(irq_hits) <= i)
			cpu_relax();
		irq_disable();
	}
	t1 = rdtsc();
	irq_enable();
	irq_free_vector(v);
	bench_print("interrupt_self_ipi", t1 - t0, IRQS);
}

static struct timer bench_timer;
static u32 timer_left;

static void rearm(struct timer *t)
{
	if (--timer_left)
		timer_arm(t, ktime_get());
}

static void bench_timer_irq(void)
{
	u64 t0, t1;

	irq_disable();
	timer_setup(&bench_timer, rearm);
	timer_left = IRQS;
	t0 = rdtsc();
	timer_arm(&bench_timer, ktime_get());
	irq_enable();
	while (READ_ONCE(timer_left))
		cpu_relax();
	t1 = rdtsc();
	bench_print("timer_interrupt", t1 - t0, IRQS);
}

void sched_bench(void)
{
	u32 other = cpu_count() > 1 ? 1 : 0;

	pr_info("BENCH clocksource %s, timer %s, %u CPUs, TSC %lu kHz\n",
		clock_source_name(), lapic_timer_mode(), cpu_count(),
		(unsigned long)clock_tsc_khz());
	bench_yield(other);
	bench_pingpong("wakeup_switch_same_cpu", other, other);
	if (cpu_count() > 1)
		bench_pingpong("wakeup_switch_cross_cpu", 0, 1);
	bench_ipi();
	bench_self_ipi();
	bench_timer_irq();
}
