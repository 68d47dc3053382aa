/* Kernel threads with their own task and stack (see kthread.h). */
#include "kernel/sched/kthread.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"

struct task *kthread_create(void (*fn)(void *), void *arg, const char *name, u32 cpu)
{
	struct task *t = kzalloc(sizeof(*t), GFP_KERNEL);
	void *stack;
	int err = -ENOMEM;

	if (!t)
		return ERR_PTR(-ENOMEM);
	stack = kstack_alloc();
	if (!stack)
		goto out_free_task;
	err = task_start(t, name, fn, arg, stack, KSTACK_SIZE, cpu);
	if (err)
		goto out_free_stack;
	return t;

out_free_stack:
	kstack_free(stack);
out_free_task:
	kfree(t);
	return ERR_PTR(err);
}

void kthread_join(struct task *t)
{
	/* After task_join the task is off its stack and on no list. */
	task_join(t);
	kstack_free(t->stack);
	kfree(t);
}

void kthread_stop(struct task *t)
{
	/* Release: a thread that sees the flag sees what the stopper wrote
	 * before it. The wake-up after the store reaches a thread that
	 * checked the flag, found it clear and went to sleep. */
	__atomic_store_n(&t->should_stop, 1, __ATOMIC_RELEASE);
	task_wake(t);
	kthread_join(t);
}

bool kthread_should_stop(void)
{
	return __atomic_load_n(&current_task()->should_stop, __ATOMIC_ACQUIRE);
}
