/*
 * A program that execs itself N times (no fork): what exec alone costs,
 * mapping and faulting in the same binary again each time.
 *
 *   execself N      prints "bench exec: N execs, X us each"
 *
 * The start time travels in argv across the execs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 500, left = argc > 2 ? atol(argv[2]) : n;
	long long t0 = argc > 3 ? atoll(argv[3]) : now_ns();
	char left_s[32], t0_s[32];
	char *next[] = { argv[0], argv[1], left_s, t0_s, NULL };

	if (n <= 0)
		return 1;
	if (left == 0) {
		printf("bench exec: %ld execs, %.1f us each\n", n,
		       (double)(now_ns() - t0) / 1e3 / (double)n);
		return 0;
	}
	snprintf(left_s, sizeof(left_s), "%ld", left - 1);
	snprintf(t0_s, sizeof(t0_s), "%lld", t0);
	execve(argv[0], next, environ);
	perror("execself: execve");
	return 1;
}
