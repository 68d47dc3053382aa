/*
 * SHA-256 (FIPS 180-4), for checking data end to end (network and
 * storage tests). Pure code, host-tested against the FIPS examples.
 */
#ifndef VIREO_LIB_SHA256_H
#define VIREO_LIB_SHA256_H

#include "kernel/lib/types.h"

#define SHA256_DIGEST_SIZE 32

struct sha256 {
	u32 h[8];
	u64 len;                        /* bytes hashed */
	u8 buf[64];
	u32 used;                       /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, u8 out[SHA256_DIGEST_SIZE]);
/* 64 lowercase hex digits and a NUL. */
void sha256_hex(const u8 digest[SHA256_DIGEST_SIZE], char out[65]);

#endif
