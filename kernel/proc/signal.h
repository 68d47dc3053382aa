/*
 * Signals, as Linux x86-64 has them: generation (kill, the keyboard, the
 * kernel), the pending set, delivery on every return to user mode (after
 * a system call, an exception or an interrupt, preempted code included),
 * default actions, handler frames laid out as Linux's struct rt_sigframe,
 * rt_sigreturn, interrupted system calls and their restart, the alternate
 * signal stack and ITIMER_REAL. Job control (stop, continue, SIGCHLD,
 * wait reports, the terminal's hooks) is jobctl.c.
 *
 * A process is one thread, so a process's signals are its thread's:
 * tkill and tgkill name the process by its pid.
 *
 * Locking: proc_lock (proc.h) protects every field of struct
 * proc_signals marked so, p->sigaction and p->sigmask (which only p
 * itself changes; senders read them to decide whether to wake it). The
 * fields marked "own" are touched only by the process itself.
 */
#ifndef VIREO_PROC_SIGNAL_H
#define VIREO_PROC_SIGNAL_H

#include "kernel/lib/types.h"
#include "kernel/time/timer.h"
#include "kernel/sched/wait.h"
#include "kernel/arch/x86_64/traps.h"
#include <asm/signal.h>
#include <linux/time_types.h>

struct proc;

/* Signals 1..64: x86-64 Linux's _NSIG (the kernel-only part of
 * asm/signal.h), one bit each in the 64-bit sigset_t. */
#define SIG_COUNT 64

/*
 * What an interrupted system call returns inside the kernel, as Linux
 * numbers them (kernel-internal codes, not in the exported headers; user
 * space never sees them): delivery turns them into -EINTR or a restart.
 *  ERESTARTSYS: restart if the handler has SA_RESTART (or none runs).
 *  ERESTARTNOINTR: always restart.
 *  ERESTARTNOHAND: restart only if no handler runs.
 *  ERESTART_RESTARTBLOCK: as NOHAND, but restart through restart_syscall
 *  (the thread's restart block, e.g. a sleep with what is left of it).
 */
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516

/* A pending signal's siginfo, compact: what rt_sigframe's info gets. */
struct sig_info {
	int code;                       /* si_code */
	int status;                     /* SIGCHLD: si_status */
	u32 pid, uid;                   /* si_pid, si_uid */
	u64 addr;                       /* faults: si_addr */
};

/* Job control reports for the parent's wait (jobctl.c). */
enum jobctl_report {
	JOBCTL_NONE,
	JOBCTL_STOPPED,                 /* WUNTRACED / WSTOPPED */
	JOBCTL_CONTINUED,               /* WCONTINUED */
};

/* ERESTART_RESTARTBLOCK's continuation: restart_syscall calls fn. */
struct restart_block {
	long (*fn)(struct restart_block *rb);
	u64 deadline;                   /* nanosleep: ktime_get() ns */
	struct __kernel_timespec *rem;
};

struct proc_signals {
	/* proc_lock: */
	u64 pending;                    /* bit sig-1 */
	struct sig_info info[SIG_COUNT];
	bool stopped;                   /* job control stop, until SIGCONT */
	u8 stop_sig;
	u8 report;                      /* enum jobctl_report, for wait */
	int exit_signal;                /* to the parent at exit (clone's CSIGNAL) */
	/* own: the alternate stack (sigaltstack) */
	uintptr_t ss_sp;
	size_t ss_size;
	u32 ss_flags;                   /* SS_DISABLE or 0, | SS_AUTODISARM */
	/* own: rt_sigsuspend/ppoll/pselect6 put the mask back after delivery */
	bool restore_mask;
	u64 saved_mask;
	/* own: rt_sigreturn changed what SYSRET cannot restore (RCX, R11) */
	bool full_restore;
	struct restart_block restart;
	/* ITIMER_REAL: the timer sends SIGALRM; interval re-arms it.
	 * proc_lock protects interval and the arming. */
	struct timer itimer;
	u64 it_interval;                /* ns, 0: one-shot */
};

static inline u64 sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* Signals that cannot be caught, blocked or ignored. */
#define SIG_UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))
#define SIG_STOPS (sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | \
		   sig_bit(SIGTTOU))

/* ---- generation ---------------------------------------------------------- */

/* Send sig with info to p; proc_lock held. Ignored signals are dropped,
 * SIGCONT continues a stopped process, a stop signal discards a pending
 * SIGCONT, and p is woken (or interrupted on its CPU) if it can take it. */
void signal_send_locked(struct proc *p, int sig, const struct sig_info *info);
/* The same, taking proc_lock. */
void signal_send(struct proc *p, int sig, const struct sig_info *info);
/* From the current process to itself, SI_USER (SIGPIPE). */
void signal_raise(int sig);
/* kill(2): pid > 0, 0 (own group), -1 (everyone but init and self),
 * < -1 (group -pid). 0 or -ESRCH, -EPERM, -EINVAL. */
long signal_kill(int pid, int sig, int si_code);
/* Send sig (SI_KERNEL) to every process of group pgid. Any context. */
void signal_kill_pgrp(u32 pgid, int sig);
/* A CPU exception's signal to the current process: unblocked and reset
 * to SIG_DFL if blocked or ignored, as Linux forces it. True if it will
 * kill the process (no handler). */
bool signal_force_fault(int sig, int code, u64 addr);

/* ---- the current process ------------------------------------------------- */

/* 0, or -ERESTARTSYS if a signal interrupts the current task's blocking
 * call (one it does not block, a stop or SIGKILL). Delivery turns the code
 * into -EINTR or a restart. Kernel threads: 0. */
int signal_pending(void);

/* Mark the current task sleeping before it looks at what would wake it
 * (a signal, SIGCONT, a timer). The store is a full barrier: the looks
 * cannot pass it, and a sender stores first and reads the state after
 * (under the run queue lock), so one of the two sees the other. */
static inline void signal_set_sleeping(void)
{
	__atomic_store_n(&current_task()->state, TASK_SLEEPING, __ATOMIC_SEQ_CST);
}

/* wait_event (wait.h) that a signal interrupts: 0 once cond holds, or
 * -ERESTARTSYS. */
#define signal_wait_event(wq, cond)                                      \
	({                                                               \
		struct wait_entry sw_e_ = { .task = current_task() };    \
		int sw_err_ = 0;                                         \
		for (;;) {                                               \
			prepare_to_wait((wq), &sw_e_);                   \
			if (cond)                                        \
				break;                                   \
			sw_err_ = signal_pending();                      \
			if (sw_err_)                                     \
				break;                                   \
			schedule();                                      \
		}                                                        \
		finish_wait((wq), &sw_e_);                               \
		sw_err_;                                                 \
	})

/* Return to user mode through f (syscall_entry_c and trap_entry.S):
 * stop, die or enter a handler for what is pending, finish an interrupted
 * system call. Any interrupt state on entry, the same on return. True if
 * the frame must go back through IRET (every register restored). */
bool signal_exit_to_user(struct trap_frame *f);

/* Sleep until the ktime_get() deadline or a signal: 0 when it passed;
 * else the remaining time goes to rem (if any) and the call ends with
 * -ERESTART_RESTARTBLOCK (restart: sleep on to the same deadline), or
 * with -ERESTARTNOHAND for an absolute sleep (restart re-runs it). */
long signal_nanosleep(u64 deadline, struct __kernel_timespec *rem, bool absolute);

/* Use mask (a user's sigset, unblockables dropped) until the next return
 * to user mode delivers a handler (whose frame then saves the old mask)
 * or finds nothing to deliver (then the old mask comes back). */
void signal_set_temp_mask(u64 mask);

/* The system calls' halves (sys_signal.c). */
long signal_sigreturn(struct trap_frame *f);
/* sigaltstack with the user stack pointer sp; ss and old in kernel memory. */
long signal_sigaltstack(const stack_t *ss, stack_t *old, u64 sp);
long signal_restart_syscall(void);
/* ITIMER_REAL in ns: what is left and the interval; set (0: disarm). */
void signal_itimer_get(u64 *value, u64 *interval);
void signal_itimer_set(u64 value, u64 interval);

/* ---- job control (jobctl.c) ---------------------------------------------- */

/* Register the terminal's and the sockets' hooks into the process layer. */
void jobctl_init(void);
/* The current process stops on sig (its default action): the parent
 * hears of it; back when SIGCONT comes (or SIGKILL). proc_lock not held. */
void jobctl_stop(struct proc *p, int sig);
/* SIGCONT was sent to p: if stopped, it goes on. proc_lock held. */
void jobctl_continue_locked(struct proc *p);
/* p exits with wstatus: its exit signal to the parent. proc_lock held. */
void jobctl_child_exit_locked(struct proc *p, int wstatus);
/* A stop or continue of child c that wait (options as wait4's, plus
 * WSTOPPED = WUNTRACED) reports: its wstatus; consumed unless nowait.
 * proc_lock held. */
bool jobctl_wait_report_locked(struct proc *c, int options, bool nowait, int *wstatus);
/* POSIX orphaned process group: no member has a parent in another group
 * of the same session. proc_lock held. */
bool jobctl_pgrp_orphaned_locked(u32 pgid);

/* ---- process life cycle (proc.c, exec.c) --------------------------------- */

/* A new child of parent (clone): no pending signals, the parent's
 * alternate stack, exit_signal from clone's CSIGNAL bits. */
void signal_fork(struct proc *child, struct proc *parent, int exit_signal);
/* exec committed: no alternate stack. */
void signal_exec(struct proc *p);
/* The current process is exiting: its timer stops; a session leader
 * hangs up its terminal. Before it becomes a zombie. */
void signal_exit(struct proc *p);

#endif
