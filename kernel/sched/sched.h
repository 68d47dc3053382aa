/*
 * Tasks and the scheduler.
 *
 * Every CPU has a run queue of runnable tasks and an idle task that halts
 * when the queue is empty. Scheduling is preemptive: a time slice timer
 * (armed when others are waiting, so an idle CPU takes no ticks and a lone
 * task at most one after its last competitor ran) and wake-ups set
 * need_resched, which is acted on at interrupt
 * exit and when preemption is re-enabled. A CPU whose queue runs dry
 * steals from a busy one; wake-ups kick an idle CPU so it can.
 *
 * Task memory (struct task and its stack) is the creator's: task_start()
 * takes both; task_join() waits until the task has exited and is off its
 * stack, after which the memory may be reused. kthread.h allocates both
 * for the caller.
 */
#ifndef VIREO_SCHED_SCHED_H
#define VIREO_SCHED_SCHED_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/arch/x86_64/cpu.h"

/* Task states, as procfs will show them (R, S, D, X). */
enum task_state {
	TASK_RUNNABLE,          /* R: running or on a run queue */
	TASK_SLEEPING,          /* S: waiting for a wake-up */
	TASK_UNINTERRUPTIBLE,   /* D: same, but signals will not wake it */
	TASK_DEAD,              /* X: exited, waiting to be joined */
};

#define TASK_NAME_LEN 16
#define TASK_ANY_CPU  0xffffffffu

struct task {
	u64 rsp;                        /* saved by sched_switch */
	u32 tid;
	char name[TASK_NAME_LEN];
	/* Protected by the run queue lock of cpu: */
	enum task_state state;
	u32 cpu;                        /* run queue it belongs to */
	bool on_rq;
	struct list_node rq_node;
	/* 1 from being picked until the next task has left its stack: no
	 * other CPU may run it meanwhile. */
	u32 on_cpu;
	u32 pinned;                     /* a CPU id, or TASK_ANY_CPU */
	u64 runtime_cycles;             /* TSC cycles on a CPU */
	u64 switches;                   /* times switched in */
	void (*fn)(void *arg);
	void *arg;
	void *stack;                    /* base; stack_size bytes */
	size_t stack_size;
	u32 exited;                     /* set (release) by task_exit */
	u32 should_stop;                /* set (release) by kthread_stop */
	struct task *joiner;            /* sleeping in task_join, or NULL */
	struct list_node all_node;      /* every task, for procfs */
	/* A user task's context (kernel/proc/proc.h), NULL for a kernel
	 * thread; set by the task itself once it runs. */
	struct thread *thread;
	/* Innermost active trap_catch_call of this task, or NULL: the
	 * task's, not the CPU's, because it may move during the call. */
	struct trap_catch *trap_catch;
};

/* One load (cpu.h): a task is `current` on whichever CPU it runs, so
 * the answer is right even if it moves right before or after. */
static inline struct task *current_task(void)
{
	struct task *t;

	__asm__ __volatile__("movq %%gs:%c1, %0" : "=r"(t)
			     : "i"(CPU_FIELD_OFFSET(current)));
	return t;
}

/* Boot CPU: the running boot flow becomes task "main", plus the idle
 * task. Other CPUs call sched_cpu_init with their idle task and stack. */
void sched_init(void);
void sched_cpu_init(struct runqueue *rq, struct task *idle);
/* Bytes for a struct runqueue (private to sched.c), for the SMP code. */
size_t sched_runqueue_size(void);
/* Becomes the idle loop of this CPU; never returns. */
void __noreturn sched_idle_loop(void);

/* Start fn(arg) as a kernel thread on caller-provided memory, on cpu (a
 * CPU id, pinned there) or TASK_ANY_CPU (least loaded, may migrate). */
int task_start(struct task *t, const char *name, void (*fn)(void *), void *arg,
	       void *stack, size_t stack_size, u32 cpu);
/* Wait for t to exit and leave its stack. */
void task_join(struct task *t);
void __noreturn task_exit(void);

/* Give the CPU to another runnable task, if any. */
void sched_yield(void);
/* Sleep: the caller set its state to SLEEPING/UNINTERRUPTIBLE first and
 * rechecks its condition after (wake-ups may be spurious). */
void schedule(void);
/* Make t runnable if it sleeps; true if it did. Any context. */
bool task_wake(struct task *t);
/* A signal for t (kernel/proc/signal.c): wake it from an interruptible
 * sleep, or if it runs on another CPU interrupt that CPU, so it passes
 * its return-to-user work soon. Any context. */
void task_signal_wake(struct task *t);
/* Sleep until ktime_get() >= deadline; never returns early. */
void sched_sleep_until(u64 deadline_ns);
void msleep(u64 ms);

/* From irq_dispatch after EOI: preempt if due and allowed. */
void sched_irq_exit(void);

/* Per-CPU statistics: tasks switched in, ticks (slice timer expiries). */
struct sched_cpu_stats {
	u64 switches;
	u64 slice_expiries;
	u64 steals;
	u32 nr_running;
};
void sched_cpu_stats(u32 cpu, struct sched_cpu_stats *out);

/* Boot with `bench=sched`: print the scheduler/interrupt figures. */
void sched_bench(void);

/* procfs: call fn on every task (under the task list lock: fn must not
 * sleep). */
void sched_for_each_task(void (*fn)(const struct task *t, void *ctx), void *ctx);
char task_state_char(enum task_state s);
/* procfs (with the task list lock held, i.e. from sched_for_each_task):
 * t's CPU time so far in TSC cycles, including the stretch it is running
 * now; and whether t is a CPU's idle task. */
u64 sched_task_runtime_cycles(const struct task *t);
bool sched_task_is_idle(const struct task *t);

#endif
