/* The random generator: output varies, state moves on, entropy counts. */
#include "kernel/test/ktest.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"

KTEST(random_output_never_repeats)
{
	u8 a[48], b[48];

	get_random_bytes(a, sizeof(a));
	get_random_bytes(b, sizeof(b));
	KT_ASSERT(memcmp(a, b, sizeof(a)) != 0);
}

KTEST(random_odd_lengths_fill_everything)
{
	u8 buf[131];
	int zeros = 0;

	memset(buf, 0, sizeof(buf));
	get_random_bytes(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros += buf[i] == 0;
	/* 131 random bytes with more than 20 zeros: p < 1e-10. */
	KT_ASSERT(zeros < 20);
}

KTEST(random_entropy_is_credited_and_capped)
{
	u8 junk[64] = { 1, 2, 3 };
	unsigned before = random_entropy_bits();

	random_add_entropy(junk, sizeof(junk), 8);
	KT_ASSERT(random_entropy_bits() == MIN(before + 8, (unsigned)RANDOM_POOL_BITS));
	for (int i = 0; i < 100; i++)
		random_add_entropy(junk, sizeof(junk), 512);
	KT_ASSERT_EQ(random_entropy_bits(), RANDOM_POOL_BITS);
}
