// uses: kernel/lib/parse.c
/* Number parsing and glob matching. */
#include "tests/unit/unit.h"
#include "kernel/lib/string.h"
#include "kernel/lib/errno.h"

UNIT_TEST(strtoull_bases)
{
	unsigned long long v;

	EXPECT_EQ(kstrtoull("0", 0, &v), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(kstrtoull("1234", 10, &v), 0);
	EXPECT_EQ(v, 1234);
	EXPECT_EQ(kstrtoull("0x1F", 0, &v), 0);
	EXPECT_EQ(v, 31);
	EXPECT_EQ(kstrtoull("ff", 16, &v), 0);
	EXPECT_EQ(v, 255);
	EXPECT_EQ(kstrtoull("017", 0, &v), 0);
	EXPECT_EQ(v, 15);
	EXPECT_EQ(kstrtoull("18446744073709551615", 10, &v), 0);
	EXPECT(v == ~0ULL);
}

UNIT_TEST(strtoull_rejects_garbage)
{
	unsigned long long v = 7;

	EXPECT_EQ(kstrtoull("", 10, &v), -EINVAL);
	EXPECT_EQ(kstrtoull("12a", 10, &v), -EINVAL);
	EXPECT_EQ(kstrtoull("0x", 0, &v), -EINVAL);
	EXPECT_EQ(kstrtoull("-1", 10, &v), -EINVAL);
	EXPECT_EQ(kstrtoull("18446744073709551616", 10, &v), -ERANGE);
	EXPECT_EQ(v, 7);
}

UNIT_TEST(strtoll_signs)
{
	long long v;

	EXPECT_EQ(kstrtoll("-42", 10, &v), 0);
	EXPECT_EQ(v, -42);
	EXPECT_EQ(kstrtoll("+42", 10, &v), 0);
	EXPECT_EQ(v, 42);
	EXPECT_EQ(kstrtoll("-9223372036854775808", 10, &v), 0);
	EXPECT(v == (-9223372036854775807LL - 1));
	EXPECT_EQ(kstrtoll("9223372036854775808", 10, &v), -ERANGE);
}

UNIT_TEST(glob)
{
	EXPECT(glob_match("*", "anything"));
	EXPECT(glob_match("*", ""));
	EXPECT(glob_match("trap_*", "trap_ud_report"));
	EXPECT(!glob_match("trap_*", "xtrap_ud"));
	EXPECT(glob_match("*_report", "trap_pf_report"));
	EXPECT(glob_match("t?ap*rep*", "trap_pf_report"));
	EXPECT(!glob_match("trap", "trap_x"));
	EXPECT(glob_match("a*b*c", "aXXbYYc"));
	EXPECT(!glob_match("a*b*c", "aXXbYY"));
	EXPECT(glob_match("**a", "ba"));
}
