// uses: kernel/time/rtc.c
#include "kernel/time/clock.h"
#include "tests/unit/unit.h"
#include <time.h>

static s64 mk(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	struct rtc_time t = { y, mo, d, h, mi, s };

	return rtc_mktime(&t);
}

UNIT_TEST(epoch_and_known_dates)
{
	EXPECT_EQ(mk(1970, 1, 1, 0, 0, 0), 0);
	EXPECT_EQ(mk(2000, 3, 1, 0, 0, 0), 951868800);          /* after a 400-year leap day */
	EXPECT_EQ(mk(2038, 1, 19, 3, 14, 8), 2147483648LL);     /* one past INT32_MAX */
	EXPECT_EQ(mk(2100, 3, 1, 0, 0, 0), 4107542400LL);       /* 2100 is not leap */
}

UNIT_TEST(matches_timegm_every_day_1970_to_2200)
{
	for (unsigned y = 1970; y < 2200; y++)
		for (unsigned m = 1; m <= 12; m++)
			for (unsigned d = 1; d <= 28; d += 9) {
				struct tm tm = { .tm_year = (int)y - 1900, .tm_mon = (int)m - 1,
						 .tm_mday = (int)d, .tm_hour = 13,
						 .tm_min = 7, .tm_sec = 59 };

				EXPECT_EQ(mk(y, m, d, 13, 7, 59), (long long)timegm(&tm));
			}
}

UNIT_TEST(rejects_garbage_fields)
{
	EXPECT_EQ(mk(2024, 13, 1, 0, 0, 0), -22);
	EXPECT_EQ(mk(2024, 0, 1, 0, 0, 0), -22);
	EXPECT_EQ(mk(2024, 4, 31, 0, 0, 0), -22);
	EXPECT_EQ(mk(2024, 1, 1, 24, 0, 0), -22);
	EXPECT_EQ(mk(1969, 12, 31, 0, 0, 0), -22);
}
