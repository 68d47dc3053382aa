/*
 * Per-CPU timer queues (see timer.h). Timers are few per CPU (a task's
 * sleep, the time slice), so a sorted singly linked list is the whole data
 * structure. A timer is always armed on the CPU that calls timer_arm(), and
 * only that CPU programs its LAPIC; cancelling from elsewhere may leave the
 * hardware armed, and the spurious interrupt then finds nothing due.
 */
#include "kernel/time/timer.h"
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"

static struct timer_queue boot_queue;

/*
 * Program the hardware for the head. q->lock held, interrupts off, local.
 * A deadline already programmed that is no later than the head's is left
 * alone: it fires early, finds nothing due and programs the head then.
 * Re-arming is frequent (the slice timer, on every wake-up with a task
 * running) and a LAPIC timer write is one of the dearest things a
 * virtual CPU does, so at most one early interrupt per programmed
 * deadline is the cheaper side.
 */
static void timer_program(struct timer_queue *q)
{
	u64 next = q->head ? q->head->expires : 0;

	if (next == q->programmed || (next && q->programmed && q->programmed < next))
		return;
	q->programmed = next;
	if (next)
		lapic_timer_arm(next);
	else
		lapic_timer_disarm();
}

static void timer_unlink(struct timer_queue *q, struct timer *t)
{
	struct timer **pp = &q->head;

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
	t->next = NULL;
	t->queue = NULL;
}

void timer_setup(struct timer *t, timer_fn_t fn)
{
	t->fn = fn;
	t->expires = 0;
	t->next = NULL;
	t->queue = NULL;
}

bool timer_cancel(struct timer *t)
{
	unsigned long flags;
	struct timer_queue *q;

	for (;;) {
		q = READ_ONCE(t->queue);
		if (!q)
			return false;
		flags = spin_lock_irqsave(&q->lock);
		/* It may have fired or moved while we took the lock. */
		if (t->queue == q)
			break;
		spin_unlock_irqrestore(&q->lock, flags);
	}
	timer_unlink(q, t);
	spin_unlock_irqrestore(&q->lock, flags);
	return true;
}

void timer_cancel_sync(struct timer *t)
{
	timer_cancel(t);
	for (u32 id = 0; id < cpu_count(); id++) {
		struct cpu *c = cpu_get(id);

		while (c && c->timers && READ_ONCE(c->timers->running) == t)
			cpu_relax();
	}
}

void timer_arm(struct timer *t, u64 expires)
{
	struct timer_queue *q;
	struct timer **pp;
	unsigned long flags;

	timer_cancel(t);
	flags = read_rflags();
	irq_disable();
	q = this_cpu()->timers;
	spin_lock(&q->lock);
	t->expires = expires;
	t->queue = q;
	for (pp = &q->head; *pp && (*pp)->expires <= expires; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	timer_program(q);
	spin_unlock(&q->lock);
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

static void timer_interrupt(void *ctx)
{
	struct cpu *c = this_cpu();
	struct timer_queue *q = c->timers;
	struct timer *t;

	c->nr_timer_irqs++;
	spin_lock(&q->lock);
	q->programmed = 0;      /* a one-shot or deadline timer fires once */
	while ((t = q->head) && t->expires <= ktime_get()) {
		q->head = t->next;
		t->next = NULL;
		t->queue = NULL;
		q->running = t;
		q->fired++;
		/* The callback may re-arm t or others on this CPU. */
		spin_unlock(&q->lock);
		t->fn(t);
		spin_lock(&q->lock);
		q->running = NULL;
	}
	timer_program(q);
	spin_unlock(&q->lock);
}

void timer_cpu_init(struct timer_queue *q)
{
	struct cpu *c = this_cpu();

	if (!q)
		q = &boot_queue;
	q->lock = (struct spinlock)SPINLOCK_INIT("timer");
	q->head = NULL;
	q->running = NULL;
	q->programmed = 0;
	c->timers = q;
	if (c->id == 0)
		irq_set_system_handler(IRQ_VECTOR_TIMER, timer_interrupt, NULL);
	lapic_timer_init(IRQ_VECTOR_TIMER);
}
