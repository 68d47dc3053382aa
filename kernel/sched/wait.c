/* Wait queues and completions (see wait.h). */
#include "kernel/sched/wait.h"

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT(name);
	list_init(&wq->waiters);
}

void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (!e->queued) {
		list_add_tail(&e->node, &wq->waiters);
		e->queued = true;
	}
	e->task->state = TASK_SLEEPING;
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	unsigned long flags;

	e->task->state = TASK_RUNNABLE;
	flags = spin_lock_irqsave(&wq->lock);
	if (e->queued) {
		list_del(&e->node);
		e->queued = false;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Unqueue and wake up to max waiters, oldest first. wq->lock held. */
static int wake_locked(struct wait_queue *wq, int max)
{
	int n = 0;

	while (n < max && !list_empty(&wq->waiters)) {
		struct wait_entry *e = list_first_entry(&wq->waiters,
							struct wait_entry, node);

		list_del(&e->node);
		e->queued = false;
		/* The entry may vanish once the task runs: read it first. */
		task_wake(e->task);
		n++;
	}
	return n;
}

int wake_up(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	int n = wake_locked(wq, __INT_MAX__);

	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

int wake_up_one(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	int n = wake_locked(wq, 1);

	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

void completion_init(struct completion *c)
{
	wait_queue_init(&c->wq, "completion");
	c->done = 0;
}

void complete(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	c->done++;
	wake_locked(&c->wq, 1);
	spin_unlock_irqrestore(&c->wq.lock, flags);
}

void complete_all(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	c->done = 1u << 30;             /* enough for every waiter there is */
	wake_locked(&c->wq, __INT_MAX__);
	spin_unlock_irqrestore(&c->wq.lock, flags);
}

void wait_for_completion(struct completion *c)
{
	struct wait_entry e = { .task = current_task() };
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	while (!c->done) {
		if (!e.queued) {
			list_add_tail(&e.node, &c->wq.waiters);
			e.queued = true;
		}
		e.task->state = TASK_SLEEPING;
		spin_unlock_irqrestore(&c->wq.lock, flags);
		schedule();
		flags = spin_lock_irqsave(&c->wq.lock);
	}
	c->done--;
	e.task->state = TASK_RUNNABLE;
	if (e.queued)
		list_del(&e.node);
	spin_unlock_irqrestore(&c->wq.lock, flags);
}
