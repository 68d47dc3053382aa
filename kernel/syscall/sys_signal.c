/* Signal system calls: thin wrappers over kernel/proc/signal.c (see syscall.h). */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/time/clock.h"
#include <asm-generic/siginfo.h>
#include <linux/time.h>
#include <linux/time_types.h>

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct sigaction *, act,
		struct sigaction *, oact, size_t, sigsetsize)
{
	struct proc *p = current_proc();
	struct sigaction k, old;
	unsigned long flags;

	if (sigsetsize != sizeof(sigset_t) || sig < 1 || sig > SIG_COUNT)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&k, act, sizeof(k)))
		return -EFAULT;
	flags = spin_lock_irqsave(&proc_lock);
	old = p->sigaction[sig - 1];
	if (act) {
		k.sa_mask &= ~SIG_UNBLOCKABLE;
		p->sigaction[sig - 1] = k;
		/* POSIX: a pending signal whose action becomes "ignore" is
		 * discarded (SIG_IGN, or SIG_DFL where the default ignores). */
		if (k.sa_handler == SIG_IGN ||
		    (k.sa_handler == SIG_DFL && (sig == SIGCHLD || sig == SIGCONT ||
						 sig == SIGURG || sig == SIGWINCH)))
			p->sig.pending &= ~sig_bit(sig);
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	if (oact && copy_to_user(oact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const sigset_t *, set, sigset_t *, oset,
		size_t, sigsetsize)
{
	struct proc *p = current_proc();
	sigset_t s = 0, old = READ_ONCE(p->sigmask);
	unsigned long flags;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (set) {
		if (copy_from_user(&s, set, sizeof(s)))
			return -EFAULT;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
		s &= ~SIG_UNBLOCKABLE;
		flags = spin_lock_irqsave(&proc_lock);
		old = p->sigmask;
		p->sigmask = how == SIG_BLOCK ? old | s : how == SIG_UNBLOCK ? old & ~s : s;
		spin_unlock_irqrestore(&proc_lock, flags);
	}
	/* Newly unblocked pending signals go on the way out (signal.c). */
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, sigset_t *, set, size_t, sigsetsize)
{
	struct proc *p = current_proc();
	sigset_t s;

	if (sigsetsize > sizeof(sigset_t))
		return -EINVAL;
	/* Pending and unblocked ones are being delivered: the blocked ones. */
	s = READ_ONCE(p->sig.pending) & READ_ONCE(p->sigmask);
	return copy_to_user(set, &s, sigsetsize) ? -EFAULT : 0;
}

/* Sleep until a signal is there to deliver. */
static long wait_for_signal(void)
{
	struct task *me = current_task();

	for (;;) {
		signal_set_sleeping();
		if (signal_pending())
			break;
		schedule();
	}
	me->state = TASK_RUNNABLE;
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE2(rt_sigsuspend, const sigset_t *, mask, size_t, sigsetsize)
{
	sigset_t s;

	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&s, mask, sizeof(s)))
		return -EFAULT;
	signal_set_temp_mask(s);
	return wait_for_signal();
}

SYSCALL_DEFINE0(pause)
{
	return wait_for_signal();
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	return signal_sigreturn(frame);
}

SYSCALL_DEFINE0(restart_syscall)
{
	return signal_restart_syscall();
}

SYSCALL_DEFINE2(sigaltstack, const stack_t *, uss, stack_t *, uoss)
{
	stack_t ss, old;
	long err;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	err = signal_sigaltstack(uss ? &ss : NULL, &old, frame->rsp);
	if (err)
		return err;
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	return signal_kill(pid, sig, SI_USER);
}

/* A process is one thread: its thread id is its pid. */
SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	if (tid <= 0)
		return -EINVAL;
	return signal_kill(tid, sig, SI_TKILL);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (tgid != tid)
		return sig < 0 || sig > SIG_COUNT ? -EINVAL : -ESRCH;
	return signal_kill(tid, sig, SI_TKILL);
}

/* ---- ITIMER_REAL ------------------------------------------------------------- */

static struct __kernel_old_timeval ns_to_tv(u64 ns)
{
	return (struct __kernel_old_timeval){
		.tv_sec = (long)(ns / NSEC_PER_SEC),
		.tv_usec = (long)(ns % NSEC_PER_SEC / NSEC_PER_USEC),
	};
}

static int tv_to_ns(const struct __kernel_old_timeval *tv, u64 *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = (u64)tv->tv_sec * NSEC_PER_SEC + (u64)tv->tv_usec * NSEC_PER_USEC;
	return 0;
}

static int itimer_which(int which)
{
	if (which == ITIMER_REAL)
		return 0;
	if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
		pr_info("signal: ITIMER_VIRTUAL and ITIMER_PROF (CPU-time timers) are not supported\n");
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

SYSCALL_DEFINE2(getitimer, int, which, struct __kernel_old_itimerval *, uval)
{
	struct __kernel_old_itimerval v;
	u64 value, interval;
	int err = itimer_which(which);

	if (err)
		return err;
	signal_itimer_get(&value, &interval);
	v.it_value = ns_to_tv(value);
	v.it_interval = ns_to_tv(interval);
	return copy_to_user(uval, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(setitimer, int, which, const struct __kernel_old_itimerval *, unew,
		struct __kernel_old_itimerval *, uold)
{
	struct __kernel_old_itimerval v = { 0 }, o;
	u64 value = 0, interval = 0, ovalue, ointerval;
	int err = itimer_which(which);

	if (err)
		return err;
	/* A NULL new value disarms, as Linux (still) accepts. */
	if (unew && copy_from_user(&v, unew, sizeof(v)))
		return -EFAULT;
	err = tv_to_ns(&v.it_value, &value);
	if (!err)
		err = tv_to_ns(&v.it_interval, &interval);
	if (err)
		return err;
	signal_itimer_get(&ovalue, &ointerval);
	signal_itimer_set(value, interval);
	if (uold) {
		o.it_value = ns_to_tv(ovalue);
		o.it_interval = ns_to_tv(ointerval);
		if (copy_to_user(uold, &o, sizeof(o)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned, seconds)
{
	u64 ovalue, ointerval;
	struct __kernel_old_timeval tv;

	signal_itimer_get(&ovalue, &ointerval);
	signal_itimer_set((u64)seconds * NSEC_PER_SEC, 0);
	/* Whole seconds left, rounded to nearest; never 0 for a timer
	 * still running (Linux's rule). */
	tv = ns_to_tv(ovalue);
	if (tv.tv_usec >= 500000)
		tv.tv_sec++;
	if (!tv.tv_sec && ovalue)
		tv.tv_sec = 1;
	return tv.tv_sec;
}
