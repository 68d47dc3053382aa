/* Processes: creation, PID 1, exit and wait, the process tree (see
 * proc.h). Groups, sessions, affinity and the procfs view: info.c. */
#include "kernel/proc/proc.h"
#include "kernel/proc/vm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/boot/cmdline.h"
#include "kernel/arch/x86_64/power.h"
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmm.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"
#include "vfs/vfs.h"
#include <linux/sched.h>
#include <linux/wait.h>
#include <asm-generic/siginfo.h>

#define PID_MAX 32768                   /* Linux's default pid_max */
/* Frames per process allowed, as Linux sizes threads-max: totalram over
 * eight kernel stacks' worth of pages. */
#define PROC_FRAMES (8 * KSTACK_SIZE / PAGE_SIZE)

struct spinlock proc_lock = SPINLOCK_INIT("proc");
struct list_node all_procs = LIST_INIT(all_procs);
static u32 nr_procs;
static u32 last_pid;
static struct proc *init_proc;
/* Children that reaped themselves at exit (their parent ignores SIGCHLD
 * or set SA_NOCLDWAIT), off every other list, by sibling: an exiting
 * thread cannot free the stack it runs on, so the next fork or exit
 * (reap_detached) joins and frees them. proc_lock. */
static struct list_node detached = LIST_INIT(detached);

u32 proc_count(void)
{
	return READ_ONCE(nr_procs);
}

void proc_vfs_ctx(struct vfs_ctx *ctx)
{
	struct proc *p = current_proc();

	ctx->fsuid = p->euid;
	ctx->fsgid = p->egid;
	ctx->ngroups = 0;
	ctx->groups = NULL;
	ctx->fs = p->fs;
}

struct proc *proc_find_locked(u32 pid)
{
	struct proc *p;

	list_for_each_entry(p, &all_procs, all_node)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* The next free pid after the last one handed out, wrapping below
 * PID_MAX (300 and up after a wrap, as Linux). proc_lock held. */
static u32 alloc_pid_locked(void)
{
	for (u32 tries = 0; tries < PID_MAX; tries++) {
		u32 pid = last_pid + 1 >= PID_MAX ? 300 : last_pid + 1;
		bool used = false;
		struct proc *p;

		last_pid = pid;
		list_for_each_entry(p, &all_procs, all_node)
			if (p->pid == pid || p->pgid == pid || p->sid == pid)
				used = true;
		if (!used)
			return pid;
	}
	return 0;
}

/* ---- creation --------------------------------------------------------------- */

/*
 * Kernel stacks of reaped threads, kept mapped for the next fork. Freeing
 * a stack unmaps it from the kernel half, which every CPU may have
 * cached, so each free is a TLB-shootdown IPI to every other CPU and a
 * wait for all of them to answer; under TCG on a busy host that wait
 * lasts until the host runs the other vCPUs, and it was most of a
 * fork+exit+wait at -smp 2 (one function-call IPI per cycle). A stack
 * that stays mapped needs no shootdown. Two per CPU cover a shell's
 * fork-and-wait. The lowest addresses are kept and the rest freed, so
 * after a burst of processes the cache holds the same low slots (and
 * their page tables) as before it, not whichever stacks went last.
 */
#define KSTACK_CACHE_PER_CPU 2

struct kstack_cached {
	struct list_node node;          /* at the unused stack's base */
};

static struct spinlock kstack_cache_lock = SPINLOCK_INIT("kstack_cache");
static struct list_node kstack_cache = LIST_INIT(kstack_cache); /* by address */
static u32 kstack_cache_len;

static void *kstack_get(void)
{
	unsigned long flags = spin_lock_irqsave(&kstack_cache_lock);
	struct kstack_cached *k = NULL;

	if (!list_empty(&kstack_cache)) {
		k = list_first_entry(&kstack_cache, struct kstack_cached, node);
		list_del(&k->node);
		kstack_cache_len--;
	}
	spin_unlock_irqrestore(&kstack_cache_lock, flags);
	return k ? (void *)k : kstack_alloc();
}

static void kstack_put(void *stack)
{
	struct kstack_cached *k = stack, *pos, *evict = NULL;
	unsigned long flags = spin_lock_irqsave(&kstack_cache_lock);

	list_for_each_entry(pos, &kstack_cache, node)
		if ((uintptr_t)pos > (uintptr_t)k)
			break;
	list_add_tail(&k->node, &pos->node);    /* before pos: sorted */
	if (++kstack_cache_len > KSTACK_CACHE_PER_CPU * cpu_count()) {
		evict = list_entry(kstack_cache.prev, struct kstack_cached, node);
		list_del(&evict->node);
		kstack_cache_len--;
	}
	spin_unlock_irqrestore(&kstack_cache_lock, flags);
	if (evict)
		kstack_free(evict);
}

static void thread_free(struct thread *t)
{
	if (!t)
		return;
	sched_affinity_free(&t->task);
	kstack_put(t->kstack);
	kfree(t);
}

static struct thread *thread_alloc(struct proc *p)
{
	struct thread *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->kstack = kstack_get();
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->proc = p;
	t->frame = (struct trap_frame *)((u8 *)t->kstack + KSTACK_SIZE) - 1;
	return t;
}

static struct proc *proc_alloc(void)
{
	struct proc *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	list_init(&p->children);
	wait_queue_init(&p->child_wait, "child_wait");
	p->thread = thread_alloc(p);
	if (!p->thread) {
		kfree(p);
		return NULL;
	}
	p->start_ns = ktime_get();
	return p;
}

static void proc_free(struct proc *p)
{
	thread_free(p->thread);
	kfree(p);
}

/* For a thread running on another CPU the reads race with it:
 * statistics, never more user time than run time. */
void proc_thread_times(struct thread *t, u64 *user, u64 *sys)
{
	u64 total = sched_task_runtime_cycles(&t->task);
	u64 u = READ_ONCE(t->user_cycles), since = READ_ONCE(t->user_since);

	if (since && t != current_thread()) {
		u64 now = rdtsc();

		if (now > since)
			u += now - since;       /* in user mode right now */
	}
	u = MIN(u, total);
	*user = u;
	*sys = total - u;
}

/* c's CPU time and its waited-for children's, user and system. */
static void proc_total_times(struct proc *c, u64 times[2])
{
	proc_thread_times(c->thread, &times[0], &times[1]);
	times[0] += c->child_user_cycles;
	times[1] += c->child_sys_cycles;
}

/* Free a zombie that is no longer on any list, adding its CPU time (and
 * its children's) to the waiting parent's, if any, and to times[2]. */
static void reap(struct proc *c, struct proc *parent, u64 times[2])
{
	u64 t[2];

	task_join(&c->thread->task);
	if (parent) {
		proc_total_times(c, t);
		parent->child_user_cycles += t[0];
		parent->child_sys_cycles += t[1];
		if (times) {
			times[0] = t[0];
			times[1] = t[1];
		}
	}
	proc_free(c);
}

/* Free the children that reaped themselves (detached). */
static void reap_detached(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&proc_lock);
		struct proc *c = list_empty(&detached) ? NULL :
				 list_first_entry(&detached, struct proc, sibling);

		if (c)
			list_del(&c->sibling);
		spin_unlock_irqrestore(&proc_lock, flags);
		if (!c)
			return;
		reap(c, NULL, NULL);
	}
}

static void default_rlimits(struct proc *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlimit[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	p->rlimit[RLIMIT_STACK].rlim_cur = VM_STACK_SIZE;
	p->rlimit[RLIMIT_CORE].rlim_cur = 0;
	p->rlimit[RLIMIT_NOFILE] = (struct rlimit64){ FILES_DEFAULT_MAX, FILES_HARD_MAX };
	p->rlimit[RLIMIT_NPROC].rlim_cur = p->rlimit[RLIMIT_NPROC].rlim_max =
		pmm_total_count() / PROC_FRAMES;
}

/* A new process's first instructions, on its own stack. */
static void __noreturn thread_start(void *arg)
{
	struct thread *t = arg;

	irq_disable();
	current_task()->thread = t;
	thread_load(t);
	irq_enable();
	if (t->set_child_tid) {
		u32 tid = t->proc->pid;

		copy_to_user((void *)t->set_child_tid, &tid, sizeof(tid));
	}
	irq_disable();
	proc_time_leave(t);
	user_return(t->frame);
}

static void start_thread(struct proc *p, u64 *allowed)
{
	struct thread *t = p->thread;

	/* The frame sits at the stack top, above what task_start lays out. */
	task_start_child(&t->task, p->comm, (void (*)(void *))thread_start, t,
			 t->kstack, KSTACK_SIZE - sizeof(struct trap_frame), allowed);
}

/* Link p into the tree under parent with a new pid. */
static int proc_link(struct proc *p, struct proc *parent)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	u32 limit = parent ? (u32)parent->rlimit[RLIMIT_NPROC].rlim_cur : ~0u;

	if (nr_procs >= limit || !(p->pid = alloc_pid_locked())) {
		spin_unlock_irqrestore(&proc_lock, flags);
		return -EAGAIN;
	}
	p->parent = parent;
	if (parent) {
		list_add_tail(&p->sibling, &parent->children);
		p->pgid = parent->pgid;
		p->sid = parent->sid;
	} else {
		list_init(&p->sibling);
		p->pgid = p->sid = p->pid;
	}
	list_add_tail(&p->all_node, &all_procs);
	nr_procs++;
	spin_unlock_irqrestore(&proc_lock, flags);
	return 0;
}

long proc_clone(u64 flags, uintptr_t newsp, uintptr_t parent_tid,
		uintptr_t child_tid, u64 tls, struct trap_frame *f)
{
	const u64 supported = CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_FS |
			      CLONE_FILES | CLONE_SETTLS | CLONE_PARENT_SETTID |
			      CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	struct proc *me = current_proc(), *p;
	struct completion vfork_done;
	struct thread *t;
	u64 *allowed;
	long err;
	u32 pid;

	if (flags & ~supported) {
		pr_warn("proc: clone flags %#lx not supported\n",
			(unsigned long)(flags & ~supported));
		return -EINVAL;
	}
	reap_detached();
	p = proc_alloc();
	if (!p)
		return -ENOMEM;
	t = p->thread;
	memcpy(p->comm, me->comm, sizeof(p->comm));
	p->uid = me->uid; p->euid = me->euid; p->suid = me->suid;
	p->gid = me->gid; p->egid = me->egid; p->sgid = me->sgid;
	memcpy(p->sigaction, me->sigaction, sizeof(p->sigaction));
	memcpy(p->rlimit, me->rlimit, sizeof(p->rlimit));
	p->sigmask = me->sigmask;
	signal_fork(p, me, (int)(flags & CSIGNAL));

	err = -ENOMEM;
	if (flags & CLONE_VM) {
		mm_get(me->mm);
		p->mm = me->mm;
	} else {
		p->mm = mm_fork(me->mm);
		if (IS_ERR(p->mm)) {
			err = PTR_ERR(p->mm);
			p->mm = NULL;
			goto out_free;
		}
	}
	if (flags & CLONE_FILES) {
		files_get(me->files);
		p->files = me->files;
	} else if (!(p->files = files_copy(me->files))) {
		goto out_put_mm;
	}
	if (flags & CLONE_FS) {
		fs_struct_get(me->fs);
		p->fs = me->fs;
	} else if (!(p->fs = fs_struct_copy(me->fs))) {
		goto out_put_files;
	}

	*t->frame = *f;
	t->frame->rax = 0;
	if (newsp)
		t->frame->rsp = newsp;
	t->fs_base = (flags & CLONE_SETTLS) ? tls : current_thread()->fs_base;
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = child_tid;
	/* The parent's live FPU registers are the child's starting state. */
	irq_disable();
	fpu_save(&t->fpu);
	irq_enable();

	/* The CPU affinity is inherited (and kept across exec). */
	allowed = sched_affinity_dup(current_task());
	if (IS_ERR(allowed)) {
		err = PTR_ERR(allowed);
		goto out_put_fs;
	}
	err = proc_link(p, me);
	if (err)
		goto out_free_allowed;
	pid = p->pid;
	if ((flags & CLONE_PARENT_SETTID) &&
	    copy_to_user((void *)parent_tid, &pid, sizeof(pid)))
		pr_debug("proc: clone: bad parent_tid pointer\n");
	if (flags & CLONE_VFORK) {
		completion_init(&vfork_done);
		p->vfork_done = &vfork_done;
	}
	start_thread(p, allowed);
	if (flags & CLONE_VFORK)
		wait_for_completion(&vfork_done);
	return pid;

out_free_allowed:
	kfree(allowed);
out_put_fs:
	fs_struct_put(p->fs);
out_put_files:
	files_put(p->files);
out_put_mm:
	mm_put(p->mm);
out_free:
	proc_free(p);
	return err;
}

void proc_vfork_release(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&proc_lock);
	struct completion *c = p->vfork_done;

	p->vfork_done = NULL;
	spin_unlock_irqrestore(&proc_lock, flags);
	if (c)
		complete(c);
}

/* ---- PID 1 ------------------------------------------------------------------------ */

struct init_args {
	const char *paths[5];
	const char *argv[32];
	const char *envp[4];
	char buf[512];
};

/* The words of the command line after "--", split as Linux splits the
 * command line: at spaces, except inside double quotes, which go. */
static void init_argv(struct init_args *ia, const char *cmdline)
{
	const char *rest = strstr(cmdline, " -- ");
	char *r, *w = ia->buf;
	int argc = 1;

	if (!strncmp(cmdline, "-- ", 3))
		rest = cmdline + 2;
	else if (rest)
		rest += 3;
	strlcpy(ia->buf, rest ? rest : "", sizeof(ia->buf));
	r = ia->buf;
	while (argc < (int)ARRAY_SIZE(ia->argv) - 1) {
		bool quoted = false;

		while (*r == ' ')
			r++;
		if (!*r)
			break;
		ia->argv[argc++] = w;
		for (; *r && (quoted || *r != ' '); r++) {
			if (*r == '"')
				quoted = !quoted;
			else
				*w++ = *r;
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
	ia->argv[argc] = NULL;
}

/* Descriptors 0, 1 and 2 on the console, as Linux gives init. */
static void init_console(struct proc *p)
{
	struct vfs_ctx ctx;
	struct file *f;

	proc_vfs_ctx(&ctx);
	f = vfs_open(&ctx, NULL, "/dev/console", O_RDWR, 0);
	if (IS_ERR(f)) {
		pr_warn("proc: cannot open /dev/console: error %ld; init has no stdio\n",
			PTR_ERR(f));
		return;
	}
	for (int fd = 0; fd < 3; fd++)
		if (fd_install(p->files, file_get(f), 0, false) < 0)
			file_put(f);
	file_put(f);
}

static void __noreturn init_thread(void *arg)
{
	struct init_args *ia = arg;
	struct thread *t = init_proc->thread;
	long err = -ENOENT;

	irq_disable();
	current_task()->thread = t;
	thread_load(t);
	irq_enable();
	init_console(init_proc);
	for (int i = 0; ia->paths[i]; i++) {
		ia->argv[0] = ia->paths[i];
		err = proc_execve(ia->paths[i], ia->argv, ia->envp, false, t->frame);
		if (!err) {
			pr_info("proc: running %s as init (pid 1)\n", ia->paths[i]);
			kfree(ia);
			irq_disable();
			proc_time_leave(t);
			user_return(t->frame);
		}
		pr_warn("proc: cannot run %s as init: error %ld\n", ia->paths[i], err);
	}
	/* As before userspace existed: say so and idle (the [shell] issue
	 * adds a monitor here). */
	pr_emerg("proc: no init found; no userspace yet, idling (Ctrl-A X leaves QEMU)\n");
	task_exit();
}

int proc_start_init(const char *cmdline, bool initramfs)
{
	struct init_args *ia = kzalloc(sizeof(*ia), GFP_KERNEL);
	static char path[256];
	const struct vfs_ctx *kctx = vfs_kernel_ctx();
	struct path root;
	struct proc *p;
	int n = 0, err;

	if (!ia)
		return -ENOMEM;
	if (cmdline_get(cmdline, initramfs ? "rdinit" : "init", path, sizeof(path))) {
		ia->paths[n++] = path;
	} else if (initramfs) {
		ia->paths[n++] = "/init";
	} else {
		ia->paths[n++] = "/sbin/init";
		ia->paths[n++] = "/etc/init";
		ia->paths[n++] = "/bin/init";
		ia->paths[n++] = "/bin/sh";
	}
	init_argv(ia, cmdline);
	ia->envp[0] = "HOME=/";
	ia->envp[1] = "TERM=linux";
	ia->envp[2] = "PATH=/sbin:/usr/sbin:/bin:/usr/bin";

	err = -ENOMEM;
	p = proc_alloc();
	if (!p)
		goto out_free_args;
	strlcpy(p->comm, "init", sizeof(p->comm));
	default_rlimits(p);
	p->files = files_alloc();
	if (!p->files)
		goto out_free_proc;
	err = vfs_lookup(kctx, NULL, "/", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root);
	if (err)
		goto out_put_files;
	p->fs = fs_struct_alloc(&root);
	path_put(&root);
	err = -ENOMEM;
	if (!p->fs)
		goto out_put_files;
	err = proc_link(p, NULL);
	if (err)
		goto out_put_fs;
	init_proc = p;
	jobctl_init();
	task_start(&p->thread->task, "init", (void (*)(void *))init_thread, ia,
		   p->thread->kstack, KSTACK_SIZE - sizeof(struct trap_frame),
		   TASK_ANY_CPU);
	return 0;

out_put_fs:
	fs_struct_put(p->fs);
out_put_files:
	files_put(p->files);
out_free_proc:
	proc_free(p);
out_free_args:
	kfree(ia);
	return err;
}

/* ---- exit and wait ---------------------------------------------------------------------- */

static void init_exited(int wstatus)
{
	int code = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;

	if (wstatus & 0x7f)
		pr_notice("proc: init (pid 1) killed by signal %d; powering off\n",
			  wstatus & 0x7f);
	else
		pr_notice("proc: init (pid 1) exited with status %d; powering off\n", code);
	vfs_sync_all();
	machine_power_off(code);
}

/* Does p reap itself at exit? As Linux (sigaction(2), wait(2) NOTES): when
 * its exit signal is SIGCHLD and the parent ignores SIGCHLD or set
 * SA_NOCLDWAIT, no zombie is left. proc_lock held. */
static bool exit_detaches_locked(const struct proc *p)
{
	const struct sigaction *ka = &p->parent->sigaction[SIGCHLD - 1];

	return p->sig.exit_signal == SIGCHLD &&
	       (ka->sa_handler == SIG_IGN || (ka->sa_flags & SA_NOCLDWAIT));
}

void __noreturn proc_exit(int wstatus)
{
	struct proc *p = current_proc(), *c, *tmp;
	struct thread *t = p->thread;
	struct mm *mm = p->mm;
	struct files *files;
	struct fs_struct *fs;
	unsigned long flags;
	bool wake_init = false;

	if (p == init_proc)
		init_exited(wstatus);
	reap_detached();
	signal_exit(p);
	if (t->clear_child_tid) {
		u32 zero = 0;

		copy_to_user((void *)t->clear_child_tid, &zero, sizeof(zero));
	}
	/* Cleared under proc_lock, where procfs takes its references. */
	flags = spin_lock_irqsave(&proc_lock);
	files = p->files;
	fs = p->fs;
	p->files = NULL;
	p->fs = NULL;
	spin_unlock_irqrestore(&proc_lock, flags);
	files_put(files);
	fs_struct_put(fs);
	/* Off the address space before it can go. */
	irq_disable();
	proc_set_mm(p, NULL);
	thread_load(t);
	irq_enable();
	mm_put(mm);
	/* From here on it only wakes its parent (and init, vfork): they may
	 * as well run here, where this task is about to free the CPU. */
	sched_exiting();
	proc_vfork_release(p);

	flags = spin_lock_irqsave(&proc_lock);
	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = init_proc;
		list_add_tail(&c->sibling, &init_proc->children);
		if (c->state == PROC_ZOMBIE)
			wake_init = true;
	}
	p->wstatus = wstatus;
	p->state = PROC_ZOMBIE;
	if (exit_detaches_locked(p)) {
		/* Gone from the tree and from /proc now; the parent's wait
		 * finds one child fewer (-ECHILD once none is left). */
		list_del(&p->sibling);
		list_del(&p->all_node);
		nr_procs--;
		list_add_tail(&p->sibling, &detached);
	}
	jobctl_child_exit_locked(p, wstatus);
	/* Still under proc_lock: the parent cannot reap us before we are
	 * off to task_exit, and task_join covers the rest. */
	wake_up(&p->parent->child_wait);
	if (wake_init)
		wake_up(&init_proc->child_wait);
	spin_unlock_irqrestore(&proc_lock, flags);
	task_exit();
}

static bool wait_match(struct proc *c, int pid, struct proc *me)
{
	if (pid > 0)
		return c->pid == (u32)pid;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->pgid == me->pgid;
	return c->pgid == (u32)-pid;
}

/*
 * Wait for a child matching (pid as wait4) to be a zombie, or to stop or
 * continue if options ask (jobctl.c): 0 and *out (a zombie is unlinked
 * and reaped unless nowait, then only looked at), -ECHILD, 0 with *out
 * NULL for WNOHANG, or -ERESTARTSYS when a signal comes first. times
 * gets the child's CPU time and its children's (user, system cycles).
 */
static long wait_child(int pid, int options, bool nowait, struct proc **out,
		       int *wstatus, u32 *cpid, u64 times[2])
{
	struct proc *me = current_proc(), *c;
	struct wait_entry we = { .task = current_task() };
	unsigned long flags;

	*out = NULL;
	for (;;) {
		bool any = false;

		prepare_to_wait(&me->child_wait, &we);
		flags = spin_lock_irqsave(&proc_lock);
		list_for_each_entry(c, &me->children, sibling) {
			if (!wait_match(c, pid, me))
				continue;
			any = true;
			if (c->state != PROC_ZOMBIE) {
				if (!jobctl_wait_report_locked(c, options, nowait, wstatus))
					continue;
				*cpid = c->pid;
				proc_total_times(c, times);
				spin_unlock_irqrestore(&proc_lock, flags);
				finish_wait(&me->child_wait, &we);
				*out = c;
				return 0;
			}
			*wstatus = c->wstatus;
			*cpid = c->pid;
			if (!nowait) {
				list_del(&c->sibling);
				list_del(&c->all_node);
				nr_procs--;
			}
			spin_unlock_irqrestore(&proc_lock, flags);
			finish_wait(&me->child_wait, &we);
			if (nowait)
				proc_total_times(c, times);
			else
				reap(c, me, times);
			*out = c;
			return 0;
		}
		spin_unlock_irqrestore(&proc_lock, flags);
		if (!any || (options & WNOHANG)) {
			finish_wait(&me->child_wait, &we);
			return any ? 0 : -ECHILD;
		}
		if (signal_pending()) {
			finish_wait(&me->child_wait, &we);
			return -ERESTARTSYS;
		}
		schedule();
	}
}

static u64 cycles_to_ns(u64 cycles)
{
	u64 khz = clock_tsc_khz();

	if (!khz)
		return 0;
	return cycles / khz * 1000000 + cycles % khz * 1000000 / khz;
}

static struct __kernel_old_timeval ns_to_timeval(u64 ns)
{
	return (struct __kernel_old_timeval){ (long)(ns / 1000000000),
					      (long)(ns % 1000000000 / 1000) };
}

void proc_cputime(bool children, u64 *user_ns, u64 *sys_ns)
{
	struct proc *p = current_proc();
	u64 u, s;

	if (children) {
		u = p->child_user_cycles;
		s = p->child_sys_cycles;
	} else {
		proc_thread_times(p->thread, &u, &s);
	}
	*user_ns = cycles_to_ns(u);
	*sys_ns = cycles_to_ns(s);
}

long proc_wait4(int pid, uintptr_t status, int options, uintptr_t rusage)
{
	u64 times[2];
	struct proc *c;
	int wstatus;
	u32 cpid;
	long err;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	err = wait_child(pid, options, false, &c, &wstatus, &cpid, times);
	if (err || !c)
		return err;
	if (status && copy_to_user((void *)status, &wstatus, sizeof(wstatus)))
		return -EFAULT;
	if (rusage) {
		struct rusage ru;

		/* The child's CPU time (with its children's), as Linux's
		 * wait4 gives it; the other fields are not kept. */
		memset(&ru, 0, sizeof(ru));
		ru.ru_utime = ns_to_timeval(cycles_to_ns(times[0]));
		ru.ru_stime = ns_to_timeval(cycles_to_ns(times[1]));
		if (copy_to_user((void *)rusage, &ru, sizeof(ru)))
			return -EFAULT;
	}
	return cpid;
}

long proc_waitid(int idtype, int id, uintptr_t infop, int options)
{
	u64 times[2];
	struct siginfo si;
	struct proc *c;
	int pid, wstatus;
	u32 cpid;
	long err;

	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
	    (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT |
			 __WALL | __WCLONE | __WNOTHREAD)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		pid = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		pid = id ? -id : 0;
		break;
	default:
		return -EINVAL;
	}
	err = wait_child(pid, options, options & WNOWAIT, &c, &wstatus, &cpid, times);
	if (err)
		return err;
	memset(&si, 0, sizeof(si));
	if (c) {
		si.si_signo = SIGCHLD;
		si.si_pid = (int)cpid;
		if ((wstatus & 0xff) == 0x7f) {
			si.si_code = CLD_STOPPED;
			si.si_status = (wstatus >> 8) & 0xff;
		} else if (wstatus == 0xffff) {
			si.si_code = CLD_CONTINUED;
			si.si_status = SIGCONT;
		} else if (wstatus & 0x7f) {
			si.si_code = CLD_KILLED;
			si.si_status = wstatus & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			si.si_status = (wstatus >> 8) & 0xff;
		}
	}
	if (infop && copy_to_user((void *)infop, &si, sizeof(si)))
		return -EFAULT;
	return 0;
}
