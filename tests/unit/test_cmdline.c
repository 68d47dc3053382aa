// uses: kernel/boot/cmdline.c kernel/lib/parse.c
/* Kernel command-line parsing: Linux's grammar. */
#include "tests/unit/unit.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/errno.h"

UNIT_TEST(key_value_and_flags)
{
	const char *c = "console=ttyS0 root=/dev/vda quiet  loglevel=3\ttest";
	char v[64];

	EXPECT(cmdline_get(c, "console", v, sizeof(v)));
	EXPECT_STREQ(v, "ttyS0");
	EXPECT(cmdline_get(c, "root", v, sizeof(v)));
	EXPECT_STREQ(v, "/dev/vda");
	EXPECT(cmdline_get(c, "quiet", v, sizeof(v)));
	EXPECT_STREQ(v, "");
	EXPECT(cmdline_get(c, "test", NULL, 0));
	EXPECT(!cmdline_get(c, "init", v, sizeof(v)));
	EXPECT(!cmdline_get(c, "roo", v, sizeof(v)));        /* no prefix match */
	EXPECT(!cmdline_get(c, "console=ttyS0", v, sizeof(v)));
	EXPECT_EQ(cmdline_get_long(c, "loglevel", -1), 3);
}

UNIT_TEST(last_occurrence_wins)
{
	char v[16];

	EXPECT(cmdline_get("loglevel=1 loglevel=7", "loglevel", v, sizeof(v)));
	EXPECT_STREQ(v, "7");
}

UNIT_TEST(quoted_values)
{
	const char *c = "a=\"x y  z\" \"b=1 2\" c=\"\" d=plain";
	char v[64];

	EXPECT(cmdline_get(c, "a", v, sizeof(v)));
	EXPECT_STREQ(v, "x y  z");
	EXPECT(cmdline_get(c, "b", v, sizeof(v)));
	EXPECT_STREQ(v, "1 2");
	EXPECT(cmdline_get(c, "c", v, sizeof(v)));
	EXPECT_STREQ(v, "");
	EXPECT(cmdline_get(c, "d", v, sizeof(v)));
	EXPECT_STREQ(v, "plain");
}

UNIT_TEST(value_with_equals)
{
	char v[64];

	EXPECT(cmdline_get("init=/bin/sh opt=a=b", "opt", v, sizeof(v)));
	EXPECT_STREQ(v, "a=b");
}

UNIT_TEST(truncates_long_values)
{
	char v[4];

	EXPECT(cmdline_get("k=abcdef", "k", v, sizeof(v)));
	EXPECT_STREQ(v, "abc");
}

UNIT_TEST(double_dash_ends_kernel_params)
{
	const char *c = "root=/dev/vda -- -s single \"two words\" x=1";
	char buf[128], *argv[8], v[16];
	int argc = cmdline_init_argv(c, buf, sizeof(buf), argv, 8);

	EXPECT(!cmdline_get(c, "x", v, sizeof(v)));    /* init's, not ours */
	EXPECT(!cmdline_get(c, "-s", v, sizeof(v)));
	EXPECT_EQ(argc, 4);
	EXPECT_STREQ(argv[0], "-s");
	EXPECT_STREQ(argv[1], "single");
	EXPECT_STREQ(argv[2], "two words");
	EXPECT_STREQ(argv[3], "x=1");
}

UNIT_TEST(no_init_args)
{
	char buf[16], *argv[2];

	EXPECT_EQ(cmdline_init_argv("a=1 b --x", buf, sizeof(buf), argv, 2), 0);
	EXPECT_EQ(cmdline_init_argv("", buf, sizeof(buf), argv, 2), 0);
	EXPECT_EQ(cmdline_init_argv("--", buf, sizeof(buf), argv, 2), 0);
}

UNIT_TEST(init_args_overflow)
{
	char buf[8], *argv[2];

	EXPECT_EQ(cmdline_init_argv("-- a b c", buf, sizeof(buf), argv, 2), -E2BIG);
	EXPECT_EQ(cmdline_init_argv("-- abcdefghij", buf, sizeof(buf), argv, 2), -E2BIG);
}

UNIT_TEST(iterator_yields_each_param)
{
	const char *cur = "  a=1 b  c=\"3 4\" -- d";
	struct cmdline_param p;
	int n = 0;

	while (cmdline_next(&cur, &p))
		n++;
	EXPECT_EQ(n, 3);
}

UNIT_TEST(bad_integers_fall_back)
{
	EXPECT_EQ(cmdline_get_long("loglevel=x7", "loglevel", -1), -1);
	EXPECT_EQ(cmdline_get_long("loglevel=", "loglevel", -1), -1);
	EXPECT_EQ(cmdline_get_long("panic=-1", "panic", 0), -1);
	EXPECT_EQ(cmdline_get_long("n=0x10", "n", 0), 16);
}
