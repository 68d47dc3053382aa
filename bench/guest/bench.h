/*
 * Shared by the benchmark programs that run unmodified on Vireo and on the
 * Linux guest (static musl binaries, bench/compare.py). Each result is one
 * console line that bench/compare.py parses:
 *
 *   BENCH <name> <value> <unit> [key=value ...]
 *   BENCH-NA <name> <reason>
 *
 * A benchmark that cannot run says why on a BENCH-NA line; it never
 * prints a number it did not measure.
 */
#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * Loops stop after BENCH_SECONDS or their iteration limit, whichever comes
 * first, so a slow kernel does not take minutes. The clock is read every
 * `every` iterations only: on a kernel without a vDSO it is itself a
 * system call.
 */
#define BENCH_SECONDS 1.0

static inline int bench_enough(uint64_t t0, long done, long every)
{
	return done % every == 0 &&
	       (double)(bench_now_ns() - t0) / 1e9 >= BENCH_SECONDS;
}

/* One result line; extra is "" or " key=value ...". */
static inline void bench_result(const char *name, double value, const char *unit,
				const char *extra)
{
	printf("BENCH %s %.3f %s%s\n", name, value, unit, extra);
	fflush(stdout);
}

/* The benchmark name could not be measured: why, in printf format. */
__attribute__((format(printf, 2, 3)))
static inline void bench_na(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("BENCH-NA %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/*
 * splitmix64: the request offsets of the random-read runs, the same
 * sequence on both kernels.
 */
static inline uint64_t bench_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

#endif
