/*
 * SHA-256 for the network test programs, which hash what crossed the
 * network and print the digest for the host to compare: the kernel's own
 * kernel/lib/sha256.c (pure code), linked in by userspace.mk.
 */
#ifndef VIREO_T_NET_SHA256_H
#define VIREO_T_NET_SHA256_H

#include "kernel/lib/sha256.h"

/* Finish s and write its digest as 64 hex digits and a NUL. */
static inline void sha256_final_hex(struct sha256 *s, char hex[65])
{
	u8 d[SHA256_DIGEST_SIZE];

	sha256_final(s, d);
	sha256_hex(d, hex);
}

#endif
