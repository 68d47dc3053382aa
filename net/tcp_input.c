/*
 * TCP input: "segment arrives" (RFC 9293 §3.10.7) for listeners, active
 * opens and synchronized connections, with RFC 5961's challenge ACKs
 * against blind resets, the receive side (in-order data into the ring,
 * out-of-order segments queued), and the sender's ACK processing
 * (RFC 6298 samples, RFC 5681 congestion window, fast retransmit on the
 * third duplicate ACK with NewReno's recovery point, RFC 6582). net_lock.
 *
 * Malformed segments (short, a data offset that lies, a bad checksum)
 * are dropped and counted before any state is touched.
 */
#include "net/tcp.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"

#define TCP_INIT_CWND_SEGS 10           /* RFC 6928 */
#define TCP_CWND_MAX       (16u << 20)

struct tcp_seg {
	u32 seq, ack, len, wnd;         /* host order; wnd unscaled */
	u8 flags;
	u16 mss;                        /* 0: no option */
	int wscale;                     /* -1: no option */
	u8 *data;
};

static void tcp_parse_options(const u8 *o, u32 len, struct tcp_seg *s)
{
	u32 i = 0;

	while (i < len) {
		u8 kind = o[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
			break;          /* a length that lies: ignore the rest */
		if (kind == TCPOPT_MSS && o[i + 1] == 4)
			s->mss = (u16)(o[i + 2] << 8 | o[i + 3]);
		else if (kind == TCPOPT_WSCALE && o[i + 1] == 3)
			s->wscale = MIN(o[i + 2], TCP_MAX_WSCALE);
		i += o[i + 1];
	}
}

static struct tcp_sock *tcp_lookup(u32 saddr, u16 sport, u32 daddr, u16 dport)
{
	struct tcp_sock *tp, *listener = NULL;

	list_for_each_entry(tp, &tcp_socks, node) {
		if (tp->lport != dport)
			continue;
		if (tp->state == TCPS_LISTEN) {
			if (!tp->laddr || tp->laddr == daddr)
				listener = tp;
			continue;
		}
		if (tp->state != TCPS_CLOSED && tp->rport == sport &&
		    tp->raddr == saddr && tp->laddr == daddr)
			return tp;
	}
	return listener;
}

static u32 tcp_mss_clamp(u16 peer, u32 daddr)
{
	return MIN(peer ? peer : TCP_MSS_DEFAULT, tcp_mss_for(daddr));
}

static void tcp_listen_input(struct tcp_sock *l, struct pkt *p, const struct tcphdr *th,
			     const struct tcp_seg *s)
{
	const struct iphdr *ih = (const struct iphdr *)p->nh;
	struct tcp_sock *c;
	u32 rcvbuf = l->so ? l->so->rcvbuf : SOCK_DEFAULT_RCVBUF;
	u32 sndbuf = l->so ? l->so->sndbuf : SOCK_DEFAULT_SNDBUF;

	if (s->flags & TH_RST)
		return;
	if (s->flags & TH_ACK) {
		tcp_send_reset_reply(p, th, 0);
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	if (l->syn_count + l->accept_count >= (u32)l->backlog) {
		net_count_drop(p->dev, NET_DROP_TCP_STATE);     /* backlog full */
		return;
	}
	c = tcp_sock_new(l);
	if (!c) {
		net_count_drop(p->dev, NET_DROP_NOMEM);
		return;
	}
	if (tcp_alloc_buffers(c, sndbuf, rcvbuf)) {
		net_count_drop(p->dev, NET_DROP_NOMEM);
		c->parent = NULL;
		tcp_done(c, 0);
		return;
	}
	c->laddr = ih->daddr;
	c->raddr = ih->saddr;
	c->lport = th->dest;
	c->rport = th->source;
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	c->snd_una = c->iss;
	c->snd_max = c->iss;
	if (s->wscale >= 0) {
		c->snd_wscale = (u8)s->wscale;
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	c->mss = (u16)tcp_mss_clamp(s->mss, c->raddr);
	c->cwnd = TCP_INIT_CWND_SEGS * c->mss;
	c->snd_wnd = s->wnd;            /* a SYN's window is not scaled */
	c->snd_wl1 = s->seq;
	c->snd_wl2 = c->iss;
	c->nodelay = l->nodelay;
	c->state = TCPS_SYN_RECV;
	l->syn_count++;
	tcp_send_syn(c);
}

static void tcp_synsent_input(struct tcp_sock *tp, struct pkt *p, const struct tcphdr *th,
			      const struct tcp_seg *s)
{
	if ((s->flags & TH_ACK) &&
	    (seq_le(s->ack, tp->iss) || seq_gt(s->ack, tp->snd_max))) {
		tcp_send_reset_reply(p, th, 0);
		return;
	}
	if (s->flags & TH_RST) {
		if (s->flags & TH_ACK)
			tcp_done(tp, -ECONNREFUSED);
		return;
	}
	if (!(s->flags & TH_SYN))
		return;
	tp->irs = s->seq;
	tp->rcv_nxt = s->seq + 1;
	tp->rcv_adv = tp->rcv_nxt;
	if (s->wscale >= 0) {
		tp->snd_wscale = (u8)s->wscale;
	} else {
		tp->snd_wscale = 0;
		tp->rcv_wscale = 0;
	}
	tp->mss = (u16)tcp_mss_clamp(s->mss, tp->raddr);
	tp->cwnd = TCP_INIT_CWND_SEGS * tp->mss;
	tp->snd_wnd = s->wnd;
	tp->snd_wl1 = s->seq;
	if (!(s->flags & TH_ACK)) {
		/* Simultaneous open (RFC 9293 §3.5, figure 8). */
		tp->state = TCPS_SYN_RECV;
		tp->retries = 0;
		tcp_send_syn(tp);
		return;
	}
	tp->snd_wl2 = s->ack;
	tp->snd_una = s->ack;
	if (tp->rtt_timing && seq_gt(s->ack, tp->rtt_seq)) {
		tcp_rtt_sample(tp, ktime_get() - tp->rtt_start);
		tp->rtt_timing = false;
	}
	tp->retries = 0;
	net_timer_cancel(&tp->rtx_timer);
	tcp_set_state(tp, TCPS_ESTABLISHED);
	tcp_send_ack(tp);
}

/* Copy up to len bytes into the receive ring; returns how many fit. */
static u32 tcp_rcv_copy(struct tcp_sock *tp, const u8 *data, u32 len)
{
	u32 n = MIN(len, tp->rcv_size - tp->rcv_len);
	u32 tail = (tp->rcv_head + tp->rcv_len) % tp->rcv_size;
	u32 first = MIN(n, tp->rcv_size - tail);

	memcpy(tp->rcvbuf + tail, data, first);
	memcpy(tp->rcvbuf, data + first, n - first);
	tp->rcv_len += n;
	return n;
}

/* Move queued out-of-order data that now follows rcv_nxt. */
static void tcp_ooo_drain(struct tcp_sock *tp)
{
	struct pkt *q, *tmp;

	list_for_each_entry_safe(q, tmp, &tp->ooo, node) {
		u32 end = q->tcp_seq + q->len;

		if (seq_gt(q->tcp_seq, tp->rcv_nxt))
			break;
		if (seq_gt(end, tp->rcv_nxt)) {
			u32 skip = tp->rcv_nxt - q->tcp_seq;
			u32 n = tcp_rcv_copy(tp, q->data + skip, q->len - skip);

			tp->rcv_nxt += n;
			if (n < q->len - skip)
				break;  /* buffer full: keep the rest queued */
		}
		list_del(&q->node);
		tp->ooo_count--;
		pkt_free(q);
	}
}

/* Queue a segment beyond rcv_nxt; takes p (data at the payload). */
static bool tcp_ooo_queue(struct tcp_sock *tp, struct pkt *p, u32 seq)
{
	struct list_node *at = tp->ooo.next;

	if (tp->ooo_count >= TCP_OOO_MAX) {
		net_count_drop(p->dev, NET_DROP_TCP_OOO);
		return false;
	}
	while (at != &tp->ooo && seq_lt(list_entry(at, struct pkt, node)->tcp_seq, seq))
		at = at->next;
	p->tcp_seq = seq;
	list_add_tail(&p->node, at);
	tp->ooo_count++;
	return true;
}

/* The segment's data (RFC 9293 §3.10.7.4, seventh). Returns true if p was
 * kept (out-of-order queue). */
static bool tcp_data(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *s)
{
	u32 seq = s->seq, len = s->len, n;
	u8 *data = s->data;

	if (seq_lt(seq, tp->rcv_nxt)) {
		u32 skip = tp->rcv_nxt - seq;

		if (skip >= len) {
			tcp_send_ack(tp);       /* a duplicate: re-ACK */
			return false;
		}
		data += skip;
		len -= skip;
		seq = tp->rcv_nxt;
	}
	if (seq != tp->rcv_nxt) {
		/* A hole before it: keep it, and say what we miss (the
		 * duplicate ACK drives the sender's fast retransmit). */
		bool kept;

		pkt_pull(p, (u32)(data - p->data));
		pkt_trim(p, len);
		kept = tcp_ooo_queue(tp, p, seq);
		tcp_send_ack(tp);
		return kept;
	}
	n = tcp_rcv_copy(tp, data, len);
	tp->rcv_nxt += n;
	if (n < len)
		net_count_drop(p->dev, NET_DROP_RCVBUF);        /* beyond the window */
	if (!list_empty(&tp->ooo))
		tcp_ooo_drain(tp);
	s->len = n;
	if (n < len || !list_empty(&tp->ooo) || (s->flags & TH_FIN))
		tcp_send_ack(tp);
	else
		tcp_schedule_ack(tp);
	tcp_wake(tp);
	return false;
}

/* New data acknowledged up to ack. Returns true if our FIN is acked. */
static bool tcp_ack_new(struct tcp_sock *tp, u32 ack)
{
	u32 acked = ack - tp->snd_una;
	u32 data = MIN(acked, tp->snd_len);
	bool fin_acked = tp->fin_sent && acked > tp->snd_len;

	tp->snd_head = tp->snd_size ? (tp->snd_head + data) % tp->snd_size : 0;
	tp->snd_len -= data;
	tp->snd_una = ack;
	if (seq_lt(tp->snd_nxt, tp->snd_una))
		tp->snd_nxt = tp->snd_una;
	if (tp->rtt_timing && seq_gt(ack, tp->rtt_seq)) {
		tcp_rtt_sample(tp, ktime_get() - tp->rtt_start);
		tp->rtt_timing = false;
	} else if (tp->srtt) {
		/* RFC 6298 §5.7 leaves it open; undo the backoff once new
		 * data is acknowledged. */
		tp->rto = MIN(MAX(tp->srtt + 4 * tp->rttvar, TCP_RTO_MIN), TCP_RTO_MAX);
	}
	tp->retries = 0;
	if (tp->in_recovery) {
		if (seq_ge(ack, tp->recover)) {
			tp->in_recovery = false;
			tp->cwnd = tp->ssthresh;
		} else {
			/* NewReno partial ACK: the next hole, resent now. */
			tcp_retransmit_first(tp);
			tp->cwnd = tp->cwnd > acked ? tp->cwnd - acked + tp->mss : tp->mss;
		}
	} else if (tp->cwnd < tp->ssthresh) {
		tp->cwnd += MIN(acked, (u32)tp->mss);           /* slow start */
	} else {
		tp->cwnd += MAX(1u, (u32)tp->mss * tp->mss / tp->cwnd);
	}
	tp->cwnd = MIN(tp->cwnd, TCP_CWND_MAX);
	tp->dupacks = 0;
	if (tcp_flight(tp))
		tcp_arm_rtx(tp);
	else
		net_timer_cancel(&tp->rtx_timer);
	tcp_wake(tp);
	return fin_acked;
}

static void tcp_dupack(struct tcp_sock *tp)
{
	if (++tp->dupacks == 3 && !tp->in_recovery) {
		/* RFC 5681 §3.2 steps 2-4. */
		tp->ssthresh = MAX(tcp_flight(tp) / 2, 2u * tp->mss);
		tp->recover = tp->snd_max;
		tp->in_recovery = true;
		tcp_retransmit_first(tp);
		tp->cwnd = tp->ssthresh + 3u * tp->mss;
	} else if (tp->dupacks > 3 && tp->in_recovery) {
		tp->cwnd = MIN(tp->cwnd + tp->mss, TCP_CWND_MAX);   /* inflation */
	}
}

static void tcp_enter_time_wait(struct tcp_sock *tp)
{
	net_timer_cancel(&tp->delack_timer);
	tcp_set_state(tp, TCPS_TIME_WAIT);
	net_timer_arm(&tp->rtx_timer, ktime_get() + TCP_TIMEWAIT_LEN);
}

/* Synchronized states and SYN_RECV. Returns true if p was kept. */
static bool tcp_sync_input(struct tcp_sock *tp, struct pkt *p, const struct tcphdr *th,
			   struct tcp_seg *s)
{
	u32 seg_len = s->len + ((s->flags & TH_SYN) ? 1 : 0) + ((s->flags & TH_FIN) ? 1 : 0);
	u32 wnd = seq_gt(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	bool fin_acked = false, kept = false;

	/* First: sequence acceptable? */
	if (!tcp_seq_acceptable(s->seq, seg_len, tp->rcv_nxt, wnd)) {
		if (!(s->flags & TH_RST))
			tcp_send_ack(tp);
		net_count_drop(p->dev, NET_DROP_TCP_STATE);
		return false;
	}
	/* Second: RST. RFC 5961 §3.2: only an exact match resets; another
	 * in the window gets a challenge ACK. */
	if (s->flags & TH_RST) {
		if (s->seq != tp->rcv_nxt) {
			tcp_send_ack(tp);
			return false;
		}
		/* RFC 9293 §3.10.7.4: a passive open goes back to the
		 * listener (the child just goes), an active one was refused;
		 * while closing the user is not told. */
		if (tp->state == TCPS_SYN_RECV)
			tcp_done(tp, tp->parent ? 0 : -ECONNREFUSED);
		else if (tp->state >= TCPS_CLOSING)
			tcp_done(tp, 0);
		else
			tcp_done(tp, -ECONNRESET);
		return false;
	}
	/* Fourth: a SYN in a synchronized state: challenge ACK (RFC 5961
	 * §4.2). */
	if (s->flags & TH_SYN) {
		tcp_send_ack(tp);
		return false;
	}
	if (!(s->flags & TH_ACK))
		return false;
	/* Fifth: the ACK. */
	if (tp->state == TCPS_SYN_RECV) {
		if (!seq_gt(s->ack, tp->snd_una) || seq_gt(s->ack, tp->snd_max)) {
			tcp_send_reset_reply(p, th, 0);
			return false;
		}
		tp->snd_wnd = s->wnd << tp->snd_wscale;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		tp->state = TCPS_ESTABLISHED;
		if (tp->parent)
			tcp_child_established(tp);
		else
			tcp_wake(tp);
	}
	if (seq_gt(s->ack, tp->snd_max)) {
		tcp_send_ack(tp);       /* acks what we never sent */
		return false;
	}
	if (seq_gt(s->ack, tp->snd_una)) {
		fin_acked = tcp_ack_new(tp, s->ack);
	} else if (s->ack == tp->snd_una && !s->len && !(s->flags & TH_FIN) &&
		   (s->wnd << tp->snd_wscale) == tp->snd_wnd && tcp_flight(tp)) {
		tcp_dupack(tp);
	}
	if (seq_lt(tp->snd_wl1, s->seq) ||
	    (tp->snd_wl1 == s->seq && seq_le(tp->snd_wl2, s->ack))) {
		tp->snd_wnd = s->wnd << tp->snd_wscale;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
	}
	switch (tp->state) {
	case TCPS_FIN_WAIT1:
		if (fin_acked) {
			tcp_set_state(tp, TCPS_FIN_WAIT2);
			if (!tp->so)
				net_timer_arm(&tp->rtx_timer, ktime_get() + TCP_FIN_TIMEOUT);
		}
		break;
	case TCPS_CLOSING:
		if (fin_acked)
			tcp_enter_time_wait(tp);
		break;
	case TCPS_LAST_ACK:
		if (fin_acked) {
			tcp_done(tp, 0);
			return false;
		}
		break;
	case TCPS_TIME_WAIT:
		if (s->flags & TH_FIN) {
			tcp_send_ack(tp);       /* our ACK was lost: again */
			tcp_enter_time_wait(tp);
		}
		return false;
	default:
		break;
	}
	/* Seventh: data. Nobody will ever read new data that reaches a
	 * closed, orphaned connection: reset it, so the sender learns at once
	 * (its next send fails with EPIPE), as Linux does. A retransmission
	 * of what already arrived is not new (the peer missed our ACK) and
	 * gets the usual ACK below: a reset then would make the peer discard
	 * what we sent before closing. */
	if (s->len && !tp->so && !tp->parent && tp->fin_queued &&
	    seq_gt(s->seq + s->len, tp->rcv_nxt)) {
		net_count_drop(p->dev, NET_DROP_TCP_STATE);
		tcp_send_reset(tp);
		tcp_done(tp, 0);
		return false;
	}
	if (s->len) {
		if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_FIN_WAIT1 ||
		    tp->state == TCPS_FIN_WAIT2) {
			u32 seq0 = s->seq;

			kept = tcp_data(tp, p, s);
			if (kept || seq_gt(seq0, tp->rcv_nxt))
				goto out;       /* the FIN, if any, waits */
		} else {
			net_count_drop(p->dev, NET_DROP_TCP_STATE);
		}
	}
	/* Eighth: FIN, once everything before it has arrived. */
	if ((s->flags & TH_FIN) && !tp->fin_rcvd && s->seq + s->len == tp->rcv_nxt) {
		tp->rcv_nxt++;
		tp->fin_rcvd = true;
		switch (tp->state) {
		case TCPS_SYN_RECV:
		case TCPS_ESTABLISHED:
			tcp_set_state(tp, TCPS_CLOSE_WAIT);
			break;
		case TCPS_FIN_WAIT1:
			tcp_set_state(tp, TCPS_CLOSING);
			break;
		case TCPS_FIN_WAIT2:
			tcp_enter_time_wait(tp);
			break;
		default:
			break;
		}
		tcp_send_ack(tp);
		tcp_wake(tp);
	}
out:
	tcp_output(tp, false);
	return kept;
}

void tcp_input(struct pkt *p)
{
	const struct iphdr *ih = (const struct iphdr *)p->nh;
	struct tcphdr *th = (struct tcphdr *)p->th;
	struct tcp_seg s = { .wscale = -1 };
	struct tcp_sock *tp;
	u32 hlen;
	bool kept = false;

	if (p->len < TCP_HLEN) {
		net_count_drop(p->dev, NET_DROP_TRUNCATED);
		goto drop;
	}
	hlen = th->doff * 4u;
	if (hlen < TCP_HLEN || hlen > p->len) {
		net_count_drop(p->dev, NET_DROP_BAD_LEN);
		goto drop;
	}
	if (!ipv4_l4_csum_ok(p, p->len)) {
		net_count_drop(p->dev, NET_DROP_BAD_CSUM);
		goto drop;
	}
	if (p->link_bcast || ih->daddr == htonl(INADDR_BROADCAST)) {
		net_count_drop(p->dev, NET_DROP_NOT_FOR_US);
		goto drop;
	}
	s.seq = ntohl(th->seq);
	s.ack = ntohl(th->ack_seq);
	s.wnd = ntohs(th->window);
	s.flags = ((u8 *)th)[13];
	s.len = p->len - hlen;
	s.data = p->data + hlen;
	if (s.flags & TH_SYN)
		tcp_parse_options((u8 *)th + TCP_HLEN, hlen - TCP_HLEN, &s);

	tp = tcp_lookup(ih->saddr, th->source, ih->daddr, th->dest);
	if (!tp) {
		net_count_drop(p->dev, NET_DROP_NO_SOCKET);
		tcp_send_reset_reply(p, th, s.len + ((s.flags & TH_SYN) ? 1 : 0) +
				     ((s.flags & TH_FIN) ? 1 : 0));
		goto drop;
	}
	switch (tp->state) {
	case TCPS_LISTEN:
		tcp_listen_input(tp, p, th, &s);
		break;
	case TCPS_SYN_SENT:
		tcp_synsent_input(tp, p, th, &s);
		break;
	default:
		kept = tcp_sync_input(tp, p, th, &s);
	}
drop:
	if (!kept)
		pkt_free(p);
}
