/*
 * The scheduler (see sched.h).
 *
 * Locking. Each run queue has a lock protecting its queue, its counters
 * and, for every task whose t->cpu names it, t->state, t->on_rq and
 * t->cpu itself. A task moves between queues only when another CPU steals
 * it, with both locks held (the thief's own, and the victim's taken with
 * trylock so two thieves cannot deadlock).
 *
 * Switching. __schedule() takes this CPU's queue lock with interrupts off
 * and switches with it held; the task switched to releases it (lock
 * hand-off), first clearing the previous task's on_cpu: until then the
 * previous task is still on its stack, so no CPU may run or free it.
 *
 * Sleeping. A task sets its state to SLEEPING, re-checks its condition,
 * then calls schedule(). A waker sets it RUNNABLE under the queue lock; if
 * that happens before schedule() looks, the task simply goes on. A task
 * preempted in between stays queued, whatever its state says.
 *
 * Moving. A woken task goes where it may run (its affinity), to the
 * waker's CPU if the waker is leaving it (an exiting child waking its
 * parent), and otherwise back where it ran. Between queues it is "in
 * flight": RUNNABLE, on no queue and on no CPU, with t->cpu already
 * naming its destination, so other wakers leave it alone and no thief
 * sees it; rq_enqueue_flight() lands it. Every writer of t->cpu holds the
 * lock of the queue t->cpu names at the time.
 */
#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

#define SLICE_NS (4 * NSEC_PER_MSEC)
#define BOOT_IDLE_STACK 16384

struct runqueue {
	struct spinlock lock;
	u32 cpu;
	struct list_node queue;         /* runnable tasks not on a CPU */
	u32 nr_queued;
	struct task *idle;
	struct task *last;              /* switched away from; on_cpu still 1 */
	struct task *push;              /* last, preempted on a CPU its affinity
					   no longer allows: to requeue elsewhere */
	struct timer slice;             /* armed while others are queued */
	u64 switch_tsc;                 /* when current was switched in */
	u64 switches, slice_expiries, steals;
};

void sched_switch(u64 *save_rsp, u64 new_rsp);

static struct runqueue boot_rq;
static struct task boot_main, boot_idle;
static u8 boot_idle_stack[BOOT_IDLE_STACK] __aligned(16);
extern u8 boot_stack_bottom[], boot_stack_top[];

/* Every task, for procfs; task_start adds, task_join removes. */
static struct spinlock tasks_lock = SPINLOCK_INIT("tasks");
static struct list_node all_tasks = LIST_INIT(all_tasks);
static u32 next_tid = 1;

static void rq_update_slice(struct runqueue *rq);
static u32 task_pick_cpu(const struct task *t);

static struct runqueue *cpu_rq(u32 cpu)
{
	struct cpu *c = cpu_get(cpu);

	return c ? c->rq : NULL;
}

/* May t run on cpu? Under the lock of t's queue (set_affinity swaps
 * t->allowed under it). */
static bool task_allowed(const struct task *t, u32 cpu)
{
	if (t->pinned != TASK_ANY_CPU && t->pinned != cpu)
		return false;
	return !t->allowed || (cpu / 64 < sched_cpumask_words() &&
			       (t->allowed[cpu / 64] >> (cpu % 64) & 1));
}

/* Lock the queue t->cpu names, which may change until it is held.
 * Interrupts off. */
static struct runqueue *task_rq_lock(struct task *t)
{
	for (;;) {
		struct runqueue *rq = cpu_rq(READ_ONCE(t->cpu));

		spin_lock(&rq->lock);
		if (t->cpu == rq->cpu)
			return rq;
		spin_unlock(&rq->lock);         /* moved meanwhile */
	}
}

static void rq_enqueue(struct runqueue *rq, struct task *t)
{
	list_add_tail(&t->rq_node, &rq->queue);
	t->on_rq = true;
	rq->nr_queued++;
}

static void rq_dequeue(struct runqueue *rq, struct task *t)
{
	list_del(&t->rq_node);
	t->on_rq = false;
	rq->nr_queued--;
}

static bool cpu_is_idle(u32 id)
{
	struct cpu *c = cpu_get(id);

	return c && c->rq && READ_ONCE(c->current) == c->rq->idle;
}

/* Ask cpu to reschedule (an idle CPU then looks for work, a busy one
 * re-evaluates its slice timer). */
static void sched_kick(u32 cpu)
{
	struct cpu *c = cpu_get(cpu);

	if (!c)
		return;
	if (c == this_cpu()) {
		if (cpu_is_idle(cpu))
			c->need_resched = true;
		else
			rq_update_slice(c->rq);
		return;
	}
	lapic_send_ipi(c->apic_id, IRQ_VECTOR_RESCHED);
}

/* After queueing t on rq: get it run soon, and a thief going if rq's
 * CPU is busy. rq->lock held. */
static void rq_kicked(struct runqueue *rq, const struct task *t)
{
	sched_kick(rq->cpu);
	if (cpu_is_idle(rq->cpu))
		return;
	for (u32 id = 0; id < cpu_count(); id++) {
		if (id != rq->cpu && cpu_is_idle(id) && task_allowed(t, id)) {
			sched_kick(id);
			return;
		}
	}
}

/*
 * Queue t, in flight (see the top of this file), on the CPU t->cpu names.
 * Unless sync: kick that CPU, or a thief if it is busy. Interrupts off, no
 * queue lock held.
 */
static void rq_enqueue_flight_sync(struct task *t, bool sync)
{
	struct runqueue *rq = task_rq_lock(t);

	rq_enqueue(rq, t);
	if (!sync)
		rq_kicked(rq, t);
	spin_unlock(&rq->lock);
}

static void rq_enqueue_flight(struct task *t)
{
	rq_enqueue_flight_sync(t, false);
}

/*
 * The slice timer is armed when a task runs here with others waiting, and
 * cancelled when the CPU goes idle. It is left armed when the queue empties
 * under a running task: two tasks that wake each other (a pipe ping-pong)
 * would otherwise re-arm it on every wake-up, and arming reads the clock,
 * an HPET register on q35 that costs microseconds under TCG. Left armed,
 * it fires at most once more and finds nobody waiting.
 */
static void rq_update_slice(struct runqueue *rq)
{
	if (this_cpu()->current == rq->idle)
		timer_cancel(&rq->slice);
	else if (rq->nr_queued && !READ_ONCE(rq->slice.queue))
		timer_arm(&rq->slice, ktime_get() + SLICE_NS);
}

static void slice_expired(struct timer *t)
{
	struct runqueue *rq = container_of(t, struct runqueue, slice);

	if (!READ_ONCE(rq->nr_queued))
		return;                 /* armed for waiters that have since run */
	rq->slice_expiries++;
	this_cpu()->need_resched = true;
	/* Still more work than this CPU can run: wake a thief. */
	if (READ_ONCE(rq->nr_queued) > 1)
		for (u32 id = 0; id < cpu_count(); id++)
			if (cpu_is_idle(id)) {
				sched_kick(id);
				break;
			}
}

/* Reschedule IPI: the sender queued work here (or wants a thief). */
static void resched_ipi(void *ctx)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = c->rq;

	if (!rq)
		return;
	if (c->current == rq->idle)
		c->need_resched = true;
	else
		rq_update_slice(rq);
}

/* Take a migratable task from another CPU's queue. rq->lock held. */
static struct task *rq_steal(struct runqueue *rq)
{
	for (u32 i = 1; i < cpu_count(); i++) {
		struct runqueue *victim = cpu_rq((rq->cpu + i) % cpu_count());
		struct task *t;

		if (!victim || !READ_ONCE(victim->nr_queued) || !spin_trylock(&victim->lock))
			continue;
		list_for_each_entry(t, &victim->queue, rq_node) {
			if (READ_ONCE(t->on_cpu) || !task_allowed(t, rq->cpu))
				continue;
			rq_dequeue(victim, t);
			t->cpu = rq->cpu;
			rq->steals++;
			spin_unlock(&victim->lock);
			return t;
		}
		spin_unlock(&victim->lock);
	}
	return NULL;
}

static struct task *rq_pick(struct runqueue *rq)
{
	struct task *t;

	if (rq->nr_queued) {
		t = list_first_entry(&rq->queue, struct task, rq_node);
		rq_dequeue(rq, t);
		return t;
	}
	t = rq_steal(rq);
	return t ? t : rq->idle;
}

/* In the task switched to, with the hand-off lock held: let go of the
 * previous task and the lock. */
static void finish_switch(void)
{
	struct runqueue *rq = this_cpu()->rq;
	struct task *push = rq->push;

	if (push) {
		rq->push = NULL;
		push->cpu = task_pick_cpu(push);        /* in flight */
	}
	__atomic_store_n(&rq->last->on_cpu, 0, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);
	if (push)
		rq_enqueue_flight(push);
}

static void __schedule(bool preempt)
{
	unsigned long flags = read_rflags();
	struct runqueue *rq;
	struct task *prev, *next;
	struct cpu *c;
	u64 now;

	irq_disable();
	c = this_cpu();
	rq = c->rq;
	prev = c->current;
	spin_lock(&rq->lock);
	c->need_resched = false;
	if (prev != rq->idle && !prev->on_rq && prev->state != TASK_DEAD &&
	    (preempt || prev->state == TASK_RUNNABLE)) {
		if (task_allowed(prev, rq->cpu))
			rq_enqueue(rq, prev);
		else
			rq->push = prev;        /* once off its stack */
	}
	next = rq_pick(rq);
	if (next == prev) {
		rq_update_slice(rq);
		spin_unlock(&rq->lock);
		goto out;
	}
	now = rdtsc();
	prev->runtime_cycles += now - rq->switch_tsc;
	rq->switch_tsc = now;
	rq->switches++;
	next->switches++;
	next->on_cpu = 1;
	rq->last = prev;
	c->current = next;
	rq_update_slice(rq);
	if (prev->thread || next->thread)
		proc_switch(prev, next);
	sched_switch(&prev->rsp, next->rsp);
	/* Back as prev, perhaps on another CPU, perhaps much later. */
	finish_switch();
out:
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

void schedule(void)
{
	struct task *t = current_task();

	if (!lock_debug_may_sleep(t->name)) {
		t->state = TASK_RUNNABLE;       /* a test tolerated it: don't */
		return;
	}
	__schedule(false);
}

void sched_yield(void)
{
	__schedule(true);
}

void preempt_resched(void)
{
	struct cpu *c = this_cpu();

	if (c->rq && !c->preempt_count && !c->irq_depth && irqs_enabled())
		__schedule(true);
}

void sched_irq_exit(void)
{
	struct cpu *c = this_cpu();

	/* Interrupts are off here; the interrupted context's flags return
	 * with iret, so switching away now is switching the whole context. */
	if (c->rq && READ_ONCE(c->need_resched) && !c->preempt_count && !c->irq_depth)
		__schedule(true);
}

/*
 * Where a woken task runs: on this CPU if the waker is about to leave it
 * (sched_exiting: an exiting child waking its parent) and nothing else
 * waits here, as the CPU is about to be free, where an idle CPU elsewhere
 * would first have to take an IPI (and, in a VM, be run by the host);
 * else where it last ran; anywhere it may if not there. The lock of t's
 * queue held (this CPU's queue length is a hint).
 */
static u32 wake_cpu(const struct task *t, bool *sync)
{
	struct cpu *c = this_cpu();
	u32 here = c->id;

	*sync = current_task()->exiting && !READ_ONCE(c->rq->nr_queued) &&
		task_allowed(t, here);
	if (*sync)
		return here;
	if (task_allowed(t, t->cpu))
		return t->cpu;
	return task_pick_cpu(t);
}

/* Queue t, just made runnable and on no queue or CPU, where wake_cpu()
 * says, and release rq->lock (t's queue). Interrupts off. */
static void rq_wake_place(struct runqueue *rq, struct task *t)
{
	bool sync;
	u32 cpu = wake_cpu(t, &sync);

	if (cpu == rq->cpu) {
		rq_enqueue(rq, t);
		if (!sync)
			rq_kicked(rq, t);
		spin_unlock(&rq->lock);
		return;
	}
	t->cpu = cpu;                   /* in flight */
	spin_unlock(&rq->lock);
	rq_enqueue_flight_sync(t, sync);
}

bool task_wake(struct task *t)
{
	unsigned long flags = read_rflags();
	struct runqueue *rq;
	bool woke = false;

	irq_disable();
	rq = task_rq_lock(t);
	if (t->state == TASK_SLEEPING || t->state == TASK_UNINTERRUPTIBLE) {
		t->state = TASK_RUNNABLE;
		woke = true;
		/* Still on its CPU on the way to sleep, or preempted and
		 * queued: it will carry on by itself. */
		if (!t->on_cpu && !t->on_rq) {
			rq_wake_place(rq, t);
			goto out;
		}
	}
	spin_unlock(&rq->lock);
out:
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	return woke;
}

/* ---- sleeping on time ------------------------------------------------------ */

struct sleeper {
	struct timer timer;
	struct task *task;
};

static void sleeper_fire(struct timer *t)
{
	task_wake(container_of(t, struct sleeper, timer)->task);
}

void task_signal_wake(struct task *t)
{
	unsigned long flags = read_rflags();
	struct runqueue *rq;
	bool ipi = false;
	u32 cpu;

	irq_disable();
	rq = task_rq_lock(t);
	cpu = rq->cpu;
	if (t->state == TASK_SLEEPING) {
		t->state = TASK_RUNNABLE;
		if (!t->on_cpu && !t->on_rq) {
			rq_wake_place(rq, t);
			goto out;
		}
	} else if (t->on_cpu && cpu != this_cpu()->id) {
		ipi = true;
	}
	spin_unlock(&rq->lock);
	/* Any interrupt will do: the way back to user mode looks. */
	if (ipi)
		lapic_send_ipi(cpu_get(cpu)->apic_id, IRQ_VECTOR_RESCHED);
out:
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

void sched_sleep_until(u64 deadline)
{
	struct sleeper s = { .task = current_task() };

	if (!lock_debug_may_sleep("sleep"))
		return;                 /* a test provoked it: don't sleep */
	timer_setup(&s.timer, sleeper_fire);
	while (ktime_get() < deadline) {
		s.task->state = TASK_SLEEPING;
		timer_arm(&s.timer, deadline);
		schedule();
	}
	s.task->state = TASK_RUNNABLE;
	timer_cancel_sync(&s.timer);
}

void msleep(u64 ms)
{
	sched_sleep_until(ktime_get() + ms * NSEC_PER_MSEC);
}

/* ---- tasks -------------------------------------------------------------------- */

static void __noreturn task_entry(void)
{
	struct task *t;

	finish_switch();
	irq_enable();
	t = current_task();
	t->fn(t->arg);
	task_exit();
}

/* The least loaded CPU t may run on (an unlocked look: a hint). t's
 * affinity always allows an online CPU (sched_set_affinity). */
static u32 task_pick_cpu(const struct task *t)
{
	u32 best = 0, best_load = ~0u;

	for (u32 id = 0; id < cpu_count(); id++) {
		struct runqueue *rq = cpu_rq(id);
		u32 load;

		if (!rq || !task_allowed(t, id))
			continue;
		load = READ_ONCE(rq->nr_queued) + !cpu_is_idle(id);
		if (load < best_load) {
			best = id;
			best_load = load;
		}
	}
	return best;
}

static void task_prepare(struct task *t, const char *name, void (*fn)(void *),
			 void *arg, void *stack, size_t stack_size)
{
	u64 *sp = (u64 *)ALIGN_DOWN((uintptr_t)stack + stack_size, 16);

	memset(t, 0, sizeof(*t));
	strlcpy(t->name, name, sizeof(t->name));
	t->fn = fn;
	t->arg = arg;
	t->stack = stack;
	t->stack_size = stack_size;
	t->state = TASK_RUNNABLE;
	t->pinned = TASK_ANY_CPU;
	list_init(&t->rq_node);
	/* What sched_switch pops: six callee-saved registers (RBP = 0 ends
	 * backtraces), then task_entry as the return address, with a zero
	 * "return address" above it so task_entry starts ABI-aligned. */
	*--sp = 0;
	*--sp = (u64)task_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->rsp = (u64)sp;
}

static void task_list_add(struct task *t)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);

	t->tid = next_tid++;
	list_add_tail(&t->all_node, &all_tasks);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

/* Queue a prepared task on the CPU it may run on with the least load. */
static void task_place(struct task *t)
{
	unsigned long flags = read_rflags();

	irq_disable();
	t->cpu = task_pick_cpu(t);
	rq_enqueue_flight(t);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

int task_start(struct task *t, const char *name, void (*fn)(void *), void *arg,
	       void *stack, size_t stack_size, u32 cpu)
{
	if (!t || !fn || !stack || stack_size < 4096 ||
	    (cpu != TASK_ANY_CPU && !cpu_rq(cpu)))
		return -EINVAL;
	task_prepare(t, name, fn, arg, stack, stack_size);
	t->pinned = cpu;
	task_list_add(t);
	task_place(t);
	return 0;
}

void task_start_child(struct task *t, const char *name, void (*fn)(void *),
		      void *arg, void *stack, size_t stack_size, u64 *allowed)
{
	task_prepare(t, name, fn, arg, stack, stack_size);
	t->allowed = allowed;
	task_list_add(t);
	task_place(t);
}

void sched_exiting(void)
{
	current_task()->exiting = true;
}

void __noreturn task_exit(void)
{
	struct task *t = current_task(), *joiner;

	/* No preemption from here on: a dead task is never queued again, so
	 * being switched out before waking the joiner would strand it. */
	irq_disable();
	t->exiting = true;
	spin_lock(&tasks_lock);
	t->state = TASK_DEAD;
	__atomic_store_n(&t->exited, 1, __ATOMIC_RELEASE);
	joiner = t->joiner;
	spin_unlock(&tasks_lock);
	if (joiner)
		task_wake(joiner);
	__schedule(false);
	panic("sched: dead task %s was scheduled again", t->name);
}

void task_join(struct task *t)
{
	struct task *me = current_task();
	unsigned long flags;

	for (;;) {
		flags = spin_lock_irqsave(&tasks_lock);
		if (__atomic_load_n(&t->exited, __ATOMIC_ACQUIRE))
			break;
		t->joiner = me;
		me->state = TASK_SLEEPING;
		spin_unlock_irqrestore(&tasks_lock, flags);
		schedule();
	}
	me->state = TASK_RUNNABLE;
	t->joiner = NULL;
	list_del(&t->all_node);
	spin_unlock_irqrestore(&tasks_lock, flags);
	/* Exited, but perhaps still switching away on its last stack. */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();
}

/* ---- affinity -------------------------------------------------------------------- */

u32 sched_cpumask_words(void)
{
	return (cpu_count() + 63) / 64;
}

u64 *sched_affinity_dup(struct task *t)
{
	unsigned long flags;
	struct runqueue *rq;
	u64 *copy;

	/* Unlocked look, to allocate only if needed: once set, a mask is
	 * only ever replaced by another, and a child whose parent's mask
	 * changes while it forks may get the old one or the new. */
	if (!READ_ONCE(t->allowed))
		return NULL;
	copy = kmalloc(sched_cpumask_words() * sizeof(u64), GFP_KERNEL);
	if (!copy)
		return ERR_PTR(-ENOMEM);
	flags = read_rflags();
	irq_disable();
	rq = task_rq_lock(t);
	memcpy(copy, t->allowed, sched_cpumask_words() * sizeof(u64));
	spin_unlock(&rq->lock);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	return copy;
}

void sched_affinity_free(struct task *t)
{
	kfree(t->allowed);
	t->allowed = NULL;
}

void sched_get_affinity(struct task *t, u64 *mask)
{
	unsigned long flags = read_rflags();
	struct runqueue *rq;

	memset(mask, 0, sched_cpumask_words() * sizeof(u64));
	irq_disable();
	rq = task_rq_lock(t);
	for (u32 id = 0; id < cpu_count(); id++)
		if (cpu_rq(id) && task_allowed(t, id))
			mask[id / 64] |= 1ull << (id % 64);
	spin_unlock(&rq->lock);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

int sched_set_affinity(struct task *t, u64 **mask)
{
	unsigned long flags = read_rflags();
	u64 *new = *mask;
	struct runqueue *rq;
	bool any = false;
	u32 ipi = TASK_ANY_CPU;

	/* Only online CPUs count (Linux ANDs with its active mask). */
	for (u32 id = 0; id < sched_cpumask_words() * 64; id++) {
		if (id >= cpu_count() || !cpu_rq(id))
			new[id / 64] &= ~(1ull << (id % 64));
		else if (new[id / 64] >> (id % 64) & 1)
			any = true;
	}
	if (!any)
		return -EINVAL;
	irq_disable();
	rq = task_rq_lock(t);
	*mask = t->allowed;
	t->allowed = new;
	if (!task_allowed(t, rq->cpu)) {
		if (t->on_rq) {
			/* Queued here: move it now. */
			rq_dequeue(rq, t);
			t->cpu = task_pick_cpu(t);      /* in flight */
			spin_unlock(&rq->lock);
			rq_enqueue_flight(t);
			goto out;
		}
		if (t->on_cpu) {
			/* Running: its CPU switches it away (on the way out
			 * of the IPI, or in the caller's own sched_yield
			 * when t is current), and __schedule pushes it to an
			 * allowed CPU. */
			if (t != this_cpu()->current) {
				WRITE_ONCE(cpu_get(rq->cpu)->need_resched, true);
				ipi = rq->cpu;
			}
		} else {
			/* Asleep (or in flight): woken, it is queued where
			 * it may run. */
			t->cpu = task_pick_cpu(t);
		}
	}
	spin_unlock(&rq->lock);
	if (ipi != TASK_ANY_CPU)
		lapic_send_ipi(cpu_get(ipi)->apic_id, IRQ_VECTOR_RESCHED);
out:
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	return 0;
}

void sched_affinity_enforce(void)
{
	struct task *t = current_task();
	bool allowed;

	irq_disable();
	spin_lock(&this_cpu()->rq->lock);
	allowed = task_allowed(t, this_cpu()->id);
	spin_unlock(&this_cpu()->rq->lock);
	irq_enable();
	if (!allowed)
		sched_yield();
}

/* ---- idle and CPU setup --------------------------------------------------------- */

void __noreturn sched_idle_loop(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		irq_disable();
		if (READ_ONCE(c->rq->nr_queued) || c->need_resched) {
			irq_enable();
			__schedule(true);
			continue;
		}
		/* STI's one-instruction shadow: no wake-up IPI can slip in
		 * between the check above and the HLT. */
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}

static void idle_entry(void *arg)
{
	sched_idle_loop();
}

static void rq_init(struct runqueue *rq, u32 cpu, struct task *idle)
{
	rq->lock = (struct spinlock)SPINLOCK_INIT("runqueue");
	rq->cpu = cpu;
	list_init(&rq->queue);
	rq->idle = idle;
	rq->switch_tsc = rdtsc();
	timer_setup(&rq->slice, slice_expired);
}

size_t sched_runqueue_size(void)
{
	return sizeof(struct runqueue);
}

void sched_cpu_init(struct runqueue *rq, struct task *idle)
{
	struct cpu *c = this_cpu();

	/* The running flow becomes this CPU's idle task. */
	memset(idle, 0, sizeof(*idle));
	ksnprintf(idle->name, sizeof(idle->name), "idle/%u", c->id);
	idle->state = TASK_RUNNABLE;
	idle->on_cpu = 1;
	idle->cpu = c->id;
	idle->pinned = c->id;
	list_init(&idle->rq_node);
	task_list_add(idle);
	rq_init(rq, c->id, idle);
	c->current = idle;
	c->rq = rq;
}

void sched_init(void)
{
	struct cpu *c = this_cpu();

	task_prepare(&boot_idle, "idle/0", idle_entry, NULL, boot_idle_stack,
		     sizeof(boot_idle_stack));
	boot_idle.pinned = 0;
	task_list_add(&boot_idle);

	/* The boot flow, on the boot stack, is task "main". */
	memset(&boot_main, 0, sizeof(boot_main));
	strlcpy(boot_main.name, "main", sizeof(boot_main.name));
	boot_main.state = TASK_RUNNABLE;
	boot_main.on_cpu = 1;
	boot_main.pinned = TASK_ANY_CPU;
	boot_main.stack = boot_stack_bottom;
	boot_main.stack_size = (size_t)(boot_stack_top - boot_stack_bottom);
	list_init(&boot_main.rq_node);
	task_list_add(&boot_main);

	rq_init(&boot_rq, 0, &boot_idle);
	c->current = &boot_main;
	c->rq = &boot_rq;
	irq_set_system_handler(IRQ_VECTOR_RESCHED, resched_ipi, NULL);
}

/* ---- reporting -------------------------------------------------------------------- */

void sched_cpu_stats(u32 cpu, struct sched_cpu_stats *out)
{
	struct runqueue *rq = cpu_rq(cpu);

	memset(out, 0, sizeof(*out));
	if (!rq)
		return;
	out->switches = READ_ONCE(rq->switches);
	out->slice_expiries = READ_ONCE(rq->slice_expiries);
	out->steals = READ_ONCE(rq->steals);
	out->nr_running = READ_ONCE(rq->nr_queued) + !cpu_is_idle(cpu);
}

void sched_for_each_task(void (*fn)(const struct task *t, void *ctx), void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		fn(t, ctx);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

u64 sched_task_runtime_cycles(const struct task *t)
{
	struct cpu *c = cpu_get(READ_ONCE(t->cpu));
	u64 cycles = READ_ONCE(t->runtime_cycles);
	u64 since = c && c->rq ? READ_ONCE(c->rq->switch_tsc) : 0;

	/* Unlocked statistics: a switch racing with this read may drop or
	 * count twice one stretch, never corrupt anything. TSCs are in step
	 * across CPUs (tsc_invariant), so another CPU's switch_tsc is
	 * comparable with ours. */
	if (c && READ_ONCE(c->current) == t && since && rdtsc() > since)
		cycles += rdtsc() - since;
	return cycles;
}

bool sched_task_is_idle(const struct task *t)
{
	struct cpu *c = cpu_get(READ_ONCE(t->cpu));

	return c && c->rq && c->rq->idle == t;
}

char task_state_char(enum task_state s)
{
	switch (s) {
	case TASK_RUNNABLE: return 'R';
	case TASK_SLEEPING: return 'S';
	case TASK_UNINTERRUPTIBLE: return 'D';
	case TASK_DEAD: return 'X';
	}
	return '?';
}
