// uses: vfs/path.c
/*
 * Path component parsing: slash runs, trailing slashes, the NAME_MAX and
 * PATH_MAX limits at their exact boundaries.
 */
#include "tests/unit/unit.h"
#include "vfs/path.h"
#include "kernel/lib/errno.h"
#include <linux/limits.h>

static int split(const char *path, char out[][NAME_MAX + 1], bool *trail)
{
	struct path_comp c;
	const char *p = path;
	int n = 0, r;

	*trail = false;
	while ((r = path_next_comp(&p, &c)) == 1) {
		memcpy(out[n], c.name, c.len);
		out[n][c.len] = 0;
		if (c.last)
			*trail = c.trailing_slash;
		n++;
	}
	return r < 0 ? r : n;
}

UNIT_TEST(splits_on_slash_runs)
{
	char c[8][NAME_MAX + 1];
	bool t;

	EXPECT_EQ(split("//a///bc/d", c, &t), 3);
	EXPECT_STREQ(c[0], "a");
	EXPECT_STREQ(c[1], "bc");
	EXPECT_STREQ(c[2], "d");
	EXPECT(!t);
}

UNIT_TEST(trailing_slash_marks_last)
{
	char c[8][NAME_MAX + 1];
	bool t;

	EXPECT_EQ(split("a/b//", c, &t), 2);
	EXPECT_STREQ(c[1], "b");
	EXPECT(t);
	EXPECT_EQ(split("/", c, &t), 0);
	EXPECT_EQ(split("", c, &t), 0);
}

UNIT_TEST(last_flag_only_on_final_component)
{
	struct path_comp c;
	const char *p = "x/y";

	EXPECT_EQ(path_next_comp(&p, &c), 1);
	EXPECT(!c.last);
	EXPECT_EQ(path_next_comp(&p, &c), 1);
	EXPECT(c.last);
	EXPECT(!c.trailing_slash);
	EXPECT_EQ(path_next_comp(&p, &c), 0);
}

UNIT_TEST(dot_and_dotdot_recognised)
{
	struct path_comp c;
	const char *p = "./../...";

	path_next_comp(&p, &c);
	EXPECT(path_comp_is_dot(&c));
	path_next_comp(&p, &c);
	EXPECT(path_comp_is_dotdot(&c));
	path_next_comp(&p, &c);
	EXPECT(!path_comp_is_dot(&c) && !path_comp_is_dotdot(&c));
}

UNIT_TEST(name_max_boundary)
{
	char name[NAME_MAX + 8];
	struct path_comp c;
	const char *p;

	memset(name, 'a', NAME_MAX);
	strcpy(name + NAME_MAX, "/b");
	p = name;
	EXPECT_EQ(path_next_comp(&p, &c), 1);
	EXPECT_EQ(c.len, NAME_MAX);
	memset(name, 'a', NAME_MAX + 1);
	name[NAME_MAX + 1] = 0;
	p = name;
	EXPECT_EQ(path_next_comp(&p, &c), -ENAMETOOLONG);
	EXPECT(p == name);
}

UNIT_TEST(path_max_boundary)
{
	static char big[PATH_MAX + 1];

	memset(big, 'a', PATH_MAX - 1);
	big[PATH_MAX - 1] = 0;
	EXPECT_EQ(path_check_len(big), PATH_MAX - 1);
	big[PATH_MAX - 1] = 'a';
	big[PATH_MAX] = 0;
	EXPECT_EQ(path_check_len(big), -ENAMETOOLONG);
}

UNIT_TEST(check_name_rejects_specials)
{
	char name[NAME_MAX + 2];

	EXPECT_EQ(path_check_name("", 0), -EINVAL);
	EXPECT_EQ(path_check_name(".", 1), -EINVAL);
	EXPECT_EQ(path_check_name("..", 2), -EINVAL);
	EXPECT_EQ(path_check_name("a/b", 3), -EINVAL);
	EXPECT_EQ(path_check_name("...", 3), 0);
	memset(name, 'x', sizeof(name));
	EXPECT_EQ(path_check_name(name, NAME_MAX), 0);
	EXPECT_EQ(path_check_name(name, NAME_MAX + 1), -ENAMETOOLONG);
}
