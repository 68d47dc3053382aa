/* fork + execve of a static binary + wait, many times. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200;
	char *child[] = { argc > 2 ? argv[2] : "/bench/nop", NULL };
	struct timespec a, b;
	double us;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execve(child[0], child, environ);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status) {
			printf("bench fork+exec+wait: failed at %ld\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3;
	printf("bench fork+exec+wait: %ld runs of %s, %.1f us each\n", n, child[0], us / (double)n);
	return 0;
}
