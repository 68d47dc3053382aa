/*
 * Job control (POSIX.1 §11.1.3-4, as Linux does it): stopping on
 * SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU, continuing on SIGCONT, telling the
 * parent (SIGCHLD with CLD_STOPPED, CLD_CONTINUED, CLD_EXITED or
 * CLD_KILLED, and wait4's WUNTRACED/WCONTINUED reports), orphaned process
 * groups, and the hooks the console terminal and the sockets call into
 * (tty_signal_ops, sock_set_signal_hook).
 *
 * Locking: proc_lock, as for the rest of struct proc_signals (signal.h).
 */
#include "kernel/proc/signal.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/tty.h"
#include "kernel/lib/log.h"
#include "net/socket.h"
#include <asm-generic/siginfo.h>
#include <linux/wait.h>

/* Tell p's parent about p: sig (if any) with code and status, unless it
 * is SIGCHLD for a stop or continue and the parent said SA_NOCLDSTOP;
 * and wake its wait. proc_lock held. */
static void notify_parent_locked(struct proc *p, int sig, int code, int status)
{
	struct proc *parent = p->parent;
	struct sig_info si = { .code = code, .status = status, .pid = p->pid, .uid = p->uid };

	if (!parent)
		return;
	if (sig && !(sig == SIGCHLD && code != CLD_EXITED && code != CLD_KILLED &&
		     (parent->sigaction[SIGCHLD - 1].sa_flags & SA_NOCLDSTOP)))
		signal_send_locked(parent, sig, &si);
	wake_up(&parent->child_wait);
}

void jobctl_stop(struct proc *p, int sig)
{
	struct task *me = current_task();
	unsigned long flags = spin_lock_irqsave(&proc_lock);

	p->sig.stopped = true;
	p->sig.stop_sig = (u8)sig;
	p->sig.report = JOBCTL_STOPPED;
	notify_parent_locked(p, SIGCHLD, CLD_STOPPED, sig);
	spin_unlock_irqrestore(&proc_lock, flags);
	/* Marked sleeping before the look: SIGCONT's wake-up is not lost. */
	for (;;) {
		signal_set_sleeping();
		if (!READ_ONCE(p->sig.stopped) || (READ_ONCE(p->sig.pending) & sig_bit(SIGKILL)))
			break;
		schedule();
	}
	me->state = TASK_RUNNABLE;
}

void jobctl_continue_locked(struct proc *p)
{
	if (!p->sig.stopped)
		return;
	p->sig.stopped = false;
	p->sig.report = JOBCTL_CONTINUED;
	notify_parent_locked(p, SIGCHLD, CLD_CONTINUED, SIGCONT);
	task_signal_wake(&p->thread->task);
}

void jobctl_child_exit_locked(struct proc *p, int wstatus)
{
	int sig = wstatus & 0x7f;

	p->sig.stopped = false;
	p->sig.report = JOBCTL_NONE;
	if (sig)
		notify_parent_locked(p, p->sig.exit_signal, CLD_KILLED, sig);
	else
		notify_parent_locked(p, p->sig.exit_signal, CLD_EXITED, (wstatus >> 8) & 0xff);
}

bool jobctl_wait_report_locked(struct proc *c, int options, bool nowait, int *wstatus)
{
	if ((options & WUNTRACED) && c->sig.report == JOBCTL_STOPPED && c->sig.stopped) {
		*wstatus = (c->sig.stop_sig << 8) | 0x7f;
	} else if ((options & WCONTINUED) && c->sig.report == JOBCTL_CONTINUED) {
		*wstatus = 0xffff;
	} else {
		return false;
	}
	if (!nowait)
		c->sig.report = JOBCTL_NONE;
	return true;
}

bool jobctl_pgrp_orphaned_locked(u32 pgid)
{
	struct proc *p;

	list_for_each_entry(p, &all_procs, all_node) {
		struct proc *parent = p->parent;

		if (p->pgid != pgid || p->state == PROC_ZOMBIE || !parent ||
		    parent->pid == 1)
			continue;
		if (parent->pgid != pgid && parent->sid == p->sid)
			return false;
	}
	return true;
}

/* ---- the terminal's view of processes ------------------------------------------- */

static bool jc_current_ids(u32 *pid, u32 *pgid, u32 *sid)
{
	struct proc *p = current_proc();
	unsigned long flags;

	if (!p)
		return false;
	flags = spin_lock_irqsave(&proc_lock);
	*pid = p->pid;
	*pgid = p->pgid;
	*sid = p->sid;
	spin_unlock_irqrestore(&proc_lock, flags);
	return true;
}

static bool jc_sig_ignored(int sig)
{
	struct proc *p = current_proc();

	return (READ_ONCE(p->sigmask) & sig_bit(sig)) ||
	       p->sigaction[sig - 1].sa_handler == SIG_IGN;
}

static bool jc_pgrp_orphaned(u32 pgid)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	bool orphaned = jobctl_pgrp_orphaned_locked(pgid);

	spin_unlock_irqrestore(&proc_lock, flags);
	return orphaned;
}

static bool jc_pgrp_in_session(u32 pgid, u32 sid)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p;
	bool found = false;

	list_for_each_entry(p, &all_procs, all_node)
		if (p->pgid == pgid && p->sid == sid && p->state != PROC_ZOMBIE)
			found = true;
	spin_unlock_irqrestore(&proc_lock, flags);
	return found;
}

static bool jc_capable_admin(void)
{
	struct proc *p = current_proc();

	return p && p->euid == 0;
}

static const struct tty_signal_ops jobctl_tty_ops = {
	.send_to_pgrp = signal_kill_pgrp,
	.current_ids = jc_current_ids,
	.signal_pending = signal_pending,
	.sig_ignored = jc_sig_ignored,
	.pgrp_orphaned = jc_pgrp_orphaned,
	.pgrp_in_session = jc_pgrp_in_session,
	.capable_admin = jc_capable_admin,
};

void jobctl_init(void)
{
	tty_set_signal_ops(&jobctl_tty_ops);
	sock_set_signal_hook(signal_pending);
}
