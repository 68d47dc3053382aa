/*
 * Host unit tests: pure kernel modules compiled for the host with
 * AddressSanitizer and UBSan. A test file lists the kernel sources it links
 * in a "// uses:" line and defines cases:
 *
 *   // uses: kernel/lib/printf.c
 *   #include "tests/unit/unit.h"
 *   UNIT_TEST(pads_with_zeros) { EXPECT_STREQ(buf, "007"); }
 *
 * Output is TAP-like, one line per case: "ok name" or "not ok name", with
 * the failing expression and file:line before it. Exit status is 1 if any
 * case failed. tests/run.py counts the lines.
 */
#ifndef VIREO_TESTS_UNIT_H
#define VIREO_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

static struct unit_case unit_cases[512];
static int unit_ncases;
static int unit_failed_now;

static inline void unit_register(const char *name, void (*fn)(void))
{
	if (unit_ncases >= (int)(sizeof(unit_cases) / sizeof(unit_cases[0]))) {
		fprintf(stderr, "unit.h: too many cases\n");
		exit(2);
	}
	unit_cases[unit_ncases].name = name;
	unit_cases[unit_ncases].fn = fn;
	unit_ncases++;
}

#define UNIT_TEST(name)                                                   \
	static void unit_##name(void);                                    \
	__attribute__((constructor)) static void unit_reg_##name(void)    \
	{                                                                 \
		unit_register(#name, unit_##name);                        \
	}                                                                 \
	static void unit_##name(void)

#define UNIT_FAIL_(fmt, ...)                                              \
	do {                                                              \
		printf("# %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__); \
		unit_failed_now = 1;                                      \
		return;                                                   \
	} while (0)

#define EXPECT(cond)                                                      \
	do {                                                              \
		if (!(cond))                                              \
			UNIT_FAIL_("expected %s", #cond);                 \
	} while (0)

#define EXPECT_EQ(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_)                                             \
			UNIT_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)

#define EXPECT_STREQ(a, b)                                                \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (strcmp(a_, b_))                                       \
			UNIT_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_, b_); \
	} while (0)

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 0; i < unit_ncases; i++) {
		if (argc > 1 && !strstr(unit_cases[i].name, argv[1]))
			continue;
		unit_failed_now = 0;
		unit_cases[i].fn();
		printf("%s %s\n", unit_failed_now ? "not ok" : "ok", unit_cases[i].name);
		failed += unit_failed_now;
	}
	return failed ? 1 : 0;
}

#endif
