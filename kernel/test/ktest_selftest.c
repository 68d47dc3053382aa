/*
 * Tests of the test runner itself, run only when named: the integration
 * suite checks that a failing test is reported as failing, with its
 * expression and location, and that the exit status says so.
 */
#include "kernel/test/ktest.h"

KTEST_MANUAL(ktest_selftest_fails)
{
	int two = 2;

	KT_ASSERT_EQ(two + two, 5);
}

KTEST_MANUAL(ktest_selftest_unexpected_trap)
{
	__asm__ __volatile__("ud2");
}
