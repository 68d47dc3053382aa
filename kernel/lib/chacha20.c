/* ChaCha20 block function, written from RFC 8439 §2.1-2.3. */
#include "kernel/lib/chacha20.h"

static inline u32 rotl32(u32 v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static inline u32 load_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline void store_le32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

/* §2.1: the quarter round on four words of the state. */
#define QR(a, b, c, d)                                          \
	do {                                                    \
		a += b; d ^= a; d = rotl32(d, 16);              \
		c += d; b ^= c; b = rotl32(b, 12);              \
		a += b; d ^= a; d = rotl32(d, 8);               \
		c += d; b ^= c; b = rotl32(b, 7);               \
	} while (0)

void chacha20_block(const u8 key[CHACHA20_KEY_SIZE], u32 counter,
		    const u8 nonce[12], u8 out[CHACHA20_BLOCK_SIZE])
{
	u32 in[16], x[16];

	/* §2.3: "expand 32-byte k", key, block counter, nonce. */
	in[0] = 0x61707865;
	in[1] = 0x3320646e;
	in[2] = 0x79622d32;
	in[3] = 0x6b206574;
	for (int i = 0; i < 8; i++)
		in[4 + i] = load_le32(key + 4 * i);
	in[12] = counter;
	for (int i = 0; i < 3; i++)
		in[13 + i] = load_le32(nonce + 4 * i);

	for (int i = 0; i < 16; i++)
		x[i] = in[i];
	for (int round = 0; round < 10; round++) {      /* 20 rounds */
		QR(x[0], x[4], x[8], x[12]);            /* columns */
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);           /* diagonals */
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		store_le32(out + 4 * i, x[i] + in[i]);
}
