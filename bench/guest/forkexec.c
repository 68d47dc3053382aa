/*
 * fork + execve + wait4 of a static binary (nop), up to N times (or
 * BENCH_SECONDS): what a shell pays for every command.
 */
#include "bench.h"
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, done = 0;
	const char *prog = argc > 2 ? argv[2] : "/bin/nop";
	char *const child_argv[] = { (char *)prog, NULL };
	uint64_t t0, t1;

	t0 = bench_now_ns();
	while (done < n) {
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			bench_na("forkexec", "fork: %s", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			execv(prog, child_argv);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			bench_na("forkexec", "%s did not exit 0 (status %#x)", prog, status);
			return 1;
		}
		if (bench_enough(t0, ++done, 1))
			break;
	}
	t1 = bench_now_ns();
	bench_result("forkexec", (double)(t1 - t0) / (double)done / 1000.0, "us", "");
	return 0;
}
