/*
 * Lock debugging: recursive spinlock acquisition and sleeping while
 * holding a spinlock (or with preemption otherwise disabled). Either is a
 * deadlock waiting to happen, so outside tests it is a panic with the
 * lock's name. A test that provokes one on purpose points
 * this_cpu()->lock_violations at a counter: the violation is counted and
 * the offending operation skipped instead.
 */
#include "kernel/sched/spinlock.h"
#include "kernel/lib/log.h"

bool lock_debug;

void lock_debug_enable(void)
{
	lock_debug = true;
}

/* Count for a test, or die. Returns false when a test tolerated it. */
bool lock_debug_violation(const char *what, const char *name)
{
	struct cpu *c = this_cpu();

	if (c->lock_violations) {
		(*c->lock_violations)++;
		return false;
	}
	panic("lockdebug: cpu %u: %s (%s)", c->id, what, name ? name : "?");
}

bool lock_debug_acquire(struct spinlock *l)
{
	unsigned long flags = read_rflags();
	bool mine;

	/* Interrupts off: the CPU compared is the one we stay on. */
	irq_disable();
	mine = READ_ONCE(l->owner) == this_cpu()->id + 1;
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	if (mine)
		return lock_debug_violation("recursive spinlock acquisition", l->name);
	return true;
}

void lock_debug_release(struct spinlock *l)
{
	l->owner = 0;
}

bool lock_debug_may_sleep(const char *what)
{
	unsigned long flags = read_rflags();
	u32 preempt_count, irq_depth;
	struct cpu *c;

	if (!lock_debug)
		return true;
	/* Interrupts off: a preemptible caller moved to another CPU between
	 * this_cpu() and the reads would see that CPU's counts. */
	irq_disable();
	c = this_cpu();
	preempt_count = c->preempt_count;
	irq_depth = c->irq_depth;
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	if (!preempt_count && !irq_depth)
		return true;
	return lock_debug_violation(irq_depth ? "sleeping in an interrupt handler" :
			      "sleeping while holding a spinlock", what);
}
