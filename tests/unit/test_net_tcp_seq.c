// uses:
/* TCP sequence arithmetic across the 2^32 wrap and RFC 9293's segment
 * acceptability table. */
#include "tests/unit/unit.h"
#include "net/tcp_seq.h"

UNIT_TEST(compare_across_wrap)
{
	EXPECT(seq_lt(0xfffffff0u, 0x10));
	EXPECT(seq_gt(0x10, 0xfffffff0u));
	EXPECT(seq_le(5, 5) && seq_ge(5, 5) && !seq_lt(5, 5));
	EXPECT(seq_lt(0x7fffffffu, 0x80000000u));
	EXPECT_EQ(seq_max(0xfffffffeu, 3), 3u);
	EXPECT_EQ(seq_min(0xfffffffeu, 3), 0xfffffffeu);
}

UNIT_TEST(in_range_wraps)
{
	EXPECT(seq_in(0xffffffffu, 0xfffffff0u, 0x10));
	EXPECT(seq_in(0x5, 0xfffffff0u, 0x10));
	EXPECT(!seq_in(0x10, 0xfffffff0u, 0x10));       /* end excluded */
	EXPECT(!seq_in(0xffffffefu, 0xfffffff0u, 0x10));
}

UNIT_TEST(acceptability_table)
{
	u32 nxt = 0xfffffff8u;

	/* Zero-length segment, zero window: only rcv_nxt itself. */
	EXPECT(tcp_seq_acceptable(nxt, 0, nxt, 0));
	EXPECT(!tcp_seq_acceptable(nxt + 1, 0, nxt, 0));
	/* Zero-length segment, open window: inside it. */
	EXPECT(tcp_seq_acceptable(nxt + 15, 0, nxt, 16));
	EXPECT(!tcp_seq_acceptable(nxt + 16, 0, nxt, 16));
	/* Data, zero window: never. */
	EXPECT(!tcp_seq_acceptable(nxt, 1, nxt, 0));
	/* Data: the first or the last byte in the window. */
	EXPECT(tcp_seq_acceptable(nxt - 10, 20, nxt, 16));    /* tail inside */
	EXPECT(!tcp_seq_acceptable(nxt - 10, 10, nxt, 16));   /* all old */
	EXPECT(tcp_seq_acceptable(nxt + 15, 100, nxt, 16));   /* head inside */
	EXPECT(!tcp_seq_acceptable(nxt + 16, 1, nxt, 16));
}
