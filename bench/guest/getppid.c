/*
 * getppid round trip: the cheapest real system call, up to N times (or
 * BENCH_SECONDS).
 */
#include "bench.h"
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000, done = 0;
	uint64_t t0, t1;
	char ops[32];

	syscall(SYS_getppid);           /* fault in the code and stack first */
	t0 = bench_now_ns();
	while (done < n) {
		syscall(SYS_getppid);
		if (bench_enough(t0, ++done, 4096))
			break;
	}
	t1 = bench_now_ns();
	snprintf(ops, sizeof(ops), " ops=%ld", done);
	bench_result("getppid", (double)(t1 - t0) / (double)done, "ns", ops);
	return 0;
}
