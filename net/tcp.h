/*
 * TCP (RFC 9293) internals shared by tcp.c (sockets and connection
 * lifetime), tcp_input.c (the segment-arrives state machine) and
 * tcp_output.c (segments, retransmission, congestion control, timers).
 *
 * A struct tcp_sock is one connection or listener. It belongs to its
 * struct socket while the user holds one (tp->so); after close it is an
 * orphan the stack keeps until the connection has finished closing, and a
 * passive connection belongs to its listener until accept() (tp->parent).
 * Everything here is protected by net_lock.
 *
 * Buffers: the send buffer holds bytes written but not yet acknowledged,
 * the first at sequence snd_una (once the SYN is acknowledged); the
 * receive buffer holds in-order bytes not yet read, and an out-of-order
 * queue keeps segments that arrived beyond rcv_nxt (up to TCP_OOO_MAX).
 * Both are rings of so->sndbuf/rcvbuf bytes allocated at connection
 * setup.
 */
#ifndef VIREO_NET_TCP_H
#define VIREO_NET_TCP_H

#include "net/proto.h"
#include "net/socket.h"
#include "net/tcp_seq.h"
#include "kernel/lib/errno.h"

enum tcp_state {
	TCPS_CLOSED,
	TCPS_LISTEN,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_ESTABLISHED,
	TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2,
	TCPS_CLOSE_WAIT,
	TCPS_CLOSING,
	TCPS_LAST_ACK,
	TCPS_TIME_WAIT,
};

#define TCP_HLEN          20
#define TCP_RTO_INIT      (1000 * NSEC_PER_MSEC)        /* RFC 6298 §2.1 */
#define TCP_RTO_MIN       (200 * NSEC_PER_MSEC)         /* Linux's; see docs/net.md */
#define TCP_RTO_MAX       (60 * NSEC_PER_SEC)
#define TCP_RETRIES       15
#define TCP_SYN_RETRIES   6
#define TCP_DELACK        (40 * NSEC_PER_MSEC)
#define TCP_TIMEWAIT_LEN  (60 * NSEC_PER_SEC)           /* 2 MSL, as Linux */
#define TCP_FIN_TIMEOUT   (60 * NSEC_PER_SEC)           /* orphan in FIN_WAIT2 */
#define TCP_OOO_MAX       64

/* Header flags in the byte after the data offset (RFC 9293 §3.1). */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* Options (RFC 9293 §3.2, RFC 7323 §2). */
#define TCPOPT_EOL    0
#define TCPOPT_NOP    1
#define TCPOPT_MSS    2
#define TCPOPT_WSCALE 3
#define TCP_MAX_WSCALE 14

struct tcp_sock {
	struct socket *so;              /* NULL: orphan, or not yet accepted */
	struct tcp_sock *parent;        /* listener, until accepted */
	struct list_node node;          /* tcp_socks */
	struct list_node accept_node;   /* parent's accept queue */
	enum tcp_state state;
	u32 laddr, raddr;               /* network order */
	u16 lport, rport;               /* network order */

	/* Send sequence space (RFC 9293 §3.3.1). snd_max: highest sent
	 * (snd_nxt goes back to snd_una on a retransmission timeout). */
	u32 iss, snd_una, snd_nxt, snd_max;
	u32 snd_wnd, snd_wl1, snd_wl2;
	u8 snd_wscale, rcv_wscale;
	u16 mss;                        /* send MSS */
	u8 *sndbuf;
	u32 snd_size, snd_head, snd_len;        /* ring: size, start, bytes */
	bool fin_queued;                /* shutdown(SHUT_WR) or close */
	bool fin_sent;

	/* Receive sequence space. rcv_adv: the right edge advertised. */
	u32 irs, rcv_nxt, rcv_adv;
	u8 *rcvbuf;
	u32 rcv_size, rcv_head, rcv_len;
	struct list_node ooo;           /* struct pkt, by sequence */
	u32 ooo_count;
	bool fin_rcvd;
	bool shut_rd;
	u32 ack_pending;                /* full segments not yet acked */

	/* RFC 6298 retransmission timer, in ns. */
	u64 srtt, rttvar, rto;
	bool rtt_timing;
	u32 rtt_seq;
	u64 rtt_start;
	u32 retries;

	/* Reno (RFC 5681) with NewReno's recovery point (RFC 6582). */
	u32 cwnd, ssthresh, dupacks, recover;
	bool in_recovery;

	struct net_timer rtx_timer;     /* retransmit, persist, TIME_WAIT */
	struct net_timer delack_timer;

	bool nodelay;                   /* TCP_NODELAY */

	/* Listener: SYN_RECV children count against backlog with the
	 * established ones waiting in accept_q. */
	int backlog;
	u32 syn_count, accept_count;
	struct list_node accept_q;

	/* Counters for /proc/net/snmp-like reports and the benchmark. */
	u64 retransmits;
};

/* tcp.c */
extern struct list_node tcp_socks;
struct tcp_sock *tcp_sock_new(struct tcp_sock *parent);
/* The connection is over: no more input reaches it, timers stop, its
 * user (if any) is woken; an orphan is freed. */
void tcp_done(struct tcp_sock *tp, int err);
void tcp_set_state(struct tcp_sock *tp, enum tcp_state s);
/* A child reached ESTABLISHED: queue it for accept(). */
void tcp_child_established(struct tcp_sock *tp);
u32 tcp_rcv_window(struct tcp_sock *tp);
int tcp_alloc_buffers(struct tcp_sock *tp, u32 sndbuf, u32 rcvbuf);
void tcp_wake(struct tcp_sock *tp);

/* tcp_output.c */
/* Send what the windows allow; with force, at least an ACK. */
void tcp_output(struct tcp_sock *tp, bool force_ack);
void tcp_send_ack(struct tcp_sock *tp);
void tcp_send_syn(struct tcp_sock *tp);
/* A RST in answer to a segment (RFC 9293 §3.10.7.1 rules). */
void tcp_send_reset_reply(struct pkt *p, const struct tcphdr *th, u32 seg_len);
/* RST on an existing connection (abort). */
void tcp_send_reset(struct tcp_sock *tp);
void tcp_rtt_sample(struct tcp_sock *tp, u64 rtt);
void tcp_arm_rtx(struct tcp_sock *tp);
void tcp_retransmit_first(struct tcp_sock *tp);
void tcp_rtx_timeout(struct net_timer *t);
void tcp_delack_timeout(struct net_timer *t);
void tcp_schedule_ack(struct tcp_sock *tp);
u32 tcp_flight(const struct tcp_sock *tp);
u16 tcp_mss_for(u32 daddr);

/* tcp_input.c: see proto.h tcp_input(). */

#endif
