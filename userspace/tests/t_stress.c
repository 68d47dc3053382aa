/*
 * Leaks and limits: 200 sequential fork/exec/wait cycles and 50
 * concurrent processes must leave free memory where it was; a fork bomb
 * must end in EAGAIN or ENOMEM with the system still working.
 *
 * Free memory comes from sysinfo(2). Kernel caches (slab pages kept for
 * reuse) may hold a few pages after the first round, so the baseline is
 * taken after a warm-up round of the same work.
 */
#include "check.h"
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLACK_PAGES 16          /* slab pages a cache may keep warm */

extern char **environ;

static long free_pages(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return (long)(si.freeram * si.mem_unit / 4096);
}

static int fork_exec_wait(void)
{
	char *argv[] = { "/test/hello", "-q", NULL };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

static int sequential(int n)
{
	int failed = 0;

	for (int i = 0; i < n; i++)
		failed += fork_exec_wait() != 0;
	return failed;
}

/* n children alive at once (each blocked on a pipe), then all released. */
static int concurrent(int n)
{
	int fds[2], failed = 0, status;
	pid_t pids[64];

	if (pipe(fds))
		return n;
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c;

			close(fds[1]);
			read(fds[0], &c, 1);    /* EOF when the parent closes */
			execl("/test/hello", "hello", "-q", (char *)NULL);
			_exit(127);
		}
		failed += pids[i] < 0;
	}
	close(fds[0]);
	close(fds[1]);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0 && (waitpid(pids[i], &status, 0) != pids[i] ||
				    !WIFEXITED(status) || WEXITSTATUS(status)))
			failed++;
	return failed;
}

/* Every process forks until fork fails; each failure is reported on the
 * pipe as 'A' (EAGAIN/ENOMEM) or 'X' (anything else). */
static void bomb(int report)
{
	for (;;) {
		pid_t pid = fork();

		if (pid < 0) {
			char c = errno == EAGAIN || errno == ENOMEM ? 'A' : 'X';

			write(report, &c, 1);
			_exit(0);
		}
	}
}

static void t_forkbomb(void)
{
	int fds[2], status, agains = 0, others = 0;
	pid_t root;
	char buf[256];
	ssize_t n;

	CHECK(pipe(fds) == 0);
	root = fork();
	if (root == 0) {
		close(fds[0]);
		bomb(fds[1]);
	}
	close(fds[1]);
	/* Everything the bomb made is our child or adopted by init (us, if
	 * we are PID 1): reap until nothing is left. */
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			buf[i] == 'A' ? agains++ : others++;
	close(fds[0]);
	waitpid(root, &status, 0);
	while (wait(&status) > 0)
		;
	printf("t_stress: fork bomb: %d forks failed with EAGAIN/ENOMEM, %d otherwise\n",
	       agains, others);
	CHECK(agains > 0 && others == 0);
	CHECK(fork_exec_wait() == 0);   /* still alive and well */
}

int main(void)
{
	long base, after;

	check_name = "t_stress";
	CHECK(sequential(10) == 0);
	CHECK(concurrent(50) == 0);
	base = free_pages();
	CHECK(sequential(200) == 0);
	after = free_pages();
	printf("t_stress: 200 fork/exec/wait: free pages %ld before, %ld after\n", base, after);
	CHECK(after >= base - SLACK_PAGES);
	CHECK(concurrent(50) == 0);
	after = free_pages();
	printf("t_stress: 50 concurrent: free pages %ld before, %ld after\n", base, after);
	CHECK(after >= base - SLACK_PAGES);
	if (getpid() == 1) {
		t_forkbomb();
		after = free_pages();
		printf("t_stress: after the fork bomb: free pages %ld (baseline %ld)\n", after, base);
		CHECK(after >= base - SLACK_PAGES);
	}
	test_done();
}
