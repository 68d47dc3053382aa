/*
 * Wait queues and completions.
 *
 * A wait queue is a list of sleeping tasks. wait_event(wq, cond) sleeps
 * until cond is true, re-checking it after every wake-up, so spurious
 * wake-ups are harmless and a wake-up between the check and the sleep is
 * not lost (the task is queued and marked sleeping before it checks).
 * Waking removes the woken entries from the queue; wake_up_one() wakes the
 * longest waiter only.
 */
#ifndef VIREO_SCHED_WAIT_H
#define VIREO_SCHED_WAIT_H

#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"
#include "kernel/lib/list.h"

struct wait_queue {
	struct spinlock lock;           /* protects waiters and each entry */
	struct list_node waiters;       /* struct wait_entry, FIFO */
};

struct wait_entry {
	struct task *task;
	struct list_node node;
	bool queued;
};

#define WAIT_QUEUE_INIT(wq, n) { SPINLOCK_INIT(n), LIST_INIT((wq).waiters) }

void wait_queue_init(struct wait_queue *wq, const char *name);
/* Queue e (if not queued) and mark the current task sleeping. */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e);
/* Runnable again, and off the queue. */
void finish_wait(struct wait_queue *wq, struct wait_entry *e);
/* Wake every waiter / the longest one; returns how many were woken. */
int wake_up(struct wait_queue *wq);
int wake_up_one(struct wait_queue *wq);

#define wait_event(wq, cond)                                             \
	do {                                                             \
		struct wait_entry wait_e_ = { .task = current_task() };  \
		for (;;) {                                               \
			prepare_to_wait((wq), &wait_e_);                 \
			if (cond)                                        \
				break;                                   \
			schedule();                                      \
		}                                                        \
		finish_wait((wq), &wait_e_);                             \
	} while (0)

/* A one-way event count: complete() lets one waiter through (or one later
 * caller), complete_all() every present and future one. */
struct completion {
	struct wait_queue wq;
	u32 done;                       /* protected by wq.lock */
};

void completion_init(struct completion *c);
void complete(struct completion *c);
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);

#endif
