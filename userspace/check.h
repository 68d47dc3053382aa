/*
 * A tiny test vocabulary for the test programs in userspace/tests: each
 * CHECK prints a line on failure and counts it; test_done() prints the
 * verdict the integration tests look for ("<name>: PASS" or
 * "<name>: FAIL (n)") and exits 0 or 1. Plain libc only, so the programs
 * run unchanged on Linux.
 */
#ifndef VIREO_USERSPACE_CHECK_H
#define VIREO_USERSPACE_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

/* Line-buffered even when stdout is not a terminal: output appears as it
 * happens, and fork does not duplicate unwritten lines. */
__attribute__((constructor)) static void check_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static const char *check_name = "test";

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("%s: %s:%d: check failed: %s (errno %d %s)\n", \
			       check_name, __FILE__, __LINE__, #cond, errno, \
			       strerror(errno));                             \
			check_failures++;                                    \
		}                                                            \
	} while (0)

/* expr must fail with -1 and errno e. */
#define CHECK_ERR(expr, e)                                                   \
	do {                                                                 \
		errno = 0;                                                   \
		long check_r_ = (long)(expr);                                \
		if (check_r_ != -1 || errno != (e)) {                        \
			printf("%s: %s:%d: %s returned %ld errno %d (%s), "  \
			       "expected -1 errno %d (%s)\n", check_name,    \
			       __FILE__, __LINE__, #expr, check_r_, errno,   \
			       strerror(errno), (e), strerror(e));           \
			check_failures++;                                    \
		}                                                            \
	} while (0)

static inline void test_done(void)
{
	if (check_failures)
		printf("%s: FAIL (%d)\n", check_name, check_failures);
	else
		printf("%s: PASS\n", check_name);
	fflush(stdout);
	exit(check_failures ? 1 : 0);
}

#endif
