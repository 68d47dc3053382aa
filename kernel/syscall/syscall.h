/*
 * The Linux x86-64 system call interface: numbers from asm/unistd_64.h,
 * arguments in RDI, RSI, RDX, R10, R8, R9, the result (or -errno) in RAX.
 *
 * A system call is written once with SYSCALL_DEFINEn(name, type, arg, ...),
 * which defines sys_<name>(struct trap_frame *) unpacking the registers;
 * the body sees its typed arguments and `frame` (the saved user
 * registers, for fork, exec and friends). SYSCALL_LIST names every
 * implemented call once; the table (table.c) is built from it. A number
 * with no entry returns -ENOSYS and is logged the first time it is seen.
 */
#ifndef VIREO_SYSCALL_SYSCALL_H
#define VIREO_SYSCALL_SYSCALL_H

#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/types.h"

/* From syscall_entry.S (via syscall_entry_c): run the call in frame->rax
 * and store the result there. */
void syscall_dispatch(struct trap_frame *f);

#define SC_A1(f) ((f)->rdi)
#define SC_A2(f) ((f)->rsi)
#define SC_A3(f) ((f)->rdx)
#define SC_A4(f) ((f)->r10)
#define SC_A5(f) ((f)->r8)
#define SC_A6(f) ((f)->r9)

#define SYSCALL_DEFINE0(name)                                                 \
	long sys_##name(struct trap_frame *frame)

#define SYSCALL_DEFINE1(name, t1, a1)                                         \
	static long do_sys_##name(struct trap_frame *frame, t1 a1);          \
	long sys_##name(struct trap_frame *frame)                             \
	{                                                                     \
		return do_sys_##name(frame, (t1)SC_A1(frame));                \
	}                                                                     \
	static long do_sys_##name(struct trap_frame *frame, t1 a1)

#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                                 \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2);   \
	long sys_##name(struct trap_frame *frame)                             \
	{                                                                     \
		return do_sys_##name(frame, (t1)SC_A1(frame), (t2)SC_A2(frame)); \
	}                                                                     \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2)

#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                         \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3); \
	long sys_##name(struct trap_frame *frame)                             \
	{                                                                     \
		return do_sys_##name(frame, (t1)SC_A1(frame), (t2)SC_A2(frame), \
				     (t3)SC_A3(frame));                       \
	}                                                                     \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3)

#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                 \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3, \
				  t4 a4);                                     \
	long sys_##name(struct trap_frame *frame)                             \
	{                                                                     \
		return do_sys_##name(frame, (t1)SC_A1(frame), (t2)SC_A2(frame), \
				     (t3)SC_A3(frame), (t4)SC_A4(frame));     \
	}                                                                     \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3, t4 a4)

#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)         \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3, \
				  t4 a4, t5 a5);                              \
	long sys_##name(struct trap_frame *frame)                             \
	{                                                                     \
		return do_sys_##name(frame, (t1)SC_A1(frame), (t2)SC_A2(frame), \
				     (t3)SC_A3(frame), (t4)SC_A4(frame),      \
				     (t5)SC_A5(frame));                       \
	}                                                                     \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3, \
				  t4 a4, t5 a5)

#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3, \
				  t4 a4, t5 a5, t6 a6);                       \
	long sys_##name(struct trap_frame *frame)                             \
	{                                                                     \
		return do_sys_##name(frame, (t1)SC_A1(frame), (t2)SC_A2(frame), \
				     (t3)SC_A3(frame), (t4)SC_A4(frame),      \
				     (t5)SC_A5(frame), (t6)SC_A6(frame));     \
	}                                                                     \
	static long do_sys_##name(struct trap_frame *frame, t1 a1, t2 a2, t3 a3, \
				  t4 a4, t5 a5, t6 a6)

/* Every implemented call, by its asm/unistd_64.h name. */
#define SYSCALL_LIST(X)                                                       \
	/* processes: sys_proc.c */                                           \
	X(fork) X(vfork) X(clone) X(execve) X(exit) X(exit_group) X(wait4)    \
	X(waitid) X(getpid) X(getppid) X(gettid) X(setpgid) X(getpgid)        \
	X(getpgrp) X(setsid) X(getsid) X(set_tid_address) X(set_robust_list)  \
	X(arch_prctl) X(getuid) X(geteuid)                                    \
	X(getgid) X(getegid) X(setuid) X(setgid) X(getresuid) X(getresgid)    \
	X(getgroups) X(prlimit64) X(getrlimit) X(setrlimit) X(getrusage) X(times) \
	X(sched_yield) X(prctl) X(sched_setaffinity) X(sched_getaffinity)     \
	X(getcpu)                                                             \
	/* signals: sys_signal.c */                                           \
	X(rt_sigaction) X(rt_sigprocmask) X(rt_sigpending) X(rt_sigsuspend)   \
	X(rt_sigreturn) X(restart_syscall) X(pause) X(sigaltstack) X(kill)    \
	X(tkill) X(tgkill) X(alarm) X(setitimer) X(getitimer)                 \
	/* memory: sys_mm.c */                                                \
	X(brk) X(mmap) X(munmap) X(mprotect) X(madvise)                       \
	/* the rest of the machine: sys_misc.c */                             \
	X(uname) X(sysinfo) X(reboot) X(getrandom) X(clock_gettime)           \
	X(clock_getres) X(gettimeofday) X(nanosleep) X(clock_nanosleep)       \
	X(time)                                                               \
	/* files: sys_fs.c, sys_fd.c */                                       \
	X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64) X(open)    \
	X(openat) X(creat) X(close) X(lseek) X(dup) X(dup2) X(dup3) X(fcntl)  \
	X(ioctl) X(getdents64) X(stat) X(fstat) X(lstat) X(newfstatat)        \
	X(statx) X(mkdir) X(mkdirat) X(rmdir) X(unlink) X(unlinkat)          \
	X(rename) X(renameat) X(renameat2) X(link) X(linkat) X(symlink)       \
	X(symlinkat) X(readlink) X(readlinkat) X(chdir) X(fchdir) X(getcwd)   \
	X(umask) X(chmod) X(fchmod) X(fchmodat) X(chown) X(fchown) X(lchown)  \
	X(fchownat) X(access) X(faccessat) X(faccessat2) X(truncate)          \
	X(ftruncate) X(fsync) X(fdatasync) X(sync) X(mount) X(umount2)        \
	X(utimensat) X(mknod) X(mknodat) X(statfs) X(chroot) X(sendfile)     \
	/* pipes and polling: sys_pipe.c */                                   \
	X(pipe) X(pipe2) X(poll) X(ppoll) X(select) X(pselect6)            \
	/* sockets: sys_socket.c */                                           \
	X(socket) X(socketpair) X(bind) X(listen) X(accept) X(accept4)        \
	X(connect) X(sendto) X(recvfrom) X(sendmsg) X(recvmsg) X(shutdown)    \
	X(getsockname) X(getpeername) X(setsockopt) X(getsockopt)

#define SYSCALL_DECLARE(name) long sys_##name(struct trap_frame *frame);
SYSCALL_LIST(SYSCALL_DECLARE)
#undef SYSCALL_DECLARE

#endif
