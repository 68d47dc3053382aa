/*
 * The Internet checksum (RFC 1071): the one's complement of the one's
 * complement sum of 16-bit words. The sum does not depend on byte order
 * (RFC 1071 §2(B)), so words are added as the CPU loads them and the
 * folded result is stored back as is; 32-bit loads into a 64-bit
 * accumulator make it four times cheaper than a word at a time. Pure code,
 * host-tested (tests/unit/test_net_checksum.c).
 */
#include "net/checksum.h"
#include "kernel/lib/string.h"

/* Chunks passed to successive calls must have even length except the
 * last: an odd byte would shift the rest of the words by one. */
u32 csum_partial(const void *data, size_t len, u32 sum)
{
	const u8 *p = data;
	u64 acc = sum;
	u32 w;
	u16 h;

	while (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len)
		acc += *p;      /* the last byte, padded with a zero (LE) */
	/* Fold 64 -> 32 bits, end-around carries included. */
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (u32)acc;
}

u16 csum_fold(u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

u32 csum_pseudo(u32 saddr_be, u32 daddr_be, u8 proto, u16 len)
{
	u64 acc = (u64)saddr_be + daddr_be + htons((u16)proto) + htons(len);

	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (u32)acc;
}
