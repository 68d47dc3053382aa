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
	if (READ_ONCE(l->owner) == this_cpu()->id + 1)
		return lock_debug_violation("recursive spinlock acquisition", l->name);
	return true;
}

void lock_debug_release(struct spinlock *l)
{
	l->owner = 0;
}

bool lock_debug_may_sleep(const char *what)
{
	struct cpu *c = this_cpu();

	if (!lock_debug || (!c->preempt_count && !c->irq_depth))
		return true;
	return lock_debug_violation(c->irq_depth ? "sleeping in an interrupt handler" :
			      "sleeping while holding a spinlock", what);
}
