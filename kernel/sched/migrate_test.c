/*
 * A task preempted and moved to another CPU at any instruction goes on as
 * itself. The stress test's fork bomb once ran PID 1's startup function a
 * second time, in a new task on PID 1's kernel stack: task_entry enables
 * interrupts and then reads current_task(), which used to be two loads
 * (the CPU's struct, then its `current`); preempted between them and
 * stolen by another CPU, the new task read the old CPU's current, PID 1,
 * and called PID 1's function with its (freed) argument.
 *
 * The window is reproduced exactly: an interrupt pending while interrupts
 * are off is taken right after the instruction that follows STI (the STI
 * shadow, on hardware and under TCG alike), and that interrupt preempts
 * the task in favour of a pinned "hog", which has the next CPU steal it.
 */
#include "kernel/test/ktest.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/err.h"
#include "kernel/sched/kthread.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/wait.h"

struct moved {
	bool count;                     /* probe preempt_disable, not current */
	struct completion go;           /* the hog may run */
	u32 from, thief;                /* CPU ids */
	bool armed;                     /* the probe is set up (else: leave) */
	struct task *self;              /* the probe's task */
	struct task *seen;              /* current_task() right after STI */
	u32 count_to, count_from;       /* preempt counts after preempt_disable()
					   right after STI: the thief's, ours */
	u32 to;                         /* where the probe ended up */
	u32 done;
};

static void kick_need_resched(void *arg)
{
	this_cpu()->need_resched = true;
}

/* Pinned to the probe's CPU: runs when the probe is preempted and has the
 * thief take it, then holds the CPU until the probe has read. */
static void moved_hog(void *arg)
{
	struct moved *m = arg;

	wait_for_completion(&m->go);
	if (!m->armed)
		return;
	smp_call_on(m->thief, kick_need_resched, NULL);
	while (!__atomic_load_n(&m->done, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void moved_probe(void *arg)
{
	struct moved *m = arg;
	struct task *hog;
	struct cpu *c;

	m->self = current_task();
	for (;;) {
		u32 here;

		irq_disable();
		here = this_cpu()->id;
		irq_enable();
		hog = kthread_create(moved_hog, m, "moved_hog", here);
		if (IS_ERR(hog))
			goto out;
		irq_disable();
		c = this_cpu();
		if (c->id == here)
			break;
		irq_enable();           /* moved meanwhile: again */
		complete(&m->go);
		kthread_join(hog);
		completion_init(&m->go);
	}
	m->from = c->id;
	m->thief = (c->id + 1) % cpu_count();
	m->armed = true;
	complete(&m->go);               /* the hog is queued behind us */
	c->need_resched = true;
	lapic_send_ipi(c->apic_id, IRQ_VECTOR_RESCHED);
	if (m->count) {
		irq_enable();
		preempt_disable();      /* the instruction after STI */
		irq_disable();
		m->to = this_cpu()->id;
		m->count_to = this_cpu()->preempt_count;
		m->count_from = READ_ONCE(cpu_get(m->from)->preempt_count);
		/* Put the counts right if the old CPU's was raised, so a
		 * failure stays a failure and not a stuck CPU. */
		if (m->to != m->from && m->count_from)
			__atomic_fetch_sub(&cpu_get(m->from)->preempt_count,
					   m->count_from, __ATOMIC_RELAXED);
		this_cpu()->preempt_count = 1;
		irq_enable();
		preempt_enable();
	} else {
		irq_enable();
		m->seen = current_task();       /* the instruction after STI */
		irq_disable();
		m->to = this_cpu()->id;
		irq_enable();
	}
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
	kthread_join(hog);
	return;
out:
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
}

static bool run_probe(struct moved *m)
{
	struct task *t;

	completion_init(&m->go);
	t = kthread_create(moved_probe, m, "moved_probe", TASK_ANY_CPU);
	if (IS_ERR(t))
		return false;
	kthread_join(t);
	return true;
}

KTEST(sched_pid1_startup_ran_twice_current_task_read_across_a_move)
{
	struct moved m = { 0 };

	if (cpu_count() < 2)
		return;                 /* nowhere to move to */
	KT_ASSERT(run_probe(&m));
	KT_ASSERT(m.armed);
	/* The test took the path it is about: preempted at once, and run on
	 * by the thief. */
	KT_ASSERT_EQ(m.to, m.thief);
	KT_ASSERT(m.seen == m.self);
}

/* The same window for the preempt count: the increment must land on the
 * CPU the task then runs on (done in one instruction, it stops the
 * pending preemption; done in two, the task moves in between and raises
 * the count of the CPU it left). */
KTEST(sched_preempt_disable_across_a_move_counts_on_the_new_cpu)
{
	struct moved m = { .count = true };

	if (cpu_count() < 2)
		return;
	KT_ASSERT(run_probe(&m));
	KT_ASSERT(m.armed);
	KT_ASSERT_EQ(m.count_to, 1);
	if (m.to != m.from)
		KT_ASSERT_EQ(m.count_from, 0);
}
