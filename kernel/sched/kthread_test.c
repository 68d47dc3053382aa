/* In-kernel tests for kernel threads that own their task and stack. */
#include "kernel/sched/kthread.h"
#include "kernel/sched/atomic.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define KT_BATCH  16
#define KT_ROUNDS 8

static atomic_t kt_ran;

static void kt_count(void *arg)
{
	atomic_add(&kt_ran, (long)(uintptr_t)arg);
}

/* Start a batch (some pinned round-robin, some free to migrate) and join
 * it; false if a create failed. */
static bool kt_batch(void)
{
	struct task *t[KT_BATCH];
	bool ok = true;

	for (int i = 0; i < KT_BATCH; i++) {
		u32 cpu = i & 1 ? TASK_ANY_CPU : (u32)i % cpu_count();

		t[i] = kthread_create(kt_count, (void *)(uintptr_t)(i + 1), "kt-count", cpu);
		if (IS_ERR(t[i]))
			ok = false;
	}
	for (int i = 0; i < KT_BATCH; i++)
		if (!IS_ERR(t[i]))
			kthread_join(t[i]);
	return ok;
}

static u64 kt_free_frames(void)
{
	kmalloc_shrink();
	return pmm_free_count();
}

KTEST(kthread_create_join_frees_task_and_stack)
{
	u64 before, after;

	/* A first batch may populate page tables of the stack area, which
	 * stay: the baseline is taken after it. */
	KT_ASSERT(kt_batch());
	atomic_set(&kt_ran, 0);
	before = kt_free_frames();
	for (int r = 0; r < KT_ROUNDS; r++)
		KT_ASSERT(kt_batch());
	after = kt_free_frames();
	KT_ASSERT_EQ(atomic_read(&kt_ran), KT_ROUNDS * KT_BATCH * (KT_BATCH + 1) / 2);
	KT_ASSERT_EQ(after, before);
}

KTEST(kthread_create_rejects_offline_cpu)
{
	u64 before = kt_free_frames();
	struct task *t = kthread_create(kt_count, NULL, "kt-bad", cpu_count());

	KT_ASSERT(IS_ERR(t));
	KT_ASSERT_EQ(PTR_ERR(t), -EINVAL);
	KT_ASSERT_EQ(kt_free_frames(), before);
}

static void kt_until_stopped(void *arg)
{
	atomic_t *loops = arg;

	/* Sleep until asked to stop, rechecking after setting the state so
	 * that the stopper's single wake-up cannot be missed. */
	for (;;) {
		current_task()->state = TASK_SLEEPING;
		if (kthread_should_stop())
			break;
		atomic_inc(loops);
		schedule();
	}
	current_task()->state = TASK_RUNNABLE;
}

KTEST(kthread_stop_wakes_sleeper_and_joins)
{
	atomic_t loops = ATOMIC_INIT(0);
	struct task *t = kthread_create(kt_until_stopped, &loops, "kt-stop", TASK_ANY_CPU);
	u64 end = ktime_get() + 100 * NSEC_PER_MSEC;

	bool slept;

	KT_ASSERT(!IS_ERR(t));
	while (!atomic_read(&loops) && ktime_get() < end)
		msleep(1);
	slept = atomic_read(&loops) >= 1;
	/* Returns only once the thread saw the flag and exited. */
	kthread_stop(t);
	KT_ASSERT(slept);
}
