// uses: kernel/lib/printf.c
/* kvsnprintf against the host libc's vsnprintf, for every conversion,
 * flag, width and precision the kernel uses, plus truncation rules. */
#include "tests/unit/unit.h"
#include "kernel/lib/printf.h"
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>

/* Format with both and compare text and return value. */
static int same(const char *fmt, ...)
{
	char a[256], b[256];
	va_list ap, aq;
	int ra, rb;

	va_start(ap, fmt);
	va_copy(aq, ap);
	ra = kvsnprintf(a, sizeof(a), fmt, ap);
	rb = vsnprintf(b, sizeof(b), fmt, aq);
	va_end(aq);
	va_end(ap);
	if (ra != rb || strcmp(a, b)) {
		printf("# fmt \"%s\": kernel \"%s\" (%d), libc \"%s\" (%d)\n", fmt, a, ra, b, rb);
		return 0;
	}
	return 1;
}

UNIT_TEST(signed_decimal)
{
	EXPECT(same("%d|%i|%d|%d", 0, -1, INT_MAX, INT_MIN));
	EXPECT(same("%ld|%ld", LONG_MAX, LONG_MIN));
	EXPECT(same("%lld|%lld", LLONG_MAX, LLONG_MIN));
	EXPECT(same("%hd|%hhd", (short)-1234, (signed char)-100));
}

UNIT_TEST(unsigned_and_hex)
{
	EXPECT(same("%u|%x|%X|%o", 4000000000u, 0xdeadbeefu, 0xabcdefu, 0755u));
	EXPECT(same("%lu|%lx|%llx", ULONG_MAX, 0xffffffff80000000ul, 0x123456789abcdefull));
	EXPECT(same("%zu|%zx", (size_t)12345, (size_t)0xfff));
	EXPECT(same("%#x|%#X|%#o|%#x", 255u, 255u, 8u, 0u));
}

UNIT_TEST(widths_and_padding)
{
	EXPECT(same("[%5d][%-5d][%05d][%5s][%-5s]", 42, 42, 42, "ab", "ab"));
	EXPECT(same("[%08x][%-8x][%016lx]", 0xbeefu, 0xbeefu, 0x1ul));
	EXPECT(same("[%05d][%+d][% d][%+05d]", -42, 42, 42, 42));
	EXPECT(same("[%*d][%-*d][%*d]", 6, 7, 6, 7, -6, 7));
	EXPECT(same("[%3c][%-3c]", 'x', 'y'));
}

UNIT_TEST(precision)
{
	EXPECT(same("[%.3s][%.0s][%10.2s][%-10.2s]", "abcdef", "abc", "abc", "abc"));
	EXPECT(same("[%.5d][%8.3d][%.0d][%.0x]", 42, 7, 0, 0u));
	EXPECT(same("[%.*s]", 2, "hello"));
	EXPECT(same("[%.4s]", "ab"));
}

UNIT_TEST(strings_and_chars)
{
	EXPECT(same("%s %c %% %s", "hello", 'Z', ""));
}

UNIT_TEST(pointer_is_fixed_width_hex)
{
	char buf[64];

	ksnprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80101000ul);
	EXPECT_STREQ(buf, "0xffffffff80101000");
	ksnprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	EXPECT_STREQ(buf, "0x0000000000001234");
	ksnprintf(buf, sizeof(buf), "%p", (void *)0);
	EXPECT_STREQ(buf, "0x0000000000000000");
}

UNIT_TEST(null_string)
{
	char buf[16];
	const char *volatile null = NULL;   /* hidden from -Wformat-overflow */

	ksnprintf(buf, sizeof(buf), "%s", null);
	EXPECT_STREQ(buf, "(null)");
}

UNIT_TEST(truncation_counts_full_length)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 5, "%s", "abcdefgh");
	EXPECT_EQ(n, 8);
	EXPECT_STREQ(buf, "abcd");
	EXPECT_EQ(buf[5], 'X');            /* nothing written past size */
	n = ksnprintf(buf, 1, "%d", 12345);
	EXPECT_EQ(n, 5);
	EXPECT_EQ(buf[0], '\0');
	n = ksnprintf(NULL, 0, "%d-%s", 7, "xyz");
	EXPECT_EQ(n, 5);
}

UNIT_TEST(unknown_conversion_is_visible)
{
	char buf[16];
	/* Not literals, so the compiler's format check stays out of it. */
	const char *unknown = "a%qb", *trailing = "end%";

	ksnprintf(buf, sizeof(buf), unknown);
	EXPECT_STREQ(buf, "a%qb");
	ksnprintf(buf, sizeof(buf), trailing);
	EXPECT_STREQ(buf, "end%");
}

UNIT_TEST(random_numbers_match_libc)
{
	static const char *fmts[] = { "%d", "%x", "%08x", "%-12d", "%+d",
				      "%#x", "%.6d", "%12.4x", "%u", "%o" };
	uint32_t s = 12345;

	for (int i = 0; i < 20000; i++) {
		int v;

		s = s * 1103515245u + 12345u;
		v = (int)s;
		if (!same(fmts[i % 10], v)) {
			EXPECT(0);
		}
	}
}
