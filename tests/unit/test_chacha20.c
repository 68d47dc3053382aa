// uses: kernel/lib/chacha20.c
/* ChaCha20 against RFC 8439's published test vectors. */
#include "tests/unit/unit.h"
#include "kernel/lib/chacha20.h"

UNIT_TEST(rfc8439_2_3_2_block)
{
	u8 key[32], out[64];
	static const u8 nonce[12] = { 0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
	/* §2.3.2 serialized block, first and last 16 bytes. */
	static const u8 head[16] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15,
				     0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4 };
	static const u8 tail[16] = { 0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
				     0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e };

	for (int i = 0; i < 32; i++)
		key[i] = (u8)i;
	chacha20_block(key, 1, nonce, out);
	EXPECT(!memcmp(out, head, 16));
	EXPECT(!memcmp(out + 48, tail, 16));
}

UNIT_TEST(rfc8439_a1_zero_key)
{
	/* Appendix A.1 test vector #1: all-zero key and nonce, counter 0. */
	u8 key[32] = { 0 }, nonce[12] = { 0 }, out[64];
	static const u8 head[8] = { 0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90 };

	chacha20_block(key, 0, nonce, out);
	EXPECT(!memcmp(out, head, 8));
}

UNIT_TEST(counter_changes_output)
{
	u8 key[32] = { 1 }, nonce[12] = { 0 }, a[64], b[64];

	chacha20_block(key, 7, nonce, a);
	chacha20_block(key, 8, nonce, b);
	EXPECT(memcmp(a, b, 64) != 0);
}
