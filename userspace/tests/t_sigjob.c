/*
 * Job control and default actions: stop and continue (wait4 WUNTRACED and
 * WCONTINUED, waitid WSTOPPED, the parent's SIGCHLD codes), a signal sent
 * to a stopped process arrives after SIGCONT, SIGKILL ends a stopped one,
 * a sleep stopped and continued goes on to its full length, SIGPIPE,
 * process groups, and SIGTTIN for a background read of the terminal.
 * Plain libc, so it runs unchanged on Linux.
 */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t chld_code, chld_status, chld_pid, chld_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_pid = si->si_pid;
	chld_count++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait for a SIGCHLD with this code (the handler runs in between). */
static int chld_wait(int code)
{
	for (int i = 0; i < 200 && chld_code != code; i++)
		msleep(5);
	return chld_code == code;
}

/* ---- stop and continue ------------------------------------------------- */

static int usr1_pipe;

static void on_usr1_child(int sig)
{
	char c = 'U';

	if (write(usr1_pipe, &c, 1) != 1)
		_exit(9);
}

static void test_stop_continue(void)
{
	int fds[2], status;
	struct pollfd pfd;
	siginfo_t si;
	char c;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	/* A job of its own, as a shell starts one: SIGTSTP stops only
	 * members of a group that is not orphaned. */
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		usr1_pipe = fds[1];
		signal(SIGUSR1, on_usr1_child);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	msleep(20);
	chld_code = 0;
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &status, WUNTRACED) == pid);
	CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	CHECK(chld_wait(CLD_STOPPED));
	CHECK(chld_pid == pid && chld_status == SIGSTOP);
	/* Reported once: no second report without a new stop. */
	CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0);

	/* A signal to the stopped process waits for SIGCONT. */
	CHECK(kill(pid, SIGUSR1) == 0);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	CHECK(poll(&pfd, 1, 100) == 0);
	CHECK(kill(pid, SIGCONT) == 0);
	/* The parent's SIGCHLD (CLD_CONTINUED) may interrupt the poll. */
	int r;
	while ((r = poll(&pfd, 1, 2000)) < 0 && errno == EINTR)
		;
	CHECK(r == 1);
	CHECK(read(fds[0], &c, 1) == 1 && c == 'U');
	CHECK(waitpid(pid, &status, WCONTINUED) == pid);
	CHECK(WIFCONTINUED(status));
	CHECK(chld_wait(CLD_CONTINUED));
	CHECK(chld_status == SIGCONT);

	/* SIGTSTP stops too; waitid sees it as CLD_STOPPED. */
	CHECK(kill(pid, SIGTSTP) == 0);
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, pid, &si, WSTOPPED) == 0);
	CHECK(si.si_pid == pid && si.si_code == CLD_STOPPED && si.si_status == SIGTSTP);

	/* SIGTERM waits for SIGCONT too (as on Linux: only SIGKILL ends a
	 * stopped process, see the SIGTTIN test), then kills. */
	CHECK(kill(pid, SIGTERM) == 0);
	msleep(50);
	CHECK(waitpid(pid, &status, WNOHANG) == 0);
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	/* (Its SIGCHLD may merge with the pending CLD_CONTINUED one: a
	 * second instance of a pending signal is not queued.) */
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	close(fds[0]);
	close(fds[1]);
}

/* A 300 ms sleep, stopped and continued in the middle, without handlers:
 * it restarts (restart_syscall) and lasts its full length, no more. */
static void test_sleep_restart(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = { 0, 300000000 };
		long t0 = now_ms();

		if (nanosleep(&ts, NULL) != 0)
			_exit(2);
		t0 = now_ms() - t0;
		_exit(t0 < 290 ? 3 : t0 > 1500 ? 4 : 0);
	}
	msleep(50);
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));
	msleep(50);
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- default actions ------------------------------------------------------ */

static int die_of(int sig, int ignore)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (ignore)
			signal(sig, SIG_IGN);
		kill(getpid(), sig);
		_exit(7);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static void test_defaults(void)
{
	int status;

	chld_code = 0;
	status = die_of(SIGTERM, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM && !WCOREDUMP(status));
	CHECK(chld_wait(CLD_KILLED) && chld_status == SIGTERM);
	/* A core-dumping signal terminates; no core, so no WCOREDUMP. */
	status = die_of(SIGQUIT, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGQUIT && !WCOREDUMP(status));
	status = die_of(SIGRTMIN + 3, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGRTMIN + 3);
	/* Ignored by default, or by SIG_IGN: the child goes on to exit 7. */
	chld_code = 0;
	status = die_of(SIGWINCH, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(chld_wait(CLD_EXITED) && chld_status == 7);
	status = die_of(SIGCHLD, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	status = die_of(SIGTERM, 1);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

/* ---- SIGPIPE ----------------------------------------------------------- */

static void test_sigpipe(void)
{
	int fds[2], status;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	close(fds[0]);
	pid = fork();
	if (pid == 0) {
		if (write(fds[1], "x", 1) < 0)
			_exit(errno == EPIPE ? 8 : 9);
		_exit(10);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
	/* Ignored: the write fails with EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(fds[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
}

/* ---- process groups ----------------------------------------------------- */

static void test_groups(void)
{
	pid_t a, b;
	int status;

	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	b = fork();
	if (b == 0) {
		for (;;)
			pause();
	}
	CHECK(setpgid(a, a) == 0 || errno == EACCES);
	CHECK(setpgid(b, a) == 0);
	msleep(20);
	CHECK(kill(-a, SIGTERM) == 0);
	CHECK(waitpid(a, &status, 0) == a && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK(waitpid(b, &status, 0) == b && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK_ERR(kill(-a, SIGTERM), ESRCH);

	/* kill(0, sig): the caller's own group (a child in a group of its own). */
	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		kill(0, SIGUSR2);
		_exit(1);
	}
	CHECK(waitpid(a, &status, 0) == a && WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR2);
}

/* ---- the terminal: SIGTTIN for a background reader ------------------------- */

static void test_ttin(void)
{
	int status;
	pid_t leader = fork();

	if (leader == 0) {
		pid_t bg;

		/* A session with the console as its terminal; a child in a
		 * background group reads it and stops on SIGTTIN. */
		if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
			_exit(20);
		if (tcgetpgrp(0) != getpid())
			_exit(21);
		bg = fork();
		if (bg == 0) {
			char c;

			setpgid(0, 0);
			(void)!read(0, &c, 1);
			_exit(22);
		}
		setpgid(bg, bg);
		if (waitpid(bg, &status, WUNTRACED) != bg)
			_exit(23);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTTIN)
			_exit(24);
		kill(bg, SIGKILL);
		waitpid(bg, &status, 0);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			_exit(25);
		/* Ignoring SIGTTIN: the read fails with EIO instead. */
		bg = fork();
		if (bg == 0) {
			char c;

			setpgid(0, 0);
			signal(SIGTTIN, SIG_IGN);
			_exit(read(0, &c, 1) < 0 && errno == EIO ? 0 : 26);
		}
		setpgid(bg, bg);
		if (waitpid(bg, &status, 0) != bg || !WIFEXITED(status))
			_exit(27);
		_exit(WEXITSTATUS(status));
	}
	CHECK(waitpid(leader, &status, 0) == leader);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("t_sigjob: terminal session: status %#x\n", status);
		check_failures++;
	}
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_chld, .sa_flags = SA_SIGINFO | SA_RESTART };

	check_name = "t_sigjob";
	/* As PID 1 our children's group would be orphaned (their parent is
	 * init), where terminal stops are ignored: run the tests a level
	 * down, in a group of their own, as a shell runs a job. */
	if (getpid() == 1) {
		int status;
		pid_t pid = fork();

		if (pid > 0) {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
		setpgid(0, 0);
	}
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
	test_stop_continue();
	test_sleep_restart();
	test_defaults();
	test_sigpipe();
	test_groups();
	if (isatty(0))
		test_ttin();
	else
		printf("t_sigjob: stdin is not a terminal, SIGTTIN not tested\n");
	test_done();
}
