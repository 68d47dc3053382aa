/*
 * Sleeping mutexes. Waiters queue in arrival order and unlock hands the
 * mutex straight to the oldest one, waking only that task: no thundering
 * herd, and no newcomer can barge ahead of a waiter. Not for interrupt
 * handlers. With lock debugging, taking a mutex the task already holds is
 * reported, as is sleeping on one while holding a spinlock.
 */
#ifndef VIREO_SCHED_MUTEX_H
#define VIREO_SCHED_MUTEX_H

#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"
#include "kernel/lib/list.h"

struct mutex {
	struct spinlock lock;           /* protects owner and waiters */
	struct task *owner;
	struct list_node waiters;       /* struct mutex_waiter, FIFO */
	const char *name;
};

#define MUTEX_INIT(m, n) { SPINLOCK_INIT(n), NULL, LIST_INIT((m).waiters), (n) }

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_held(struct mutex *m);    /* by the current task */
u32 mutex_waiters(struct mutex *m);

#endif
