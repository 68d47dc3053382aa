/*
 * Byte order and the Internet checksum: pure code, shared with the host
 * unit tests (tests/unit/test_net_checksum.c).
 */
#ifndef VIREO_NET_CHECKSUM_H
#define VIREO_NET_CHECKSUM_H

#include "kernel/lib/types.h"
#include <asm/byteorder.h>

/* Network byte order, from the maintained swab helpers (constant folded,
 * so usable in case labels). */
#define htons(x) ((u16)__cpu_to_be16(x))
#define ntohs(x) ((u16)__be16_to_cpu(x))
#define htonl(x) ((u32)__cpu_to_be32(x))
#define ntohl(x) ((u32)__be32_to_cpu(x))

/* Host-order IPv4 address from its dotted quad. */
#define IPV4(a, b, c, d) (((u32)(a) << 24) | ((u32)(b) << 16) | ((u32)(c) << 8) | (u32)(d))

/* Internet checksum (RFC 1071), net/checksum.c. csum_partial adds data
 * to a 32-bit running sum; csum_fold folds and complements it. */
u32 csum_partial(const void *data, size_t len, u32 sum);
u16 csum_fold(u32 sum);
/* Sum of the IPv4 pseudo header (addresses in network order). */
u32 csum_pseudo(u32 saddr_be, u32 daddr_be, u8 proto, u16 len);

#endif
