/*
 * Spinlocks. spin_lock_irqsave() for locks shared with interrupt handlers;
 * plain spin_lock() elsewhere. A test-and-test-and-set lock: waiters spin
 * on a plain read so the cache line is not bounced while the lock is held.
 */
#ifndef VIREO_SCHED_SPINLOCK_H
#define VIREO_SCHED_SPINLOCK_H

#include "kernel/lib/types.h"
#include "kernel/lib/compiler.h"
#include "kernel/arch/x86_64/x86.h"

struct spinlock {
	u32 locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n) }

static inline bool spin_trylock(struct spinlock *l)
{
	/* Acquire: the xchg is a full barrier on x86. */
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	/* Release: orders the critical section's stores before the unlock. */
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
	spin_unlock(l);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

#endif
