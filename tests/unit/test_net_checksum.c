// uses: net/checksum.c
/* The Internet checksum against RFC 1071's worked example and a naive
 * 16-bit reference, at every length and alignment. */
#include "tests/unit/unit.h"
#include "net/checksum.h"

static u16 ref_csum(const u8 *p, size_t n)
{
	u32 s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (u32)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (u32)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)~s;
}

UNIT_TEST(rfc1071_example)
{
	/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const u8 d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	u16 c = csum_fold(csum_partial(d, sizeof(d), 0));

	EXPECT_EQ(ntohs(c), (u16)~0xddf2);
}

UNIT_TEST(matches_reference_every_length_and_offset)
{
	u8 buf[300];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 37 + 11);
	for (size_t off = 0; off < 4; off++)
		for (size_t n = 0; n + off <= sizeof(buf); n++)
			EXPECT_EQ(ntohs(csum_fold(csum_partial(buf + off, n, 0))),
				  ref_csum(buf + off, n));
}

UNIT_TEST(verifies_to_zero_with_sum_inserted)
{
	u8 hdr[20] = { 0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0,
		       192, 0, 2, 1, 192, 0, 2, 2 };
	u16 c = csum_fold(csum_partial(hdr, 20, 0));

	memcpy(hdr + 10, &c, 2);
	EXPECT_EQ(csum_fold(csum_partial(hdr, 20, 0)), 0);
}

UNIT_TEST(split_sums_equal_whole)
{
	u8 buf[64];
	u32 s;

	for (int i = 0; i < 64; i++)
		buf[i] = (u8)(255 - i * 3);
	s = csum_partial(buf, 20, 0);
	s = csum_partial(buf + 20, 44, s);
	EXPECT_EQ(csum_fold(s), csum_fold(csum_partial(buf, 64, 0)));
}

UNIT_TEST(pseudo_header_all_ones_carry)
{
	/* Addresses of all ones push carries through every fold. */
	u32 s = csum_pseudo(0xffffffff, 0xffffffff, 17, 0xffff);
	u8 ph[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 17, 0xff, 0xff };

	EXPECT_EQ(ntohs(csum_fold(s)), ref_csum(ph, 12));
}
