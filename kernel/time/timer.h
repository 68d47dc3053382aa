/*
 * Per-CPU timer events. Each CPU keeps its pending timers sorted by expiry
 * and programs its LAPIC timer (TSC-deadline or one-shot) for the earliest
 * one only: with no timer pending the CPU takes no timer interrupts at all
 * (tickless). A callback never runs before its expiry: a hardware timer
 * that fires early just re-arms.
 */
#ifndef VIREO_TIME_TIMER_H
#define VIREO_TIME_TIMER_H

#include "kernel/lib/types.h"
#include "kernel/sched/spinlock.h"

struct timer;
typedef void (*timer_fn_t)(struct timer *t);

struct timer {
	u64 expires;                    /* ktime_get() ns */
	timer_fn_t fn;                  /* runs in interrupt context */
	struct timer *next;             /* in queue's list */
	struct timer_queue *queue;      /* where it is pending, or NULL */
};

struct timer_queue {
	struct spinlock lock;           /* protects every field and every
					 * pending timer's next/queue */
	struct timer *head;             /* sorted, earliest first */
	struct timer *running;          /* callback in progress, or NULL */
	u64 programmed;                 /* hardware deadline, 0 = disarmed */
	u64 fired;                      /* callbacks run */
};

/* This CPU's queue and LAPIC timer; the boot CPU's queue is static. */
void timer_cpu_init(struct timer_queue *q);

void timer_setup(struct timer *t, timer_fn_t fn);
/* (Re)arm t on this CPU's queue, moving it if pending elsewhere. */
void timer_arm(struct timer *t, u64 expires);
/* Unqueue t; true if it was pending (and so will not run). */
bool timer_cancel(struct timer *t);
/* timer_cancel, then wait for a callback already running on another CPU
 * to return: afterwards t may be freed. Not from t's own callback. */
void timer_cancel_sync(struct timer *t);

#endif
