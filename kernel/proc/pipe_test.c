/*
 * Pipe lifetime: the release of one end must be done with the pipe before
 * the release of the other end can free it.
 */
#include "kernel/proc/pipe.h"
#include "kernel/proc/poll.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/err.h"
#include "kernel/sched/kthread.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"
#include "vfs/vfs.h"

struct release_kt {
	struct file *f;
	u32 go;                 /* set by the test: release now */
	u32 done;               /* set once file_put has returned */
};

static void release_end(void *arg)
{
	struct release_kt *r = arg;

	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		cpu_relax();
	file_put(r->f);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

static bool wait_done(struct release_kt *r, u64 ms)
{
	u64 end = ktime_get() + ms * NSEC_PER_MSEC;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) && ktime_get() < end)
		cpu_relax();
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

/*
 * The stress test's fork bomb (PID 1 reading the report pipe while the
 * last writer exits) once panicked on a freed pipe: the writer's release
 * let go of the pipe lock and only then woke the readers, and in between
 * the reader saw end of file, closed its end, and that last release freed
 * the pipe under the writer. Here the writer's release is held in the
 * wake-up (this CPU holds the readers' wait-queue lock); the reader's
 * release on a third CPU must not finish, let alone free, meanwhile.
 */
KTEST(pipe_release_wakes_the_other_end_before_it_can_free_the_pipe)
{
	struct release_kt w = { 0 }, r = { 0 };
	struct task *tw, *tr;
	struct poll_table pt = { 0 };
	struct wait_queue *rd_wait;
	unsigned long flags;
	u32 me;
	bool reader_done_early;

	if (cpu_count() < 3)
		return;                 /* needs a CPU for each release and this one */
	KT_ASSERT_EQ(pipe_create(0, &r.f, &w.f), 0);
	/* The readers' wait queue, as poll() finds it. */
	r.f->f_op->poll(r.f, &pt);
	KT_ASSERT(pt.n >= 1);
	rd_wait = pt.queue[0];
	finish_wait(rd_wait, &pt.entry[0]);
	current_task()->state = TASK_RUNNABLE;

	flags = read_rflags();
	irq_disable();
	me = this_cpu()->id;
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	tw = kthread_create(release_end, &w, "pipe_rel_w", (me + 1) % cpu_count());
	tr = kthread_create(release_end, &r, "pipe_rel_r", (me + 2) % cpu_count());
	KT_ASSERT(!IS_ERR(tw) && !IS_ERR(tr));

	flags = spin_lock_irqsave(&rd_wait->lock);
	__atomic_store_n(&w.go, 1, __ATOMIC_RELEASE);
	udelay(20000);                  /* the writer is in its wake-up by now */
	__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
	reader_done_early = wait_done(&r, 50);
	spin_unlock_irqrestore(&rd_wait->lock, flags);

	kthread_join(tw);
	kthread_join(tr);
	KT_ASSERT(!reader_done_early);
	KT_ASSERT(w.done && r.done);
}
