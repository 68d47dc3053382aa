/*
 * CPU affinity (sched_set_affinity) and where woken tasks are queued. The
 * moving cases need two CPUs; on one, only the error cases can be shown.
 */
#include "kernel/sched/sched.h"
#include "kernel/sched/wait.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define A_STACK 8192

static struct task a_tasks[3];
static u8 a_stacks[3][A_STACK] __aligned(16);

/* A mask with only cpu set, or NULL. */
static u64 *mask_of(u32 cpu)
{
	u64 *m = kzalloc(sched_cpumask_words() * sizeof(u64), GFP_KERNEL);

	if (m && cpu / 64 < sched_cpumask_words())
		m[cpu / 64] = 1ull << (cpu % 64);
	return m;
}

/* Set t's affinity to cpu alone; 0 or the error. */
static int pin(struct task *t, u32 cpu)
{
	u64 *m = mask_of(cpu);
	int err;

	if (!m)
		return -ENOMEM;
	err = sched_set_affinity(t, &m);
	kfree(m);                       /* the old one, or ours on error */
	return err;
}

static bool wait_until(const u32 *flag, u32 value)
{
	u64 end = ktime_get() + 2 * NSEC_PER_SEC;

	while (READ_ONCE(*flag) != value)
		if (ktime_get() > end)
			return false;
	return true;
}

KTEST(sched_affinity_without_online_cpu_is_einval)
{
	struct task *me = current_task();
	u64 *m = kzalloc(sched_cpumask_words() * sizeof(u64), GFP_KERNEL);
	u64 *cur;

	KT_ASSERT(m);
	KT_ASSERT_EQ(sched_set_affinity(me, &m), -EINVAL);     /* empty */
	/* Bits past the online CPUs, in the kernel's words, count as none. */
	if (cpu_count() % 64)
		m[sched_cpumask_words() - 1] = ~0ull << (cpu_count() % 64);
	KT_ASSERT_EQ(sched_set_affinity(me, &m), -EINVAL);
	KT_ASSERT(me->allowed == NULL);
	kfree(m);
	/* The mask read back has exactly the online CPUs. */
	cur = kzalloc(sched_cpumask_words() * sizeof(u64), GFP_KERNEL);
	KT_ASSERT(cur);
	sched_get_affinity(me, cur);
	for (u32 id = 0; id < sched_cpumask_words() * 64; id++)
		KT_ASSERT_EQ(cur[id / 64] >> (id % 64) & 1, id < cpu_count() ? 1u : 0u);
	kfree(cur);
}

/* ---- a running task moves at once ------------------------------------------- */

struct spinner {
	u32 running;            /* set once it runs */
	u32 stop;
	u32 cpu;                /* where it ran last */
	u32 forbidden;          /* set: count runs on other CPUs than cpu */
	u32 target, strays;
};

static void spinner(void *arg)
{
	struct spinner *s = arg;

	WRITE_ONCE(s->running, 1);
	while (!READ_ONCE(s->stop)) {
		u32 id = this_cpu()->id;

		WRITE_ONCE(s->cpu, id);
		if (READ_ONCE(s->forbidden) && id != s->target)
			s->strays++;
	}
}

KTEST(sched_affinity_moves_running_task_off_its_cpu)
{
	struct spinner s = { 0 };
	u32 from;

	if (cpu_count() < 2) {
		/* Nowhere to move to, and no CPU 1 to be allowed on. */
		KT_ASSERT_EQ(pin(current_task(), 1), -EINVAL);
		return;
	}
	KT_ASSERT_EQ(task_start(&a_tasks[0], "spinner", spinner, &s, a_stacks[0],
				A_STACK, TASK_ANY_CPU), 0);
	KT_ASSERT(wait_until(&s.running, 1));
	from = READ_ONCE(s.cpu);
	s.target = (from + 1) % cpu_count();
	KT_ASSERT_EQ(pin(&a_tasks[0], s.target), 0);
	/* It never sleeps: only the IPI and the push can move it. */
	KT_ASSERT(wait_until(&s.cpu, s.target));
	WRITE_ONCE(s.forbidden, 1);
	msleep(20);
	WRITE_ONCE(s.stop, 1);
	task_join(&a_tasks[0]);
	KT_ASSERT_EQ(s.strays, 0u);
	sched_affinity_free(&a_tasks[0]);
}

/* ---- a task that pins itself is on the new CPU when the call returns ------- */

struct self_pin {
	u32 target, after, done;
	int err;
};

static void self_pinner(void *arg)
{
	struct self_pin *sp = arg;

	sp->err = pin(current_task(), sp->target);
	if (!sp->err)
		sched_affinity_enforce();
	sp->after = this_cpu()->id;
	WRITE_ONCE(sp->done, 1);
}

KTEST(sched_affinity_self_pin_moves_before_return)
{
	u32 n = cpu_count();

	for (u32 target = 0; target < n; target++) {
		struct self_pin sp = { .target = target };

		KT_ASSERT_EQ(task_start(&a_tasks[0], "selfpin", self_pinner, &sp,
					a_stacks[0], A_STACK, TASK_ANY_CPU), 0);
		task_join(&a_tasks[0]);
		KT_ASSERT_EQ(sp.err, 0);
		KT_ASSERT_EQ(sp.after, target);
		sched_affinity_free(&a_tasks[0]);
	}
}

/* ---- a sleeping task wakes where it may run --------------------------------- */

struct sleeper_ctx {
	struct completion go;
	u32 asleep, woke_on;
};

static void sleeper(void *arg)
{
	struct sleeper_ctx *c = arg;

	WRITE_ONCE(c->asleep, 1);
	wait_for_completion(&c->go);
	c->woke_on = this_cpu()->id;
}

KTEST(sched_affinity_sleeping_task_wakes_on_allowed_cpu)
{
	struct sleeper_ctx c = { 0 };
	u32 n = cpu_count();

	completion_init(&c.go);
	KT_ASSERT_EQ(task_start(&a_tasks[0], "sleeper", sleeper, &c, a_stacks[0],
				A_STACK, TASK_ANY_CPU), 0);
	KT_ASSERT(wait_until(&c.asleep, 1));
	msleep(5);                      /* in wait_for_completion */
	KT_ASSERT_EQ(pin(&a_tasks[0], n - 1), 0);
	complete(&c.go);
	task_join(&a_tasks[0]);
	KT_ASSERT_EQ(c.woke_on, n - 1);
	sched_affinity_free(&a_tasks[0]);
}

/* ---- an exiting task's wake-up queues the woken task on its CPU ---------- */

struct exit_wake {
	struct completion go;
	u32 asleep, stop;
	u32 queued_on;          /* the woken task's CPU right after the wake */
};

static void exit_waiter(void *arg)
{
	struct exit_wake *e = arg;

	WRITE_ONCE(e->asleep, 1);
	wait_for_completion(&e->go);
}

static void exit_hog(void *arg)
{
	struct exit_wake *e = arg;

	while (!READ_ONCE(e->stop))
		cpu_relax();
}

static void exit_waker(void *arg)
{
	struct exit_wake *e = arg;

	sched_exiting();
	complete(&e->go);
	e->queued_on = READ_ONCE(a_tasks[0].cpu);
}

KTEST(sched_exiting_waker_queues_wakee_on_its_cpu)
{
	struct exit_wake e = { 0 };
	u64 *all;

	if (cpu_count() < 2)
		return;                 /* every wake-up is local on one CPU */
	completion_init(&e.go);
	/* The waiter sleeps having last run on CPU 0, then may run anywhere;
	 * CPU 0 is kept busy so it cannot take the waiter back by stealing. */
	KT_ASSERT_EQ(task_start(&a_tasks[0], "waiter", exit_waiter, &e, a_stacks[0],
				A_STACK, TASK_ANY_CPU), 0);
	KT_ASSERT(wait_until(&e.asleep, 1));
	msleep(5);                      /* asleep: pinning only sets its CPU */
	KT_ASSERT_EQ(pin(&a_tasks[0], 0), 0);
	all = kzalloc(sched_cpumask_words() * sizeof(u64), GFP_KERNEL);
	KT_ASSERT(all);
	memset(all, 0xff, sched_cpumask_words() * sizeof(u64));
	KT_ASSERT_EQ(sched_set_affinity(&a_tasks[0], &all), 0);
	kfree(all);
	KT_ASSERT_EQ(READ_ONCE(a_tasks[0].cpu), 0u);
	KT_ASSERT_EQ(task_start(&a_tasks[1], "hog", exit_hog, &e, a_stacks[1],
				A_STACK, 0), 0);
	KT_ASSERT_EQ(task_start(&a_tasks[2], "waker", exit_waker, &e, a_stacks[2],
				A_STACK, 1), 0);
	task_join(&a_tasks[2]);
	task_join(&a_tasks[0]);
	WRITE_ONCE(e.stop, 1);
	task_join(&a_tasks[1]);
	KT_ASSERT_EQ(e.queued_on, 1u);
	sched_affinity_free(&a_tasks[0]);
}
