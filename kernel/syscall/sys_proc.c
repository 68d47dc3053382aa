/* Process system calls: thin wrappers over kernel/proc (see syscall.h). */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/user.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "vfs/vfs.h"
#include <asm/prctl.h>
#include <asm/signal.h>
#include <linux/resource.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/time_types.h>
#include <linux/times.h>
#include <asm/param.h>

SYSCALL_DEFINE0(fork)
{
	return proc_clone(SIGCHLD, 0, 0, 0, 0, frame);
}

SYSCALL_DEFINE0(vfork)
{
	return proc_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, frame);
}

/* x86-64 argument order: flags, newsp, parent_tid, child_tid, tls. */
SYSCALL_DEFINE5(clone, u64, flags, uintptr_t, newsp, uintptr_t, parent_tid,
		uintptr_t, child_tid, u64, tls)
{
	return proc_clone(flags, newsp, parent_tid, child_tid, tls, frame);
}

SYSCALL_DEFINE3(execve, const char *, path, const char *const *, argv,
		const char *const *, envp)
{
	return proc_execve(path, argv, envp, true, frame);
}

SYSCALL_DEFINE1(exit, int, code)
{
	proc_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	proc_exit((code & 0xff) << 8);
}

SYSCALL_DEFINE4(wait4, int, pid, uintptr_t, status, int, options, uintptr_t, rusage)
{
	return proc_wait4(pid, status, options, rusage);
}

SYSCALL_DEFINE5(waitid, int, idtype, int, id, uintptr_t, infop, int, options,
		uintptr_t, rusage)
{
	return proc_waitid(idtype, id, infop, options);
}

SYSCALL_DEFINE0(getpid)
{
	return current_proc()->pid;
}

SYSCALL_DEFINE0(gettid)
{
	return current_proc()->pid;
}

SYSCALL_DEFINE0(getppid)
{
	return proc_getppid();
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	return proc_setpgid(pid, pgid);
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	return proc_getpgid(pid);
}

SYSCALL_DEFINE0(getpgrp)
{
	return proc_getpgid(0);
}

SYSCALL_DEFINE0(setsid)
{
	return proc_setsid();
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	return proc_getsid(pid);
}

SYSCALL_DEFINE1(set_tid_address, uintptr_t, tidptr)
{
	current_thread()->clear_child_tid = tidptr;
	return current_proc()->pid;
}

/* The robust futex list matters only with threads and futexes, which
 * this kernel does not have yet; the pointer is accepted as Linux does. */
SYSCALL_DEFINE2(set_robust_list, uintptr_t, head, size_t, len)
{
	return len == 3 * sizeof(u64) ? 0 : -EINVAL;
}

SYSCALL_DEFINE2(arch_prctl, int, code, u64, addr)
{
	struct thread *t = current_thread();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_END)
			return -EPERM;
		t->fs_base = addr;
		user_set_fs_base(addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user((void *)addr, &t->fs_base, sizeof(t->fs_base));
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE0(getuid)
{
	return current_proc()->uid;
}

SYSCALL_DEFINE0(geteuid)
{
	return current_proc()->euid;
}

SYSCALL_DEFINE0(getgid)
{
	return current_proc()->gid;
}

SYSCALL_DEFINE0(getegid)
{
	return current_proc()->egid;
}

/* Root may become anyone; others only what they already are (Linux's
 * rules without capabilities beyond uid 0). */
SYSCALL_DEFINE1(setuid, u32, uid)
{
	struct proc *p = current_proc();

	if (p->euid == 0)
		p->uid = p->euid = p->suid = uid;
	else if (uid == p->uid || uid == p->suid)
		p->euid = uid;
	else
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE1(setgid, u32, gid)
{
	struct proc *p = current_proc();

	if (p->euid == 0)
		p->gid = p->egid = p->sgid = gid;
	else if (gid == p->gid || gid == p->sgid)
		p->egid = gid;
	else
		return -EPERM;
	return 0;
}

SYSCALL_DEFINE3(getresuid, u32 *, r, u32 *, e, u32 *, s)
{
	struct proc *p = current_proc();

	if (copy_to_user(r, &p->uid, 4) || copy_to_user(e, &p->euid, 4) ||
	    copy_to_user(s, &p->suid, 4))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresgid, u32 *, r, u32 *, e, u32 *, s)
{
	struct proc *p = current_proc();

	if (copy_to_user(r, &p->gid, 4) || copy_to_user(e, &p->egid, 4) ||
	    copy_to_user(s, &p->sgid, 4))
		return -EFAULT;
	return 0;
}

/* No supplementary groups. */
SYSCALL_DEFINE2(getgroups, int, size, u32 *, list)
{
	return size < 0 ? -EINVAL : 0;
}

static long do_prlimit(int pid, unsigned res, const struct rlimit64 *new,
		       struct rlimit64 *old)
{
	struct proc *p = current_proc();
	struct rlimit64 n;

	if (pid && (u32)pid != p->pid)
		return -ESRCH;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (new) {
		if (copy_from_user(&n, new, sizeof(n)))
			return -EFAULT;
		if (n.rlim_cur > n.rlim_max)
			return -EINVAL;
		if (n.rlim_max > p->rlimit[res].rlim_max && p->euid != 0)
			return -EPERM;
	}
	if (old && copy_to_user(old, &p->rlimit[res], sizeof(*old)))
		return -EFAULT;
	if (new) {
		if (res == RLIMIT_NOFILE) {
			if (n.rlim_cur > FILES_HARD_MAX)
				return -EPERM;
			if (files_set_limit(p->files, (u32)n.rlim_cur))
				return -EINVAL;
		}
		p->rlimit[res] = n;
	}
	return 0;
}

SYSCALL_DEFINE4(prlimit64, int, pid, unsigned, res, const struct rlimit64 *, new,
		struct rlimit64 *, old)
{
	return do_prlimit(pid, res, new, old);
}

/* struct rlimit and rlimit64 agree on x86-64 (two 64-bit words). */
_Static_assert(sizeof(struct rlimit) == sizeof(struct rlimit64), "rlimit");

SYSCALL_DEFINE2(getrlimit, unsigned, res, struct rlimit64 *, old)
{
	return do_prlimit(0, res, NULL, old);
}

SYSCALL_DEFINE2(setrlimit, unsigned, res, const struct rlimit64 *, new)
{
	return do_prlimit(0, res, new, NULL);
}

static struct __kernel_old_timeval ns_to_timeval(u64 ns)
{
	return (struct __kernel_old_timeval){ (long)(ns / NSEC_PER_SEC),
					      (long)(ns % NSEC_PER_SEC / 1000) };
}

/* CPU times only: the other fields are not kept (zero). A process is one
 * thread, so RUSAGE_THREAD is RUSAGE_SELF. */
SYSCALL_DEFINE2(getrusage, int, who, struct rusage *, ru)
{
	struct rusage r;
	u64 user, sys;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	proc_cputime(who == RUSAGE_CHILDREN, &user, &sys);
	r.ru_utime = ns_to_timeval(user);
	r.ru_stime = ns_to_timeval(sys);
	return copy_to_user(ru, &r, sizeof(r));
}

static __kernel_clock_t ns_to_clock_t(u64 ns)
{
	return (__kernel_clock_t)(ns / (NSEC_PER_SEC / HZ));
}

/* Clock ticks (USER_HZ, asm/param.h's HZ) since boot, and the process's
 * and its waited-for children's user and system time in ticks. */
SYSCALL_DEFINE1(times, struct tms *, ubuf)
{
	struct tms t;
	u64 user, sys;

	if (ubuf) {
		proc_cputime(false, &user, &sys);
		t.tms_utime = ns_to_clock_t(user);
		t.tms_stime = ns_to_clock_t(sys);
		proc_cputime(true, &user, &sys);
		t.tms_cutime = ns_to_clock_t(user);
		t.tms_cstime = ns_to_clock_t(sys);
		if (copy_to_user(ubuf, &t, sizeof(t)))
			return -EFAULT;
	}
	return ns_to_clock_t(ktime_get());
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield();
	return 0;
}

/*
 * CPU affinity, as Linux's x86-64 system calls (not the libc wrappers):
 * the kernel's mask is sched_cpumask_words() longs. set takes len bytes
 * (missing bytes are zero, bytes past the kernel's mask ignored); get
 * wants room for a bit per CPU in whole longs and returns the bytes it
 * wrote.
 */
SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned int, len, const void *, umask)
{
	size_t size = sched_cpumask_words() * sizeof(u64);
	u64 *mask = kzalloc(size, GFP_KERNEL);
	long err;

	if (!mask)
		return -ENOMEM;
	err = copy_from_user(mask, umask, MIN((size_t)len, size));
	if (!err)
		err = proc_set_affinity(pid, &mask);
	kfree(mask);
	return err;
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned int, len, void *, umask)
{
	size_t size = sched_cpumask_words() * sizeof(u64);
	u64 *mask;
	long err;

	if ((u64)len * 8 < cpu_count() || len % sizeof(long))
		return -EINVAL;
	mask = kzalloc(size, GFP_KERNEL);
	if (!mask)
		return -ENOMEM;
	err = proc_get_affinity(pid, mask);
	if (!err)
		err = copy_to_user(umask, mask, MIN((size_t)len, size));
	kfree(mask);
	return err ? err : (long)MIN((size_t)len, size);
}

/* The CPU this ran on a moment ago; one NUMA node (musl's sched_getcpu
 * comes here when there is no vDSO). */
SYSCALL_DEFINE3(getcpu, unsigned int *, cpu, unsigned int *, node, void *, cache)
{
	unsigned int id = (unsigned int)READ_ONCE(current_task()->cpu), zero = 0;

	if (cpu && copy_to_user(cpu, &id, sizeof(id)))
		return -EFAULT;
	if (node && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}

/* prctl: the process name (busybox and glibc set it); nothing else yet. */
SYSCALL_DEFINE5(prctl, int, option, unsigned long, a2, unsigned long, a3,
		unsigned long, a4, unsigned long, a5)
{
	struct proc *p = current_proc();
	char name[PROC_COMM_LEN];
	long n;

	switch (option) {
	case PR_SET_NAME:
		n = strncpy_from_user(name, (const char *)a2, sizeof(name));
		if (n < 0)
			return n;
		name[sizeof(name) - 1] = '\0';
		memcpy(p->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user((void *)a2, p->comm, sizeof(p->comm));
	default:
		return -EINVAL;
	}
}
