/*
 * The time and scheduling files: /proc/uptime, /proc/loadavg, /proc/stat.
 * CPU time comes from the scheduler's per-task TSC cycle counts: a CPU's
 * idle time is its idle task's run time, the rest of its time since boot
 * is busy. Vireo does not yet split user from system time, so busy time
 * is reported as system time.
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/clock.h"


u64 procfs_cycles_to_ns(u64 cycles)
{
	u64 khz = clock_tsc_khz();

	if (!khz)
		return 0;
	/* cycles * 1e6 / khz without overflowing for years of cycles. */
	return cycles / khz * 1000000u + cycles % khz * 1000000u / khz;
}

struct task_census {
	u32 total, running, blocked, last_pid;
	u64 *idle_cycles;               /* per CPU id, or NULL */
	u32 ncpu;
};

static void census_one(const struct task *t, void *arg)
{
	struct task_census *c = arg;

	if (sched_task_is_idle(t)) {
		if (c->idle_cycles && t->cpu < c->ncpu)
			c->idle_cycles[t->cpu] += sched_task_runtime_cycles(t);
		return;
	}
	c->total++;
	if (t->state == TASK_RUNNABLE)
		c->running++;
	else if (t->state == TASK_UNINTERRUPTIBLE)
		c->blocked++;
}

static void census_pid(u32 pid, char state, void *arg)
{
	struct task_census *c = arg;

	(void)state;
	if (pid > c->last_pid)
		c->last_pid = pid;
}

/* Tasks (kernel threads count towards the load, as on Linux) and the
 * highest pid in use. */
static void task_census(struct task_census *c, u64 *idle_cycles, u32 ncpu)
{
	c->total = c->running = c->blocked = c->last_pid = 0;
	c->idle_cycles = idle_cycles;
	c->ncpu = ncpu;
	sched_for_each_task(census_one, c);
	proc_for_each(census_pid, c);
}

u32 procfs_nr_active(u32 *nr_total, u32 *last_pid)
{
	struct task_census c;

	task_census(&c, NULL, 0);
	if (nr_total)
		*nr_total = c.total;
	if (last_pid)
		*last_pid = c.last_pid;
	return c.running + c.blocked;
}

/* Idle nanoseconds of each online CPU into idle[ncpu] (kzalloc'd). */
static u64 *cpu_idle_ns(u32 ncpu, struct task_census *c)
{
	u64 *idle = kzalloc(sizeof(*idle) * (ncpu ? ncpu : 1), GFP_KERNEL);

	if (!idle)
		return NULL;
	task_census(c, idle, ncpu);
	for (u32 i = 0; i < ncpu; i++)
		idle[i] = procfs_cycles_to_ns(idle[i]);
	return idle;
}

int procfs_show_uptime(struct pfs_buf *b)
{
	u64 now = ktime_get(), idle_sum = 0;
	u32 ncpu = cpu_count();
	struct task_census c;
	u64 *idle = cpu_idle_ns(ncpu, &c);

	if (!idle)
		return -ENOMEM;
	for (u32 i = 0; i < ncpu; i++)
		idle_sum += idle[i];
	kfree(idle);
	pfs_printf(b, "%llu.%02llu %llu.%02llu\n",
		   (unsigned long long)(now / NSEC_PER_SEC),
		   (unsigned long long)(now % NSEC_PER_SEC / 10000000u),
		   (unsigned long long)(idle_sum / NSEC_PER_SEC),
		   (unsigned long long)(idle_sum % NSEC_PER_SEC / 10000000u));
	return 0;
}

/*
 * Load averages: Linux's exponentially damped averages of the number of
 * active tasks over 1, 5 and 15 minutes, in its 11-bit fixed point, one
 * step per 5 s (kernel/sched/loadavg.c there: EXP_n = 2048 / e^(5s/n min)).
 * Vireo is tickless, so instead of a timer taking an interrupt every 5 s
 * the steps are taken when the file is read: every 5-s period since the
 * last read is stepped with the number of active tasks seen now.
 */
#define LOAD_FSHIFT   PROCFS_LOAD_FSHIFT
#define LOAD_FIXED_1  (1u << LOAD_FSHIFT)
#define LOAD_FREQ_NS  (5 * NSEC_PER_SEC)
#define LOAD_MAX_STEPS 1024             /* beyond this the old value is gone */

static const u64 load_exp[3] = { 1884, 2014, 2037 };
static struct spinlock load_lock = SPINLOCK_INIT("loadavg");
static u64 load_avg[3];                 /* fixed point; load_lock */
static u64 load_last_ns;                /* end of the last step; load_lock */

static void loadavg_update(u32 active)
{
	u64 now = ktime_get(), steps;
	unsigned long f = spin_lock_irqsave(&load_lock);

	steps = (now - load_last_ns) / LOAD_FREQ_NS;
	load_last_ns += steps * LOAD_FREQ_NS;
	if (steps > LOAD_MAX_STEPS)
		steps = LOAD_MAX_STEPS;
	for (; steps; steps--)
		for (int i = 0; i < 3; i++)
			load_avg[i] = (load_avg[i] * load_exp[i] +
				       (u64)active * LOAD_FIXED_1 *
				       (LOAD_FIXED_1 - load_exp[i])) >> LOAD_FSHIFT;
	spin_unlock_irqrestore(&load_lock, f);
}

static void load_averages(u64 avg[3], u32 active)
{
	unsigned long f;

	loadavg_update(active);
	f = spin_lock_irqsave(&load_lock);
	for (int i = 0; i < 3; i++)
		avg[i] = load_avg[i];
	spin_unlock_irqrestore(&load_lock, f);
}

void procfs_load_averages(u64 avg[3])
{
	load_averages(avg, procfs_nr_active(NULL, NULL));
}

int procfs_show_loadavg(struct pfs_buf *b)
{
	u32 total, last_pid, active = procfs_nr_active(&total, &last_pid);
	u64 avg[3];

	load_averages(avg, active);
	for (int i = 0; i < 3; i++) {
		/* Two decimals, rounded, as Linux's LOAD_INT/LOAD_FRAC. */
		u64 v = avg[i] + LOAD_FIXED_1 / 200;

		pfs_printf(b, "%llu.%02llu ", (unsigned long long)(v >> LOAD_FSHIFT),
			   (unsigned long long)(((v & (LOAD_FIXED_1 - 1)) * 100) >> LOAD_FSHIFT));
	}
	pfs_printf(b, "%u/%u %u\n", active, total, last_pid);
	return 0;
}

static void stat_cpu_line(struct pfs_buf *b, const char *name, u64 busy_ns,
			  u64 idle_ns)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	pfs_printf(b, "%s 0 0 %llu %llu 0 0 0 0 0 0\n", name,
		   (unsigned long long)procfs_ns_to_ticks(busy_ns),
		   (unsigned long long)procfs_ns_to_ticks(idle_ns));
}

int procfs_show_stat(struct pfs_buf *b)
{
	u64 now = ktime_get(), busy_sum = 0, idle_sum = 0, switches = 0, irqs = 0;
	u32 ncpu = cpu_count();
	struct task_census c;
	u64 *idle = cpu_idle_ns(ncpu, &c);
	char name[16];

	if (!idle)
		return -ENOMEM;
	for (u32 i = 0; i < ncpu; i++) {
		struct sched_cpu_stats st;
		struct cpu *cp = cpu_get(i);

		busy_sum += now > idle[i] ? now - idle[i] : 0;
		idle_sum += idle[i];
		sched_cpu_stats(i, &st);
		switches += st.switches;
		if (cp)
			irqs += READ_ONCE(cp->nr_irqs);
	}
	stat_cpu_line(b, "cpu ", busy_sum, idle_sum);
	for (u32 i = 0; i < ncpu; i++) {
		ksnprintf(name, sizeof(name), "cpu%u", i);
		stat_cpu_line(b, name, now > idle[i] ? now - idle[i] : 0, idle[i]);
	}
	kfree(idle);
	/* Linux lists counts by interrupt number; Vireo's are its vectors. */
	pfs_printf(b, "intr %llu", (unsigned long long)irqs);
	for (int v = 0; v < 256; v++)
		pfs_printf(b, " %llu", (unsigned long long)irq_vector_count(v));
	pfs_printf(b, "\nctxt %llu\nbtime %llu\nprocesses %u\nprocs_running %u\n"
		   "procs_blocked %u\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		   (unsigned long long)switches,
		   (unsigned long long)((ktime_get_real() - now) / NSEC_PER_SEC),
		   c.last_pid, c.running, c.blocked);
	return 0;
}
