/* Sleeping mutexes with FIFO hand-off (see mutex.h). */
#include "kernel/sched/mutex.h"
#include "kernel/lib/log.h"

struct mutex_waiter {
	struct task *task;
	struct list_node node;
	bool granted;                   /* ownership handed over */
};

void mutex_init(struct mutex *m, const char *name)
{
	m->lock = (struct spinlock)SPINLOCK_INIT(name);
	m->owner = NULL;
	list_init(&m->waiters);
	m->name = name;
}

void mutex_lock(struct mutex *m)
{
	struct task *me = current_task();
	struct mutex_waiter w = { .task = me };

	if (!lock_debug_may_sleep(m->name))
		return;
	spin_lock(&m->lock);
	if (!m->owner) {
		m->owner = me;
		spin_unlock(&m->lock);
		return;
	}
	if (m->owner == me) {
		spin_unlock(&m->lock);
		/* A certain deadlock: report it whether debugging or not. */
		if (!lock_debug || lock_debug_violation("recursive mutex locking", m->name))
			panic("mutex: %s: recursive locking by %s", m->name, me->name);
		return;
	}
	list_add_tail(&w.node, &m->waiters);
	for (;;) {
		me->state = TASK_SLEEPING;
		if (w.granted)
			break;
		spin_unlock(&m->lock);
		schedule();
		spin_lock(&m->lock);
	}
	me->state = TASK_RUNNABLE;
	spin_unlock(&m->lock);
}

bool mutex_trylock(struct mutex *m)
{
	bool got = false;

	spin_lock(&m->lock);
	if (!m->owner) {
		m->owner = current_task();
		got = true;
	}
	spin_unlock(&m->lock);
	return got;
}

void mutex_unlock(struct mutex *m)
{
	struct mutex_waiter *w;

	spin_lock(&m->lock);
	BUG_ON(m->owner != current_task());
	if (list_empty(&m->waiters)) {
		m->owner = NULL;
	} else {
		w = list_first_entry(&m->waiters, struct mutex_waiter, node);
		list_del(&w->node);
		m->owner = w->task;
		w->granted = true;
		/* w is on the waiter's stack; it cannot return before we drop
		 * m->lock, which it re-takes to see `granted`. */
		task_wake(w->task);
	}
	spin_unlock(&m->lock);
}

bool mutex_is_held(struct mutex *m)
{
	return READ_ONCE(m->owner) == current_task();
}

u32 mutex_waiters(struct mutex *m)
{
	struct list_node *n;
	u32 count = 0;

	spin_lock(&m->lock);
	for (n = m->waiters.next; n != &m->waiters; n = n->next)
		count++;
	spin_unlock(&m->lock);
	return count;
}
