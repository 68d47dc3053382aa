/*
 * Spinlocks. spin_lock_irqsave() for locks shared with interrupt handlers;
 * plain spin_lock() elsewhere. A test-and-test-and-set lock: waiters spin
 * on a plain read so the cache line is not bounced while the lock is held.
 *
 * Holding a spinlock disables preemption on this CPU (this_cpu()->
 * preempt_count), so a holder is never switched out, and sleeping with
 * one held is a bug. Lock debugging (lock_debug_enable(): on for `test`
 * and `lockdebug` boots) records the owning CPU and reports recursive
 * locking, and the scheduler reports sleeping while holding a spinlock
 * (lockdebug.c).
 */
#ifndef VIREO_SCHED_SPINLOCK_H
#define VIREO_SCHED_SPINLOCK_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/x86.h"

struct spinlock {
	u32 locked;
	u32 owner;              /* lock debugging: holder's CPU id + 1, or 0 */
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .owner = 0, .name = (n) }

extern bool lock_debug;

/* Lock-debug hooks (lockdebug.c): false means "do not take the lock" (a
 * violation a test asked to tolerate); otherwise they return true or
 * panic with a report. */
bool lock_debug_acquire(struct spinlock *l);
void lock_debug_release(struct spinlock *l);
void lock_debug_enable(void);
/* Report a violation: counted if a test asked (returns false), else panic. */
bool lock_debug_violation(const char *what, const char *name);
/* Before sleeping: false if a test tolerated a violation (don't sleep). */
bool lock_debug_may_sleep(const char *what);
void preempt_resched(void);

/* One instruction each (cpu.h): a task still preemptible may move to
 * another CPU right before the increment, and must count on that one. */
static inline void preempt_disable(void)
{
	__asm__ __volatile__("incl %%gs:%c0" : : "i"(CPU_FIELD_OFFSET(preempt_count))
			     : "memory", "cc");
}

/* Re-enable; if a reschedule became due meanwhile, take it now (a stale
 * look, if preempted right after the decrement, only costs or saves a
 * call: preempt_resched checks again where it runs). */
static inline void preempt_enable(void)
{
	struct cpu *c;

	__asm__ __volatile__("decl %%gs:%c0" : : "i"(CPU_FIELD_OFFSET(preempt_count))
			     : "memory", "cc");
	c = this_cpu();
	if (unlikely(READ_ONCE(c->need_resched)) && !READ_ONCE(c->preempt_count))
		preempt_resched();
}

static inline bool spin_trylock(struct spinlock *l)
{
	preempt_disable();
	/* Acquire: the xchg is a full barrier on x86. */
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0) {
		if (lock_debug)
			l->owner = this_cpu()->id + 1;
		return true;
	}
	preempt_enable();
	return false;
}

static inline void spin_lock(struct spinlock *l)
{
	if (unlikely(lock_debug) && !lock_debug_acquire(l))
		return;
	preempt_disable();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
	if (unlikely(lock_debug))
		l->owner = this_cpu()->id + 1;
}

static inline void spin_unlock(struct spinlock *l)
{
	if (unlikely(lock_debug))
		lock_debug_release(l);
	/* Release: orders the critical section's stores before the unlock. */
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	preempt_enable();
}

static inline bool spin_is_locked(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = read_rflags();

	irq_disable();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	struct cpu *c;

	spin_unlock(l);
	if (flags & X86_RFLAGS_IF) {
		irq_enable();
		/* A reschedule that came due while interrupts were off. */
		c = this_cpu();
		if (unlikely(READ_ONCE(c->need_resched)) && !c->preempt_count)
			preempt_resched();
	}
}

#endif
