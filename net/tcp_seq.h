/*
 * TCP sequence number arithmetic (RFC 9293 §3.4): comparisons modulo
 * 2^32, valid while the two numbers are less than 2^31 apart. Pure,
 * host-tested (tests/unit/test_net_tcp_seq.c).
 */
#ifndef VIREO_NET_TCP_SEQ_H
#define VIREO_NET_TCP_SEQ_H

#include "kernel/lib/types.h"

static inline bool seq_lt(u32 a, u32 b) { return (s32)(a - b) < 0; }
static inline bool seq_le(u32 a, u32 b) { return (s32)(a - b) <= 0; }
static inline bool seq_gt(u32 a, u32 b) { return (s32)(a - b) > 0; }
static inline bool seq_ge(u32 a, u32 b) { return (s32)(a - b) >= 0; }

/* a <= x < b, with the range wrapping. */
static inline bool seq_in(u32 x, u32 a, u32 b)
{
	return x - a < b - a;
}

static inline u32 seq_max(u32 a, u32 b) { return seq_gt(a, b) ? a : b; }
static inline u32 seq_min(u32 a, u32 b) { return seq_lt(a, b) ? a : b; }

/* RFC 9293 §3.10.7.4, first check: is a segment of seg_len sequence
 * numbers starting at seq acceptable for a receive window of wnd
 * starting at rcv_nxt? */
static inline bool tcp_seq_acceptable(u32 seq, u32 seg_len, u32 rcv_nxt, u32 wnd)
{
	if (!seg_len)
		return wnd ? seq_in(seq, rcv_nxt, rcv_nxt + wnd) : seq == rcv_nxt;
	if (!wnd)
		return false;
	return seq_in(seq, rcv_nxt, rcv_nxt + wnd) ||
	       seq_in(seq + seg_len - 1, rcv_nxt, rcv_nxt + wnd);
}

#endif
