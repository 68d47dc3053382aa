/*
 * Pipe ping-pong: one byte back and forth between two processes through
 * two pipes, up to N round trips (or BENCH_SECONDS). With ctxsw, both processes are first pinned to
 * CPU 0 (sched_setaffinity), so every hop is a context switch on one CPU;
 * the figure is then per switch (half a round trip). Without it the
 * scheduler places them as it likes (on -smp 2, usually a CPU each).
 *
 *   pipe [N]          BENCH pipe <us per round trip>
 *   pipe ctxsw [N]    BENCH ctxsw <us per switch> pinned=yes|no(reason)
 */
#define _GNU_SOURCE
#include "bench.h"
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int ctxsw = argc > 1 && !strcmp(argv[1], "ctxsw");
	long n = argc > 1 + ctxsw ? atol(argv[1 + ctxsw]) : 200000, done = 0;
	const char *name = ctxsw ? "ctxsw" : "pipe";
	char note[96] = "";
	int ab[2], ba[2], status;
	uint64_t t0, t1;
	char c = 0;
	pid_t pid;

	if (ctxsw) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		/* Inherited by the child across fork. */
		if (sched_setaffinity(0, sizeof(set), &set))
			snprintf(note, sizeof(note), " pinned=no(sched_setaffinity: %s)",
				 strerror(errno));
		else
			snprintf(note, sizeof(note), " pinned=yes");
	}
	if (pipe(ab) || pipe(ba)) {
		bench_na(name, "pipe: %s", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		bench_na(name, "fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		/* Echo until the parent closes its end. */
		close(ab[1]);
		while (read(ab[0], &c, 1) == 1)
			if (write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(ab[0]);
	t0 = bench_now_ns();
	while (done < n) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
			bench_na(name, "pipe I/O failed: %s", strerror(errno));
			return 1;
		}
		if (bench_enough(t0, ++done, 16))
			break;
	}
	t1 = bench_now_ns();
	close(ab[1]);
	if (waitpid(pid, &status, 0) != pid || status) {
		bench_na(name, "child failed (status %#x)", status);
		return 1;
	}
	/* ops: round trips. */
	snprintf(note + strlen(note), sizeof(note) - strlen(note), " ops=%ld", done);
	if (ctxsw)
		bench_result(name, (double)(t1 - t0) / (double)done / 2000.0, "us", note);
	else
		bench_result(name, (double)(t1 - t0) / (double)done / 1000.0, "us", note);
	return 0;
}
