/*
 * fork + execve + wait4 of a static binary (nop), up to N times (or
 * BENCH_SECONDS): what a shell pays for every command. With "exit" the
 * child exits at once instead of exec'ing, which separates the cost of
 * fork and teardown from that of exec.
 *
 *   forkexec [N] [PROG]    BENCH forkexec <us>
 *   forkexec exit [N]      BENCH forkexit <us>
 */
#include "bench.h"
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int no_exec = argc > 1 && !strcmp(argv[1], "exit");
	const char *name = no_exec ? "forkexit" : "forkexec";
	long n = argc > 1 + no_exec ? atol(argv[1 + no_exec]) : 2000, done = 0;
	const char *prog = argc > 2 && !no_exec ? argv[2] : "/bin/nop";
	char *const child_argv[] = { (char *)prog, NULL };
	uint64_t t0, t1;
	char ops[32];

	t0 = bench_now_ns();
	while (done < n) {
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			bench_na(name, "fork: %s", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			if (!no_exec)
				execv(prog, child_argv);
			_exit(no_exec ? 0 : 127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			bench_na(name, "child did not exit 0 (status %#x)", status);
			return 1;
		}
		if (bench_enough(t0, ++done, 1))
			break;
	}
	t1 = bench_now_ns();
	snprintf(ops, sizeof(ops), " ops=%ld", done);
	bench_result(name, (double)(t1 - t0) / (double)done / 1000.0, "us", ops);
	return 0;
}
