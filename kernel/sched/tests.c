/*
 * In-kernel tests for the scheduler and its synchronisation. Threads run
 * on stacks from a static pool here; each test joins all it started.
 */
#include "kernel/sched/atomic.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/wait.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define T_THREADS 8
#define T_STACK   8192

static struct task t_tasks[T_THREADS];
static u8 t_stacks[T_THREADS][T_STACK] __aligned(16);

static int t_start(int i, const char *name, void (*fn)(void *), void *arg, u32 cpu)
{
	return task_start(&t_tasks[i], name, fn, arg, t_stacks[i], T_STACK, cpu);
}

/* ---- mutex ------------------------------------------------------------------- */

static struct mutex count_mutex = MUTEX_INIT(count_mutex, "test-count");
static u64 counter;                     /* protected by count_mutex */
#define COUNT_ITERS 2000

static void count_worker(void *arg)
{
	for (int i = 0; i < COUNT_ITERS; i++) {
		mutex_lock(&count_mutex);
		/* Read, give the CPU away, write: without mutual exclusion
		 * increments would be lost. */
		u64 v = counter;

		if ((i & 63) == 0)
			sched_yield();
		counter = v + 1;
		mutex_unlock(&count_mutex);
	}
}

KTEST(sched_mutex_counter_exact)
{
	counter = 0;
	for (int i = 0; i < T_THREADS; i++)
		KT_ASSERT_EQ(t_start(i, "counter", count_worker, NULL, TASK_ANY_CPU), 0);
	for (int i = 0; i < T_THREADS; i++)
		task_join(&t_tasks[i]);
	KT_ASSERT_EQ(counter, (u64)T_THREADS * COUNT_ITERS);
}

static struct mutex fifo_mutex = MUTEX_INIT(fifo_mutex, "test-fifo");
static u32 fifo_order[4];
static atomic_t fifo_pos;

static void fifo_worker(void *arg)
{
	mutex_lock(&fifo_mutex);
	fifo_order[atomic_add_return(&fifo_pos, 1) - 1] = (u32)(uintptr_t)arg;
	mutex_unlock(&fifo_mutex);
}

KTEST(sched_mutex_fifo_wakes_one)
{
	u64 end;

	atomic_set(&fifo_pos, 0);
	mutex_lock(&fifo_mutex);
	/* Queue waiters 0..3 in a known order. */
	for (u32 i = 0; i < 4; i++) {
		KT_ASSERT_EQ(t_start((int)i, "fifo", fifo_worker, (void *)(uintptr_t)i,
				     TASK_ANY_CPU), 0);
		end = ktime_get() + 2 * NSEC_PER_SEC;
		while (mutex_waiters(&fifo_mutex) < i + 1 && ktime_get() < end)
			msleep(1);
		KT_ASSERT_EQ(mutex_waiters(&fifo_mutex), i + 1);
	}
	mutex_unlock(&fifo_mutex);
	/* Hand-off woke exactly one: the other three are still queued. */
	KT_ASSERT(mutex_waiters(&fifo_mutex) >= 2);
	for (int i = 0; i < 4; i++)
		task_join(&t_tasks[i]);
	KT_ASSERT_EQ(atomic_read(&fifo_pos), 4);
	for (u32 i = 0; i < 4; i++)
		KT_ASSERT_EQ(fifo_order[i], i);
}

/* ---- producer / consumer over wait queues -------------------------------------- */

#define PC_RING   16
#define PC_ITEMS  3000                  /* per producer */
#define PC_PRODUCERS 3
#define PC_CONSUMERS 3

static struct {
	struct spinlock lock;           /* protects ring, head, tail, done */
	u32 ring[PC_RING];
	u32 head, tail;                 /* free-running */
	u32 producers_done;
	struct wait_queue not_empty, not_full;
	u8 seen[PC_PRODUCERS * PC_ITEMS];
} pc;

static bool pc_can_put(void)
{
	return READ_ONCE(pc.head) - READ_ONCE(pc.tail) < PC_RING;
}

static bool pc_can_get(void)
{
	return READ_ONCE(pc.head) != READ_ONCE(pc.tail) ||
	       READ_ONCE(pc.producers_done) == PC_PRODUCERS;
}

static void producer(void *arg)
{
	u32 base = (u32)(uintptr_t)arg * PC_ITEMS;

	for (u32 i = 0; i < PC_ITEMS; i++) {
		for (;;) {
			unsigned long f;

			wait_event(&pc.not_full, pc_can_put());
			f = spin_lock_irqsave(&pc.lock);
			if (pc.head - pc.tail < PC_RING) {
				pc.ring[pc.head++ % PC_RING] = base + i;
				spin_unlock_irqrestore(&pc.lock, f);
				break;
			}
			spin_unlock_irqrestore(&pc.lock, f);
		}
		wake_up_one(&pc.not_empty);
	}
	__atomic_fetch_add(&pc.producers_done, 1, __ATOMIC_SEQ_CST);
	wake_up(&pc.not_empty);
}

static void consumer(void *arg)
{
	for (;;) {
		unsigned long f;
		u32 item;

		wait_event(&pc.not_empty, pc_can_get());
		f = spin_lock_irqsave(&pc.lock);
		if (pc.head == pc.tail) {
			bool done = pc.producers_done == PC_PRODUCERS;

			spin_unlock_irqrestore(&pc.lock, f);
			if (done)
				return;
			continue;
		}
		item = pc.ring[pc.tail++ % PC_RING];
		spin_unlock_irqrestore(&pc.lock, f);
		pc.seen[item]++;        /* a duplicate shows as 2 */
		wake_up_one(&pc.not_full);
	}
}

KTEST(sched_producer_consumer_no_loss_no_dup)
{
	memset(&pc, 0, sizeof(pc));
	pc.lock = (struct spinlock)SPINLOCK_INIT("pc");
	wait_queue_init(&pc.not_empty, "pc-not-empty");
	wait_queue_init(&pc.not_full, "pc-not-full");
	for (int i = 0; i < PC_CONSUMERS; i++)
		KT_ASSERT_EQ(t_start(i, "consumer", consumer, NULL, TASK_ANY_CPU), 0);
	for (int i = 0; i < PC_PRODUCERS; i++)
		KT_ASSERT_EQ(t_start(PC_CONSUMERS + i, "producer", producer,
				     (void *)(uintptr_t)i, TASK_ANY_CPU), 0);
	for (int i = 0; i < PC_CONSUMERS + PC_PRODUCERS; i++)
		task_join(&t_tasks[i]);
	for (u32 i = 0; i < PC_PRODUCERS * PC_ITEMS; i++)
		KT_ASSERT_EQ(pc.seen[i], 1);
}

/* ---- completions, sleeping, preemption ----------------------------------------- */

static struct completion t_done;

static void completer(void *arg)
{
	msleep(5);
	complete(&t_done);
}

KTEST(sched_completion_wakes_waiter)
{
	u64 t0 = ktime_get();

	completion_init(&t_done);
	KT_ASSERT_EQ(t_start(0, "completer", completer, NULL, TASK_ANY_CPU), 0);
	wait_for_completion(&t_done);
	KT_ASSERT(ktime_get() - t0 >= 5 * NSEC_PER_MSEC);
	task_join(&t_tasks[0]);
	/* One complete() lets exactly one wait through. */
	KT_ASSERT_EQ(t_done.done, 0);
}

struct sleep_check {
	u64 ms;
	u64 slept_ns;
};

static void sleeper(void *arg)
{
	struct sleep_check *s = arg;
	u64 t0 = ktime_get();

	msleep(s->ms);
	s->slept_ns = ktime_get() - t0;
}

KTEST(sched_sleep_never_wakes_early)
{
	static struct sleep_check s[T_THREADS];

	for (int i = 0; i < T_THREADS; i++) {
		s[i].ms = 1 + (u64)i * 3;
		s[i].slept_ns = 0;
		KT_ASSERT_EQ(t_start(i, "sleeper", sleeper, &s[i], TASK_ANY_CPU), 0);
	}
	for (int i = 0; i < T_THREADS; i++)
		task_join(&t_tasks[i]);
	for (int i = 0; i < T_THREADS; i++) {
		KT_ASSERT(s[i].slept_ns >= s[i].ms * NSEC_PER_MSEC);
		KT_ASSERT(s[i].slept_ns < (s[i].ms + 500) * NSEC_PER_MSEC);
	}
}

static u32 spin_stop;
static u64 spin_counts[2];

static void spinner(void *arg)
{
	u64 *count = arg;

	/* Never yields: only preemption lets the other spinner run. */
	while (!READ_ONCE(spin_stop))
		(*(volatile u64 *)count)++;
}

KTEST(sched_preempts_busy_threads)
{
	struct sched_cpu_stats before, after;
	u64 deadline;

	spin_stop = 0;
	spin_counts[0] = spin_counts[1] = 0;
	sched_cpu_stats(0, &before);
	KT_ASSERT_EQ(t_start(0, "spin0", spinner, &spin_counts[0], 0), 0);
	KT_ASSERT_EQ(t_start(1, "spin1", spinner, &spin_counts[1], 0), 0);
	/* Both must get to run: a few slices, or (a stalled vCPU on a busy
	 * host) as long as it takes, up to 5 s; without preemption one of
	 * them never does. */
	deadline = ktime_get() + 5 * NSEC_PER_SEC;
	do
		msleep(60);
	while ((!READ_ONCE(spin_counts[0]) || !READ_ONCE(spin_counts[1])) &&
	       ktime_get() < deadline);
	WRITE_ONCE(spin_stop, 1);
	task_join(&t_tasks[0]);
	task_join(&t_tasks[1]);
	sched_cpu_stats(0, &after);
	KT_ASSERT(spin_counts[0] > 0 && spin_counts[1] > 0);
	KT_ASSERT(after.slice_expiries > before.slice_expiries);
}

/* ---- every CPU runs work ------------------------------------------------------ */

static u64 cpu_work[T_THREADS];

static void per_cpu_worker(void *arg)
{
	u32 id = (u32)(uintptr_t)arg;

	for (int i = 0; i < 1000; i++)
		if (this_cpu()->id == id)
			cpu_work[id]++;
}

KTEST(sched_every_cpu_runs_work)
{
	u32 n = cpu_count();

	KT_ASSERT(n >= 1 && n <= T_THREADS);
	for (u32 id = 0; id < n; id++) {
		cpu_work[id] = 0;
		KT_ASSERT_EQ(t_start((int)id, "percpu", per_cpu_worker,
				     (void *)(uintptr_t)id, id), 0);
	}
	for (u32 id = 0; id < n; id++)
		task_join(&t_tasks[id]);
	for (u32 id = 0; id < n; id++)
		KT_ASSERT_EQ(cpu_work[id], 1000);      /* pinned: never elsewhere */
}

/* ---- lock debugging ------------------------------------------------------------- */

KTEST(lockdebug_detects_recursive_spinlock)
{
	struct spinlock l = SPINLOCK_INIT("test-recursive");
	u32 violations = 0;

	KT_ASSERT(lock_debug);
	this_cpu()->lock_violations = &violations;
	spin_lock(&l);
	spin_lock(&l);          /* would deadlock: reported and skipped */
	spin_unlock(&l);
	this_cpu()->lock_violations = NULL;
	KT_ASSERT_EQ(violations, 1);
	KT_ASSERT(!spin_is_locked(&l));
}

KTEST(lockdebug_detects_sleep_under_spinlock)
{
	struct spinlock l = SPINLOCK_INIT("test-held");
	struct mutex m = MUTEX_INIT(m, "test-m");
	u32 violations = 0;

	this_cpu()->lock_violations = &violations;
	spin_lock(&l);
	msleep(1);
	mutex_lock(&m);
	spin_unlock(&l);
	KT_ASSERT_EQ(violations, 2);
	/* A mutex taken twice by its owner is reported too. */
	mutex_lock(&m);
	mutex_lock(&m);
	mutex_unlock(&m);
	this_cpu()->lock_violations = NULL;
	KT_ASSERT_EQ(violations, 3);
	KT_ASSERT_EQ(current_task()->state, TASK_RUNNABLE);
}

/* ---- unpinned work spreads over every CPU -------------------------------------- */

#define SPREAD_MAX_CPUS 64
static atomic_t spread_hits[SPREAD_MAX_CPUS];

static void spread_worker(void *arg)
{
	u64 end = ktime_get() + 30 * NSEC_PER_MSEC;

	/* CPU-bound, never sleeping: only placement and stealing can put
	 * these threads on other CPUs. At least one hit wherever it runs:
	 * a vCPU the host stalled past the deadline still ran the work. */
	do
		atomic_inc(&spread_hits[this_cpu()->id]);
	while (ktime_get() < end);
}

KTEST(sched_unpinned_work_reaches_every_cpu)
{
	u32 n = cpu_count();

	KT_ASSERT(n <= SPREAD_MAX_CPUS);
	for (u32 i = 0; i < n; i++)
		atomic_set(&spread_hits[i], 0);
	for (int i = 0; i < T_THREADS; i++)
		KT_ASSERT_EQ(t_start(i, "spread", spread_worker, NULL, TASK_ANY_CPU), 0);
	for (int i = 0; i < T_THREADS; i++)
		task_join(&t_tasks[i]);
	for (u32 i = 0; i < n; i++)
		KT_ASSERT(atomic_read(&spread_hits[i]) > 0);
}

/* ---- wait queues tolerate spurious wake-ups ------------------------------------- */

static struct wait_queue spurious_wq = WAIT_QUEUE_INIT(spurious_wq, "test-spurious");
static u32 spurious_flag, spurious_done, spurious_rounds;

static void spurious_waiter(void *arg)
{
	wait_event(&spurious_wq, (spurious_rounds++, READ_ONCE(spurious_flag)));
	WRITE_ONCE(spurious_done, 1);
}

KTEST(sched_wait_queue_spurious_wakeups_harmless)
{
	spurious_flag = spurious_done = spurious_rounds = 0;
	KT_ASSERT_EQ(t_start(0, "waiter", spurious_waiter, NULL, TASK_ANY_CPU), 0);
	msleep(5);
	for (int i = 0; i < 3; i++) {
		wake_up(&spurious_wq);          /* condition still false */
		msleep(5);
		KT_ASSERT_EQ(READ_ONCE(spurious_done), 0);
	}
	/* It re-checked after each wake-up and went back to sleep. */
	KT_ASSERT(READ_ONCE(spurious_rounds) >= 4);
	WRITE_ONCE(spurious_flag, 1);
	KT_ASSERT_EQ(wake_up(&spurious_wq), 1);
	task_join(&t_tasks[0]);
	KT_ASSERT_EQ(spurious_done, 1);
}

/* ---- idle CPUs take no timer interrupts (tickless) ------------------------------ */

KTEST(sched_idle_cpus_take_no_ticks)
{
	u64 before[SPREAD_MAX_CPUS];
	u32 n = cpu_count(), me;

	KT_ASSERT(n <= SPREAD_MAX_CPUS);
	msleep(10);                     /* let earlier tests' slices drain */
	for (u32 i = 0; i < n; i++)
		before[i] = READ_ONCE(cpu_get(i)->nr_timer_irqs);
	msleep(100);
	me = this_cpu()->id;
	for (u32 i = 0; i < n; i++) {
		struct sched_cpu_stats s;

		if (i == me)
			continue;       /* our own sleep needed one timer */
		sched_cpu_stats(i, &s);
		KT_ASSERT_EQ(s.nr_running, 0);
		KT_ASSERT_EQ(READ_ONCE(cpu_get(i)->nr_timer_irqs), before[i]);
	}
}
