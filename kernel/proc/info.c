/*
 * What is asked of and set on existing processes: the parent, process
 * groups and sessions, CPU affinity, and the snapshot procfs reads.
 * Creation, exit and wait are proc.c's; everything here is proc_lock's.
 */
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/vm.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "vfs/vfs.h"

/* ---- groups and sessions ------------------------------------------------------------------ */

u32 proc_getppid(void)
{
	struct proc *me = current_proc();
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	u32 ppid = me->parent ? me->parent->pid : 0;

	spin_unlock_irqrestore(&proc_lock, flags);
	return ppid;
}

long proc_setpgid(int pid, int pgid)
{
	struct proc *me = current_proc(), *p;
	unsigned long flags;
	long err = 0;

	if (pgid < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&proc_lock);
	p = pid ? proc_find_locked((u32)pid) : me;
	if (!p || (p != me && p->parent != me)) {
		err = -ESRCH;
		goto out;
	}
	if (!pgid)
		pgid = (int)p->pid;
	if (p->sid == p->pid || p->sid != me->sid) {
		err = -EPERM;           /* a session leader, or another session */
		goto out;
	}
	if ((u32)pgid != p->pid) {
		struct proc *q;
		bool found = false;

		list_for_each_entry(q, &all_procs, all_node)
			if (q->pgid == (u32)pgid && q->sid == me->sid)
				found = true;
		if (!found) {
			err = -EPERM;
			goto out;
		}
	}
	p->pgid = (u32)pgid;
out:
	spin_unlock_irqrestore(&proc_lock, flags);
	return err;
}

long proc_getpgid(int pid)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p = pid ? proc_find_locked((u32)pid) : current_proc();
	long ret = p ? (long)p->pgid : -ESRCH;

	spin_unlock_irqrestore(&proc_lock, flags);
	return ret;
}

long proc_getsid(int pid)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p = pid ? proc_find_locked((u32)pid) : current_proc();
	long ret = p ? (long)p->sid : -ESRCH;

	spin_unlock_irqrestore(&proc_lock, flags);
	return ret;
}

long proc_setsid(void)
{
	struct proc *me = current_proc(), *q;
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	long ret = me->pid;

	/* A group leader, or anyone whose pid names a group, may not. */
	list_for_each_entry(q, &all_procs, all_node)
		if (q->pgid == me->pid)
			ret = -EPERM;
	if (ret > 0)
		me->pgid = me->sid = me->pid;
	spin_unlock_irqrestore(&proc_lock, flags);
	return ret;
}

/* ---- CPU affinity ---------------------------------------------------------------- */

/* p by pid (0: the caller), for sched_[gs]etaffinity. proc_lock held. */
static struct proc *affinity_target_locked(int pid)
{
	if (pid < 0)
		return NULL;
	return pid ? proc_find_locked((u32)pid) : current_proc();
}

long proc_set_affinity(int pid, u64 **mask)
{
	struct proc *me = current_proc(), *p;
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	long err;

	p = affinity_target_locked(pid);
	if (!p) {
		err = -ESRCH;
	} else if (me->euid && me->euid != p->euid && me->euid != p->uid) {
		err = -EPERM;           /* Linux: same owner, or CAP_SYS_NICE */
	} else {
		/* Under proc_lock, a zombie's thread is still there (reap
		 * unlinks it first). */
		err = sched_set_affinity(&p->thread->task, mask);
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	if (!err && p == me)
		sched_affinity_enforce();
	return err;
}

long proc_get_affinity(int pid, u64 *mask)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p = affinity_target_locked(pid);

	if (p)
		sched_get_affinity(&p->thread->task, mask);
	spin_unlock_irqrestore(&proc_lock, flags);
	return p ? 0 : -ESRCH;
}

/* ---- procfs ----------------------------------------------------------------- */

void proc_set_mm(struct proc *p, struct mm *mm)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);

	p->mm = mm;
	spin_unlock_irqrestore(&proc_lock, flags);
}

static char proc_state_char(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (p->sig.stopped)
		return 'T';
	return task_state_char(READ_ONCE(p->thread->task.state));
}

int proc_info_get(u32 pid, struct proc_info *out)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p = proc_find_locked(pid);

	if (!p) {
		spin_unlock_irqrestore(&proc_lock, flags);
		return -ENOENT;
	}
	/* The thread outlives the zombie's unlinking (reap), so under
	 * proc_lock its task is there to read. */
	*out = (struct proc_info){
		.pid = p->pid, .ppid = p->parent ? p->parent->pid : 0,
		.pgid = p->pgid, .sid = p->sid, .state = proc_state_char(p),
		.cpu = READ_ONCE(p->thread->task.cpu),
		.child_user_cycles = p->child_user_cycles,
		.child_sys_cycles = p->child_sys_cycles,
		.start_ns = p->start_ns,
		.uid = p->uid, .euid = p->euid, .suid = p->suid,
		.gid = p->gid, .egid = p->egid, .sgid = p->sgid,
		.sigmask = p->sigmask, .sigpending = p->sig.pending,
		.exit_signal = p->sig.exit_signal,
		.mm = p->mm, .files = p->files, .fs = p->fs,
	};
	proc_thread_times(p->thread, &out->user_cycles, &out->sys_cycles);
	for (int sig = 1; sig <= PROC_NSIG; sig++) {
		if (p->sigaction[sig - 1].sa_handler == SIG_IGN)
			out->sigignored |= sig_bit(sig);
		else if (p->sigaction[sig - 1].sa_handler != SIG_DFL)
			out->sigcaught |= sig_bit(sig);
	}
	memcpy(out->comm, p->comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = 0;
	if (out->mm)
		mm_get(out->mm);
	if (out->files)
		files_get(out->files);
	if (out->fs)
		fs_struct_get(out->fs);
	spin_unlock_irqrestore(&proc_lock, flags);
	return 0;
}

void proc_info_put(struct proc_info *pi)
{
	if (pi->fs)
		fs_struct_put(pi->fs);
	if (pi->files)
		files_put(pi->files);
	if (pi->mm)
		mm_put(pi->mm);
	pi->fs = NULL;
	pi->files = NULL;
	pi->mm = NULL;
}

void proc_for_each(void (*fn)(u32 pid, char state, void *ctx), void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct proc *p;

	list_for_each_entry(p, &all_procs, all_node)
		fn(p->pid, proc_state_char(p), ctx);
	spin_unlock_irqrestore(&proc_lock, flags);
}
