/*
 * TCP output: building segments from the send buffer, the retransmission
 * timer with RFC 6298's estimator and Karn's rule, Reno congestion
 * control (RFC 5681: slow start, congestion avoidance, fast retransmit
 * and recovery), Nagle's algorithm (RFC 1122 §4.2.3.4), zero-window
 * probes, and delayed ACKs (RFC 1122 §4.2.3.2: at least every second
 * full segment, within TCP_DELACK). net_lock.
 */
#include "net/tcp.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"

u32 tcp_flight(const struct tcp_sock *tp)
{
	return tp->snd_nxt - tp->snd_una;
}

u16 tcp_mss_for(u32 daddr)
{
	struct route *r;
	u32 mtu;

	if (ipv4_is_local(daddr))
		mtu = loopback_dev()->mtu;
	else
		mtu = (r = route_lookup(daddr)) ? r->dev->mtu : ETH_DATA_LEN;
	return (u16)MIN(mtu - sizeof(struct iphdr) - TCP_HLEN, 65495u);
}

/* Build and send one segment: len bytes of the send buffer from seq
 * (which must be buffered), with flags and, on a SYN, our options. */
static int tcp_xmit(struct tcp_sock *tp, u32 seq, u32 len, u8 flags)
{
	u32 optlen = (flags & TH_SYN) ? 8 : 0, win;
	struct tcphdr *th;
	struct pkt *p;
	u8 *o;

	p = pkt_alloc(PKT_HEADROOM + TCP_HLEN + optlen + len, PKT_HEADROOM);
	if (!p) {
		net_count_drop(NULL, NET_DROP_NOMEM);
		return -ENOMEM;
	}
	th = (struct tcphdr *)pkt_put(p, TCP_HLEN + optlen + len);
	memset(th, 0, TCP_HLEN);
	th->source = tp->lport;
	th->dest = tp->rport;
	th->seq = htonl(seq);
	if (len) {
		/* The bytes from seq, out of the ring (it may wrap). */
		u32 off = (tp->snd_head + (seq - tp->snd_una)) % tp->snd_size;
		u32 first = MIN(len, tp->snd_size - off);
		u8 *d = (u8 *)th + TCP_HLEN + optlen;

		memcpy(d, tp->sndbuf + off, first);
		memcpy(d + first, tp->sndbuf, len - first);
	}
	o = (u8 *)th + TCP_HLEN;
	if (flags & TH_SYN) {
		u16 mss = htons(tcp_mss_for(tp->raddr));

		o[0] = TCPOPT_MSS;
		o[1] = 4;
		memcpy(o + 2, &mss, 2);
		/* Window scale only if we offer it (our SYN) or the peer
		 * did (SYN-ACK): RFC 7323 §2.2. */
		if (!(flags & TH_ACK) || tp->snd_wscale || tp->rcv_wscale) {
			o[4] = TCPOPT_NOP;
			o[5] = TCPOPT_WSCALE;
			o[6] = 3;
			o[7] = tp->rcv_wscale;
		} else {
			memset(o + 4, TCPOPT_NOP, 4);
		}
	}
	th->doff = (TCP_HLEN + optlen) / 4;
	if (flags & TH_FIN) th->fin = 1;
	if (flags & TH_SYN) th->syn = 1;
	if (flags & TH_RST) th->rst = 1;
	if (flags & TH_PSH) th->psh = 1;
	if (flags & TH_ACK) {
		th->ack = 1;
		th->ack_seq = htonl(tp->rcv_nxt);
	}
	win = tcp_rcv_window(tp);
	/* RFC 7323 §2.2: the window in a SYN is never scaled. */
	th->window = htons((u16)MIN(flags & TH_SYN ? win : win >> tp->rcv_wscale, 65535u));
	if (flags & TH_ACK) {
		tp->rcv_adv = tp->rcv_nxt + ((flags & TH_SYN) ? MIN(win, 65535u) :
					      MIN(win, 65535u << tp->rcv_wscale));
		tp->ack_pending = 0;
		net_timer_cancel(&tp->delack_timer);
	}
	th->check = (u16)~csum_fold(csum_pseudo(tp->laddr, tp->raddr, IPPROTO_TCP,
						(u16)p->len));
	p->csum_partial = true;
	p->csum_start = 0;
	p->csum_offset = offsetof(struct tcphdr, check);
	return ipv4_output(p, tp->laddr, tp->raddr, IPPROTO_TCP, 0, NULL);
}

void tcp_send_ack(struct tcp_sock *tp)
{
	tcp_xmit(tp, tp->snd_nxt, 0, TH_ACK);
}

void tcp_send_syn(struct tcp_sock *tp)
{
	u8 flags = TH_SYN | (tp->state == TCPS_SYN_RECV ? TH_ACK : 0);

	if (!tp->retries) {
		tp->rtt_timing = true;
		tp->rtt_seq = tp->iss;
		tp->rtt_start = ktime_get();
	}
	tcp_xmit(tp, tp->iss, 0, flags);
	tp->snd_nxt = tp->iss + 1;
	tp->snd_max = seq_max(tp->snd_max, tp->snd_nxt);
	tcp_arm_rtx(tp);
}

void tcp_send_reset(struct tcp_sock *tp)
{
	tcp_xmit(tp, tp->snd_nxt, 0, TH_RST | TH_ACK);
}

void tcp_send_reset_reply(struct pkt *p, const struct tcphdr *in, u32 seg_len)
{
	const struct iphdr *ih = (const struct iphdr *)p->nh;
	struct tcp_sock fake;

	if (in->rst)
		return;
	/* RFC 9293 §3.10.7.1: take the sequence from the ACK, else ACK
	 * everything the segment occupied. A throwaway control block
	 * carries the addresses (no buffers, no timers). */
	memset(&fake, 0, sizeof(fake));
	fake.laddr = ih->daddr;
	fake.raddr = ih->saddr;
	fake.lport = in->dest;
	fake.rport = in->source;
	if (in->ack) {
		tcp_xmit(&fake, ntohl(in->ack_seq), 0, TH_RST);
	} else {
		fake.rcv_nxt = ntohl(in->seq) + seg_len;
		tcp_xmit(&fake, 0, 0, TH_RST | TH_ACK);
	}
}

void tcp_rtt_sample(struct tcp_sock *tp, u64 r)
{
	/* RFC 6298 §2.2-2.3, alpha = 1/8, beta = 1/4; the clock is fine
	 * grained, so G is negligible against TCP_RTO_MIN. */
	if (!tp->srtt) {
		tp->srtt = r;
		tp->rttvar = r / 2;
	} else {
		u64 d = tp->srtt > r ? tp->srtt - r : r - tp->srtt;

		tp->rttvar = (3 * tp->rttvar + d) / 4;
		tp->srtt = (7 * tp->srtt + r) / 8;
	}
	tp->rto = MIN(MAX(tp->srtt + 4 * tp->rttvar, TCP_RTO_MIN), TCP_RTO_MAX);
}

void tcp_arm_rtx(struct tcp_sock *tp)
{
	net_timer_arm(&tp->rtx_timer, ktime_get() + tp->rto);
}

/* Resend the first unacknowledged segment (fast retransmit). */
void tcp_retransmit_first(struct tcp_sock *tp)
{
	u32 len = MIN((u32)tp->mss, tp->snd_len);
	u8 flags = TH_ACK;

	if (!len && !tp->fin_sent)
		return;
	if (len == tp->snd_len && tp->fin_sent)
		flags |= TH_FIN;
	tp->rtt_timing = false;         /* Karn: no samples from retransmits */
	tp->retransmits++;
	tcp_xmit(tp, tp->snd_una, len, flags);
}

void tcp_rtx_timeout(struct net_timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, rtx_timer);
	u32 flight;

	switch (tp->state) {
	case TCPS_TIME_WAIT:
	case TCPS_FIN_WAIT2:
		/* 2 MSL over, or an orphan's peer never closed. */
		tcp_done(tp, 0);
		return;
	case TCPS_CLOSED:
	case TCPS_LISTEN:
		return;
	default:
		break;
	}
	if (++tp->retries > (tp->state <= TCPS_SYN_RECV ? TCP_SYN_RETRIES : TCP_RETRIES)) {
		tcp_send_reset(tp);
		tcp_done(tp, -ETIMEDOUT);
		return;
	}
	/* RFC 6298 §5.5: back off. */
	tp->rto = MIN(tp->rto * 2, TCP_RTO_MAX);
	tp->rtt_timing = false;
	if (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECV) {
		tcp_send_syn(tp);
		return;
	}
	flight = tcp_flight(tp);
	if (flight) {
		/* RFC 5681 §3.1 (4): ssthresh from the flight, cwnd = 1 MSS,
		 * then go back and resend from snd_una. */
		tp->ssthresh = MAX(flight / 2, 2u * tp->mss);
		tp->cwnd = tp->mss;
		tp->in_recovery = false;
		tp->dupacks = 0;
		tp->retransmits++;
		tp->snd_nxt = tp->snd_una;
		if (tp->fin_sent)
			tp->fin_sent = false;   /* resent with the last data */
	}
	tcp_output(tp, false);
	/* Zero window and nothing in flight: probe with one byte. */
	if (!tcp_flight(tp) && tp->snd_len && !tp->snd_wnd) {
		tcp_xmit(tp, tp->snd_una, 1, TH_ACK);
		tp->snd_nxt = tp->snd_una + 1;
		tp->snd_max = seq_max(tp->snd_max, tp->snd_nxt);
	}
	if (tcp_flight(tp) || tp->snd_len)
		tcp_arm_rtx(tp);
}

void tcp_delack_timeout(struct net_timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, delack_timer);

	if (tp->state >= TCPS_ESTABLISHED && tp->state != TCPS_TIME_WAIT)
		tcp_send_ack(tp);
}

void tcp_schedule_ack(struct tcp_sock *tp)
{
	if (++tp->ack_pending >= 2) {
		tcp_send_ack(tp);
		return;
	}
	if (!tp->delack_timer.pending)
		net_timer_arm(&tp->delack_timer, ktime_get() + TCP_DELACK);
}

static bool tcp_can_send_data(const struct tcp_sock *tp)
{
	switch (tp->state) {
	case TCPS_ESTABLISHED:
	case TCPS_CLOSE_WAIT:
	case TCPS_FIN_WAIT1:
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
		return true;
	default:
		return false;
	}
}

void tcp_output(struct tcp_sock *tp, bool force_ack)
{
	bool sent = false;

	/* The window's worth of segments below is one burst for the
	 * device: one notification for all (netdev.h). */
	netdev_tx_begin();
	while (tcp_can_send_data(tp)) {
		u32 off = tp->snd_nxt - tp->snd_una;
		u32 unsent = tp->snd_len > off ? tp->snd_len - off : 0;
		u32 wnd = MIN(tp->snd_wnd, tp->cwnd);
		u32 usable = seq_lt(tp->snd_nxt, tp->snd_una + wnd) ?
			     tp->snd_una + wnd - tp->snd_nxt : 0;
		u32 len = MIN(MIN(unsent, usable), (u32)tp->mss);
		bool fin = tp->fin_queued && !tp->fin_sent && len == unsent;
		u8 flags = TH_ACK;

		if (!len && !fin)
			break;
		/* The FIN, alone, goes only when the data before it went. */
		if (!len && unsent)
			break;
		/* Nagle: a small segment waits while data is unacked. */
		if (len && len < tp->mss && !fin && !tp->nodelay && off)
			break;
		if (len == unsent)
			flags |= TH_PSH;
		if (fin)
			flags |= TH_FIN;
		if (tcp_xmit(tp, tp->snd_nxt, len, flags))
			break;
		if (!tp->rtt_timing && len) {
			tp->rtt_timing = true;
			tp->rtt_seq = tp->snd_nxt;
			tp->rtt_start = ktime_get();
		}
		tp->snd_nxt += len + (fin ? 1 : 0);
		if (fin)
			tp->fin_sent = true;
		tp->snd_max = seq_max(tp->snd_max, tp->snd_nxt);
		if (!tp->rtx_timer.pending)
			tcp_arm_rtx(tp);
		sent = true;
	}
	/* Unsent data and a shut window: the persist timer probes. */
	if (tcp_can_send_data(tp) && tp->snd_len && !tp->snd_wnd && !tp->rtx_timer.pending)
		tcp_arm_rtx(tp);
	if (!sent && force_ack)
		tcp_send_ack(tp);
	netdev_tx_end();
}
