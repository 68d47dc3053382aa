/*
 * Processes and the machine-wide calls: fork, vfork, clone (through
 * posix_spawn), execve of static, static-PIE, script, dynamic and broken
 * files, exit statuses through wait4 and waitid, orphans, process groups
 * and sessions, pipes with poll and select, and the small calls musl and
 * busybox need.
 */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
/* A bad pointer the compiler cannot see through. */
static char *volatile bad_ptr = (char *)16;

static int run_status(char *const argv[])
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(100 + errno);
	}
	waitpid(pid, &status, 0);
	return status;
}

static void t_exec(void)
{
	char *hello[] = { "/test/hello", "exit7", NULL };
	char *pie[] = { "/test/hello-pie", "exit7", NULL };
	char *script[] = { "/test/script.sh", "arg1", NULL };
	char *dyn[] = { "/test/dynamic", NULL };
	char *garbage[] = { "/test/garbage", NULL };
	char *dir[] = { "/test", NULL };
	char *none[] = { "/test/none", NULL };
	int st;

	st = run_status(hello);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = run_status(pie);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	st = run_status(script);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	/* Linux would look for the interpreter (ENOENT without one); Vireo
	 * runs static programs only and says ENOEXEC. */
	st = run_status(dyn);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 100 + ENOEXEC);
	st = run_status(garbage);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 100 + ENOEXEC);
	st = run_status(dir);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 100 + EACCES);
	st = run_status(none);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 100 + ENOENT);
	CHECK_ERR(execve("/test/hello", (char **)0xffff800000000000UL, environ), EFAULT);
	CHECK_ERR(execve(bad_ptr, hello, environ), EFAULT);
}

static void t_fork_wait(void)
{
	int status, fds[2];
	siginfo_t si;
	pid_t pid, me = getpid();
	volatile int shared = 0;

	pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 42 : 1);
	CHECK(pid > 0);
	CHECK(wait4(pid, &status, 0, NULL) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	CHECK_ERR(wait4(pid, &status, 0, NULL), ECHILD);
	CHECK_ERR(wait4(-1, &status, WNOHANG, NULL), ECHILD);

	/* WNOHANG with a live child; waitid with WNOWAIT, then for real. */
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		char c;

		read(fds[0], &c, 1);
		_exit(3);
	}
	CHECK(waitpid(pid, &status, WNOHANG) == 0);
	write(fds[1], "x", 1);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0);
	CHECK(si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 3 &&
	      si.si_signo == SIGCHLD);
	CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0 && si.si_pid == pid);
	CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);
	CHECK_ERR(waitid(P_PID, pid, &si, 0), EINVAL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK_ERR(wait4(pid, (int *)0xffff800000000000UL, 0, NULL), EFAULT);
	close(fds[0]);
	close(fds[1]);

	/* vfork: the child borrows our memory until it execs or exits. */
	pid = vfork();
	if (pid == 0) {
		shared = 5;
		_exit(9);
	}
	CHECK(shared == 5);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 9);

	/* posix_spawn: musl's clone(CLONE_VM | CLONE_VFORK) on a new stack. */
	char *argv[] = { "/test/hello", "exit7", NULL };

	CHECK(posix_spawn(&pid, "/test/hello", NULL, NULL, argv, environ) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 7);
}

/* A grandchild whose parent exits is adopted by init. */
static void t_orphan(void)
{
	int fds[2], status;
	pid_t child, ppid = 0;

	CHECK(pipe(fds) == 0);
	child = fork();
	if (child == 0) {
		if (fork() == 0) {
			for (int i = 0; i < 1000 && getppid() != 1; i++)
				usleep(1000);
			ppid = getppid();
			write(fds[1], &ppid, sizeof(ppid));
			_exit(0);
		}
		_exit(0);
	}
	waitpid(child, &status, 0);
	CHECK(read(fds[0], &ppid, sizeof(ppid)) == sizeof(ppid));
	CHECK(ppid == 1);
	close(fds[0]);
	close(fds[1]);
	if (getpid() == 1)              /* we are init: reap the orphan */
		while (wait(&status) > 0)
			;
}

static void t_groups(void)
{
	pid_t pid;
	int status;

	CHECK(getpgid(0) == getpgrp());
	CHECK(getsid(0) >= 0);
	pid = fork();
	if (pid == 0) {
		int ok = setsid() == getpid() && getsid(0) == getpid() &&
			 getpgrp() == getpid();

		ok &= setsid() == -1 && errno == EPERM;        /* already a leader */
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 0);
	int fds[2];
	char c;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		read(fds[0], &c, 1);
		_exit(getpgrp() == getpid() ? 0 : 1);
	}
	CHECK(setpgid(pid, pid) == 0);
	CHECK(getpgid(pid) == pid);
	CHECK_ERR(setpgid(99999, 0), ESRCH);
	CHECK_ERR(getpgid(99999), ESRCH);
	CHECK_ERR(setpgid(0, -1), EINVAL);
	write(fds[1], "x", 1);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 0);
	close(fds[0]);
	close(fds[1]);
}

static void t_pipes(void)
{
	int fds[2], status;
	struct pollfd pfd[2];
	fd_set rs;
	struct timeval tv = { 0, 1000 };
	char buf[100000];
	pid_t pid;
	ssize_t n, total = 0;

	CHECK(pipe2(fds, O_CLOEXEC) == 0);
	CHECK(fcntl(fds[0], F_GETFD) == FD_CLOEXEC);
	pfd[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	CHECK(poll(pfd, 2, 0) == 1 && pfd[1].revents == POLLOUT && !pfd[0].revents);
	FD_ZERO(&rs);
	FD_SET(fds[0], &rs);
	CHECK(select(fds[0] + 1, &rs, NULL, NULL, &tv) == 0);
	/* A writer child: poll wakes when data arrives. */
	pid = fork();
	if (pid == 0) {
		memset(buf, 'p', sizeof(buf));
		usleep(20000);
		_exit(write(fds[1], buf, sizeof(buf)) == sizeof(buf) ? 0 : 1);
	}
	close(fds[1]);
	pfd[0].revents = 0;
	CHECK(poll(pfd, 1, 5000) == 1 && (pfd[0].revents & POLLIN));
	FD_ZERO(&rs);
	FD_SET(fds[0], &rs);
	CHECK(select(fds[0] + 1, &rs, NULL, NULL, NULL) == 1 && FD_ISSET(fds[0], &rs));
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		total += n;
	CHECK(total == sizeof(buf));                    /* more than the pipe holds */
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 0);
	pfd[0].revents = 0;
	CHECK(poll(pfd, 1, 0) == 1 && (pfd[0].revents & POLLHUP));
	close(fds[0]);
	/* No reader: EPIPE. Nonblocking empty read: EAGAIN. */
	CHECK(pipe2(fds, O_NONBLOCK) == 0);
	CHECK_ERR(read(fds[0], buf, 1), EAGAIN);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
	close(fds[1]);
	CHECK_ERR(pipe((int *)0xffff800000000000UL), EFAULT);
	CHECK(pipe(fds) == 0);
	CHECK_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR(pread(fds[0], buf, 1, 0), ESPIPE);
	close(fds[0]);
	close(fds[1]);
}

static void t_misc(void)
{
	struct utsname u;
	struct timespec a, b, res;
	struct timeval tv;
	struct sysinfo si;
	struct rlimit rl;
	struct rusage ru;
	struct termios tio;
	unsigned char r1[32], r2[32];
	sigset_t set, old;
	struct sigaction sa, osa;
	unsigned long fs;

	CHECK(uname(&u) == 0 && !strcmp(u.machine, "x86_64"));
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	CHECK(getpid() > 0 && syscall(SYS_gettid) == getpid());
	CHECK(getrandom(r1, sizeof(r1), 0) == sizeof(r1));
	CHECK(getrandom(r2, sizeof(r2), GRND_NONBLOCK) == sizeof(r2));
	CHECK(memcmp(r1, r2, sizeof(r1)));
	CHECK_ERR(getrandom(r1, 4, 0x100), EINVAL);
	CHECK_ERR(getrandom((void *)0xffff800000000000UL, 4, 0), EFAULT);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(nanosleep(&(struct timespec){ 0, 20000000 }, NULL) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
	CHECK((b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec >= 20000000L);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){ 0, 1000 }, NULL) == 0);
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= a.tv_sec);
	CHECK(time(NULL) >= a.tv_sec);
	CHECK_ERR(clock_gettime(1234, &a), EINVAL);
	CHECK_ERR(nanosleep(&(struct timespec){ 0, 2000000000L }, NULL), EINVAL);
	CHECK(sched_yield() == 0);
	CHECK(sysinfo(&si) == 0 && si.totalram > 0 && si.freeram > 0 && si.procs >= 1);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0);
	rl.rlim_cur = 64;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(fcntl(0, F_DUPFD, 64) == -1 && errno == EINVAL);
	rl.rlim_cur = 1024;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(prlimit(0, RLIMIT_STACK, NULL, &rl) == 0 && rl.rlim_cur == 8 << 20);
	CHECK_ERR(prlimit(0, 999, NULL, &rl), EINVAL);
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0);
	CHECK_ERR(getrusage(7, &ru), EINVAL);
	/* Signal bookkeeping: what was set is what is read back. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0 && sigismember(&old, SIGUSR1));
	sigaddset(&set, SIGKILL);
	CHECK(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &old) == 0 && !sigismember(&old, SIGKILL));
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR2, NULL, &osa) == 0 && osa.sa_handler == SIG_IGN);
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(100, &sa, NULL), EINVAL);
	CHECK(syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs) == 0 && fs != 0);
	CHECK_ERR(syscall(SYS_arch_prctl, 0x1002, 0xffff800000000000UL), EPERM);
	CHECK(syscall(SYS_set_tid_address, NULL) == getpid());
	CHECK_ERR(syscall(1000), ENOSYS);
	CHECK_ERR(syscall(SYS_reboot, 1, 2, 3, NULL), EINVAL);
	CHECK_ERR(ioctl(99, TCGETS, &tio), EBADF);
}

int main(void)
{
	check_name = "t_proc";
	t_exec();
	t_fork_wait();
	t_orphan();
	t_groups();
	t_pipes();
	t_misc();
	test_done();
}
