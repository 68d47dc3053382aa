/*
 * Processes. A process is one user thread today (struct thread: a
 * scheduler task with a kernel stack, the user registers at its top, FS
 * base and FPU state) plus what it owns: an address space (vm.h), a
 * descriptor table and fs_struct (vfs.h), credentials, signal bookkeeping,
 * and its place in the process tree.
 *
 * Life cycle: proc_clone (fork, vfork, clone) makes a child that returns
 * to user mode with RAX = 0; proc_exit releases everything but the
 * process's small core and its kernel stack, re-parents its children to
 * init and leaves a zombie; the parent's wait reaps the zombie, which
 * frees the rest. A parent that ignores SIGCHLD or set SA_NOCLDWAIT gets
 * no zombie: the child leaves the tree at exit and the next fork or exit
 * frees it. When PID 1 exits the machine powers off.
 *
 * Locking: proc_lock (a spinlock) protects the process tree (parent,
 * children, sibling), the pid list, pgid/sid, state and wstatus. The rest
 * of a process is touched only by the process itself, except by its
 * parent during clone, before the child runs.
 */
#ifndef VIREO_PROC_PROC_H
#define VIREO_PROC_PROC_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/wait.h"
#include "kernel/arch/x86_64/fpu.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/proc/signal.h"
#include <asm/signal.h>
#include <linux/resource.h>

struct mm;
struct files;
struct fs_struct;
struct vfs_ctx;
struct completion;

#define PROC_COMM_LEN 16
/* Signals 1..64: x86-64 Linux's _NSIG (the kernel-only part of asm/signal.h),
 * one bit each in the 64-bit sigset_t. */
#define PROC_NSIG 64
_Static_assert(sizeof(sigset_t) * 8 == PROC_NSIG, "sigset_t");

struct thread {
	struct task task;               /* the scheduler's view */
	struct proc *proc;
	void *kstack;                   /* KSTACK_SIZE bytes, kstack_alloc */
	struct trap_frame *frame;       /* user registers, at the stack top */
	u64 fs_base;                    /* ARCH_SET_FS */
	uintptr_t set_child_tid;        /* CLONE_CHILD_SETTID: written on first run */
	uintptr_t clear_child_tid;      /* set_tid_address: zeroed at exit */
	struct fpu_state fpu;           /* saved while switched out */
	/* CPU time in user mode (the rest of the task's run time is system
	 * time): user_cycles, TSC cycles of the finished stretches, and
	 * user_since, the TSC when the thread last left for user mode, 0
	 * from its next entry to the kernel until it leaves again. Written by
	 * the thread itself (proc_time_*, and proc_switch while it is
	 * switched); others read them racily, as statistics. */
	u64 user_cycles;
	u64 user_since;
};

enum proc_state {
	PROC_LIVE,
	PROC_ZOMBIE,                    /* exited, waiting for its parent */
};

struct proc {
	u32 pid;
	char comm[PROC_COMM_LEN];
	/* proc_lock: */
	struct proc *parent;
	struct list_node children;
	struct list_node sibling;       /* in parent->children */
	struct list_node all_node;      /* every process, by creation */
	u32 pgid, sid;
	enum proc_state state;
	int wstatus;                    /* wait4's encoding, once a zombie */
	struct wait_queue child_wait;   /* the parent side: a child exited */
	struct completion *vfork_done;  /* the vfork parent, until exec/exit */
	/* The process's own: */
	struct thread *thread;
	struct mm *mm;
	struct files *files;
	struct fs_struct *fs;
	u32 uid, euid, suid, gid, egid, sgid;
	/* Signals (signal.h says who may touch what). */
	struct sigaction sigaction[PROC_NSIG];
	u64 sigmask;
	struct proc_signals sig;
	struct rlimit64 rlimit[RLIM_NLIMITS];
	u64 start_ns;
	/* TSC cycles of the children it waited for (and theirs), user and
	 * system time: times(2)'s tms_cutime/tms_cstime. The process's own. */
	u64 child_user_cycles, child_sys_cycles;
};

/* The process tree's lock and every process (all_node), for signals and
 * job control (signal.c, jobctl.c), which walk the tree under it. */
extern struct spinlock proc_lock;
extern struct list_node all_procs;
/* The process with this pid, or NULL. proc_lock held. */
struct proc *proc_find_locked(u32 pid);
/* t's CPU time so far in TSC cycles, split by mode (proc.c). */
void proc_thread_times(struct thread *t, u64 *user, u64 *sys);

static inline struct thread *current_thread(void)
{
	return current_task()->thread;
}

/* The running process, or NULL in a kernel thread. */
static inline struct proc *current_proc(void)
{
	struct thread *t = current_thread();

	return t ? t->proc : NULL;
}

/*
 * User/system CPU time: a thread's stretch in user mode runs from its
 * exit to user mode (signal_exit_to_user, or a new thread's first
 * user_return) to its next entry (syscall_dispatch, trap_dispatch from
 * user mode): one TSC read at each end. An interrupt that preempts the
 * thread enters the kernel first, so a stretch never spans a switch; the
 * few instructions between the hooks and the mode change that a switch
 * can split count as user time (proc_switch). Interrupts off for
 * proc_time_leave, so nothing runs between it and the return.
 */
static inline void proc_time_enter(struct thread *t)
{
	u64 since = t->user_since;

	if (since) {
		t->user_cycles += rdtsc() - since;
		t->user_since = 0;
	}
}

static inline void proc_time_leave(struct thread *t)
{
	t->user_since = rdtsc();
}

/* An entry from user mode by an interrupt or exception (trap_dispatch). */
static inline void proc_trap_entry(void)
{
	struct thread *t = current_thread();

	if (t)
		proc_time_enter(t);
}

/* The current process's CPU time so far in ns, user and system: its own
 * (self) or its waited-for children's (times(2), getrusage). */
void proc_cputime(bool children, u64 *user_ns, u64 *sys_ns);

/* Fill ctx with the current process's identity and fs_struct. */
void proc_vfs_ctx(struct vfs_ctx *ctx);

/*
 * Start PID 1 from the kernel: after mount_root, run rdinit= (with an
 * initramfs) or init= (default /sbin/init, then /etc/init, /bin/init,
 * /bin/sh), with the command-line words after "--" as its arguments.
 * Returns only if nothing could be started (the reason is logged).
 */
int proc_start_init(const char *cmdline, bool initramfs);

/* clone/fork/vfork: flags as clone(2); f is the caller's frame. The
 * child's pid, or -EAGAIN (process limit), -ENOMEM, -EINVAL. */
long proc_clone(u64 flags, uintptr_t newsp, uintptr_t parent_tid,
		uintptr_t child_tid, u64 tls, struct trap_frame *f);

/* Exit the current process with a wait status (W_EXITCODE(code, 0) or a
 * signal number). */
void __noreturn proc_exit(int wstatus);

/* wait4/waitid. */
long proc_wait4(int pid, uintptr_t status, int options, uintptr_t rusage);
long proc_waitid(int idtype, int id, uintptr_t infop, int options);

/* exec committed: a vfork parent may go on. */
void proc_vfork_release(struct proc *p);

/* Process groups and sessions. */
long proc_setpgid(int pid, int pgid);
long proc_getpgid(int pid);
long proc_setsid(void);
long proc_getsid(int pid);
/* sched_setaffinity/sched_getaffinity (pid 0: the caller; masks as in
 * kernel/sched/sched.h). set: 0 with *mask swapped for the old one (for
 * the caller to free), -ESRCH, -EPERM (not the caller's to change) or
 * -EINVAL (no online CPU in it); the caller moves off a CPU it no longer
 * may use before this returns. get: 0 or -ESRCH. */
long proc_set_affinity(int pid, u64 **mask);
long proc_get_affinity(int pid, u64 *mask);
u32 proc_getppid(void);

/* Processes alive or zombie (the leak and fork-bomb tests). */
u32 proc_count(void);

/*
 * procfs's view of one process: copies of its identity and accounting,
 * and held references to what it owns (NULL once it has exited). The
 * references keep the objects, not the process: it may exit meanwhile.
 */
struct proc_info {
	u32 pid, ppid, pgid, sid;
	char comm[PROC_COMM_LEN];
	char state;                     /* R, S, D, T (stopped) or Z (exited,
					 * not reaped) */
	u32 cpu;                        /* where its thread last ran */
	u64 user_cycles, sys_cycles;    /* TSC cycles on a CPU so far, by mode */
	u64 child_user_cycles, child_sys_cycles;  /* waited-for children's */
	u64 start_ns;                   /* ktime_get() when it was created */
	u32 uid, euid, suid, gid, egid, sgid;
	u64 sigmask, sigpending, sigignored, sigcaught;  /* bit sig-1 */
	int exit_signal;
	struct mm *mm;
	struct files *files;
	struct fs_struct *fs;
};
/* 0, or -ENOENT if no process has that pid. */
int proc_info_get(u32 pid, struct proc_info *out);
void proc_info_put(struct proc_info *pi);
/* fn(pid, state as above, ctx) for every process in creation order, under
 * proc_lock: fn must not sleep. */
void proc_for_each(void (*fn)(u32 pid, char state, void *ctx), void *ctx);
/* Make mm p's address space (NULL at exit) under proc_lock, where
 * proc_info_get takes its reference; the caller puts the old one. */
void proc_set_mm(struct proc *p, struct mm *mm);

/* A CPU exception in a user task, or a kernel-mode page fault on a user
 * address (a user copy touching a page not faulted in yet): true if it
 * was handled. Called from trap_dispatch; a user fault becomes a signal
 * delivered on the way back to user mode. */
bool proc_trap(struct trap_frame *f, u64 cr2);

/* The scheduler's hook (sched.c): switch the user context from prev to
 * next; either may be a kernel thread. Interrupts are off. */
void proc_switch(struct task *prev, struct task *next);

/* Load t's user context on this CPU: address space, kernel stack for
 * entries, FS base, FPU registers. Interrupts off. */
void thread_load(struct thread *t);

/* exec (exec.c): replace the current process's program. 0 means the
 * frame now starts the new program. */
long proc_execve(const char *path, const char *const *argv,
		 const char *const *envp, bool user_ptrs, struct trap_frame *f);

#endif
