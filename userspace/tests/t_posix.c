/*
 * Linux ABI details real programs lean on:
 *  - a parent that ignores SIGCHLD, or sets SA_NOCLDWAIT, leaves no
 *    zombies: its children vanish at exit (from /proc too) and a wait
 *    blocked meanwhile ends with ECHILD once none is left (sigaction(2),
 *    wait(2) NOTES).
 * Plain libc, so it runs unchanged on Linux (as root, for mount).
 */
#include "check.h"
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void set_sigchld(void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
}

/* A child that sleeps ms and exits with code. */
static pid_t child(long ms, int code)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(ms);
		_exit(code);
	}
	CHECK(pid > 0);
	return pid;
}

static bool proc_exists(pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0;
}

/* Numeric entries of /proc: the processes there are. */
static int proc_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

static volatile sig_atomic_t chld_hits;

static void on_chld(int sig)
{
	chld_hits++;
}

static void test_nocldwait(void)
{
	long t0;
	pid_t a, b;
	int status;

	/* SIG_IGN: a blocked wait lasts until the last child is gone, then
	 * ECHILD; nothing is left in /proc. */
	set_sigchld(SIG_IGN, 0);
	a = child(50, 3);
	b = child(250, 4);
	t0 = now_ms();
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK(now_ms() - t0 >= 200);
	CHECK(!proc_exists(a));
	CHECK(!proc_exists(b));
	CHECK_ERR(waitpid(a, &status, WNOHANG), ECHILD);

	/* A child that exits while nobody waits is gone too. */
	a = child(0, 0);
	sleep_ms(150);
	CHECK(!proc_exists(a));
	CHECK_ERR(waitpid(a, &status, WNOHANG), ECHILD);

	/* Many: none is left behind (the kernel frees them as it goes). */
	for (int i = 0; i < 40; i++)
		child(0, 0);
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK(proc_pids() == 1);

	/* SA_NOCLDWAIT with a handler: the handler still hears SIGCHLD
	 * (Linux sends it), and still no zombie. */
	chld_hits = 0;
	set_sigchld(on_chld, SA_NOCLDWAIT | SA_RESTART);
	a = child(50, 5);
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK(!proc_exists(a));
	CHECK(chld_hits == 1);

	/* Back to SIG_DFL: zombies again, reaped by wait with their status. */
	set_sigchld(SIG_DFL, 0);
	a = child(0, 7);
	sleep_ms(100);
	CHECK(proc_exists(a));
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(!proc_exists(a));
}

int main(int argc, char **argv)
{
	check_name = "t_posix";
	if (mount("proc", "/proc", "proc", 0, NULL) && errno != EBUSY)
		CHECK(!"mount /proc");
	test_nocldwait();
	test_done();
}
