/*
 * Kernel threads that own their memory: kthread_create allocates the
 * struct task and a guarded kernel stack and starts the thread through
 * task_start; kthread_join (or kthread_stop) waits for it and frees both.
 * A thread asked to stop sees kthread_should_stop() turn true; one that
 * sleeps rechecks it after setting its state, like any wait condition
 * (sched.h), because kthread_stop wakes it only once.
 */
#ifndef VIREO_SCHED_KTHREAD_H
#define VIREO_SCHED_KTHREAD_H

#include "kernel/sched/sched.h"

/* Start fn(arg) on cpu (pinned) or TASK_ANY_CPU. The new task, or
 * ERR_PTR(-ENOMEM) / ERR_PTR(-EINVAL) (no fn, cpu not online). */
struct task *kthread_create(void (*fn)(void *), void *arg, const char *name, u32 cpu);
/* Wait until t has returned from its function (or called task_exit),
 * then free its task and stack. t must come from kthread_create and be
 * joined (or stopped) exactly once. */
void kthread_join(struct task *t);
/* Make kthread_should_stop() true for t, wake it, and kthread_join it. */
void kthread_stop(struct task *t);
/* In a kernel thread: has kthread_stop been called on it? */
bool kthread_should_stop(void);

#endif
