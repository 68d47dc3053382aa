/*
 * TCP sockets: the socket operations, ports, connection lifetime and the
 * receive window (see tcp.h for the ownership rules). net_lock.
 */
#include "net/tcp.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"

struct list_node tcp_socks = LIST_INIT(tcp_socks);     /* every tcp_sock */
static u16 tcp_next_ephemeral = 49152;

static struct tcp_sock *tcp_sk(struct socket *so)
{
	return so->proto;
}

void tcp_wake(struct tcp_sock *tp)
{
	if (tp->so)
		sock_wake(tp->so);
	else if (tp->parent && tp->parent->so)
		sock_wake(tp->parent->so);
}

void tcp_set_state(struct tcp_sock *tp, enum tcp_state s)
{
	tp->state = s;
	tcp_wake(tp);
}

static u8 tcp_wscale_for(u32 size)
{
	u8 s = 0;

	while (s < TCP_MAX_WSCALE && (size >> s) > 65535)
		s++;
	return s;
}

int tcp_alloc_buffers(struct tcp_sock *tp, u32 sndbuf, u32 rcvbuf)
{
	tp->sndbuf = kmalloc(sndbuf, GFP_KERNEL);
	tp->rcvbuf = kmalloc(rcvbuf, GFP_KERNEL);
	if (!tp->sndbuf || !tp->rcvbuf) {
		kfree(tp->sndbuf);
		kfree(tp->rcvbuf);
		tp->sndbuf = tp->rcvbuf = NULL;
		return -ENOMEM;
	}
	tp->snd_size = sndbuf;
	tp->rcv_size = rcvbuf;
	tp->rcv_wscale = tcp_wscale_for(rcvbuf);
	return 0;
}

struct tcp_sock *tcp_sock_new(struct tcp_sock *parent)
{
	struct tcp_sock *tp = kzalloc(sizeof(*tp), GFP_KERNEL);

	if (!tp)
		return NULL;
	tp->parent = parent;
	tp->state = TCPS_CLOSED;
	tp->mss = TCP_MSS_DEFAULT;
	tp->rto = TCP_RTO_INIT;
	tp->ssthresh = 0xffffffffu;     /* RFC 5681 §3.1: arbitrarily high */
	list_init(&tp->ooo);
	list_init(&tp->accept_q);
	list_init(&tp->accept_node);
	net_timer_init(&tp->rtx_timer, tcp_rtx_timeout);
	net_timer_init(&tp->delack_timer, tcp_delack_timeout);
	get_random_bytes(&tp->iss, sizeof(tp->iss));
	list_add_tail(&tp->node, &tcp_socks);
	return tp;
}

static void tcp_free(struct tcp_sock *tp)
{
	struct pkt *p, *tmp;

	list_for_each_entry_safe(p, tmp, &tp->ooo, node) {
		list_del(&p->node);
		pkt_free(p);
	}
	kfree(tp->sndbuf);
	kfree(tp->rcvbuf);
	kfree(tp);
}

void tcp_done(struct tcp_sock *tp, int err)
{
	struct tcp_sock *parent = tp->parent;

	net_timer_cancel(&tp->rtx_timer);
	net_timer_cancel(&tp->delack_timer);
	if (tp->state == TCPS_CLOSED && list_empty(&tp->node))
		return;
	tp->state = TCPS_CLOSED;
	list_del(&tp->node);            /* no more input reaches it */
	if (tp->so) {
		if (err)
			tp->so->error = err;
		sock_wake(tp->so);
		return;                 /* freed by release */
	}
	if (parent) {
		/* Never accepted: off the listener's books. */
		if (list_empty(&tp->accept_node)) {
			parent->syn_count--;
		} else {
			list_del(&tp->accept_node);
			parent->accept_count--;
		}
	}
	tcp_free(tp);
}

void tcp_child_established(struct tcp_sock *tp)
{
	struct tcp_sock *l = tp->parent;

	l->syn_count--;
	l->accept_count++;
	list_add_tail(&tp->accept_node, &l->accept_q);
	if (l->so)
		sock_wake(l->so);
}

u32 tcp_rcv_window(struct tcp_sock *tp)
{
	u32 free, right, min_step;

	if (!tp->rcv_size)
		return 0;
	free = tp->rcv_size - tp->rcv_len;
	/* Receiver-side silly window avoidance (RFC 1122 §4.2.3.3): move
	 * the right edge only by a full segment or half the buffer, and
	 * never back (RFC 9293 §3.8.6.2.2: don't shrink the window). */
	right = tp->rcv_nxt + free;
	min_step = MIN(tp->rcv_size / 2, (u32)tp->mss);
	if (seq_lt(right, tp->rcv_adv + min_step))
		right = tp->rcv_adv;
	return seq_gt(right, tp->rcv_nxt) ? right - tp->rcv_nxt : 0;
}

/* ---- ports ---- */

static bool tcp_port_used(u16 port, u32 addr, const struct tcp_sock *self, bool reuse)
{
	struct tcp_sock *tp;

	list_for_each_entry(tp, &tcp_socks, node) {
		if (tp == self || tp->lport != port)
			continue;
		if (tp->laddr && addr && tp->laddr != addr)
			continue;
		/* SO_REUSEADDR: only a listener (or a socket bound to
		 * listen) keeps the port; old connections do not. */
		if (reuse && tp->state != TCPS_LISTEN && tp->state != TCPS_CLOSED)
			continue;
		return true;
	}
	return false;
}

static int tcp_autobind(struct tcp_sock *tp)
{
	for (int i = 0; i < 16384; i++) {
		u16 port = htons(tcp_next_ephemeral);

		tcp_next_ephemeral = tcp_next_ephemeral == 65535 ? 49152 :
				     tcp_next_ephemeral + 1;
		if (!tcp_port_used(port, tp->laddr, tp, false)) {
			tp->lport = port;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* ---- socket operations ---- */

static int tcp_bind(struct socket *so, const struct sockaddr_in *sin)
{
	struct tcp_sock *tp = tcp_sk(so);
	u32 addr = sin->sin_addr.s_addr;

	if (tp->lport || tp->state != TCPS_CLOSED)
		return -EINVAL;
	if (addr && !ipv4_is_local(addr))
		return -EADDRNOTAVAIL;
	tp->laddr = addr;
	if (!sin->sin_port)
		return tcp_autobind(tp);
	if (tcp_port_used(sin->sin_port, addr, tp, so->reuseaddr))
		return -EADDRINUSE;
	tp->lport = sin->sin_port;
	return 0;
}

static int tcp_listen(struct socket *so, int backlog)
{
	struct tcp_sock *tp = tcp_sk(so);
	int err;

	if (tp->state != TCPS_CLOSED && tp->state != TCPS_LISTEN)
		return -EINVAL;
	if (!tp->lport) {
		err = tcp_autobind(tp);
		if (err)
			return err;
	}
	tp->backlog = backlog ? backlog : 1;
	tp->state = TCPS_LISTEN;
	return 0;
}

static bool tcp_acceptable(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);

	return !list_empty(&tp->accept_q) || tp->state != TCPS_LISTEN;
}

static const struct sock_ops tcp_ops;

static int tcp_accept(struct socket *so, struct socket **newso)
{
	struct tcp_sock *tp = tcp_sk(so), *child;
	struct socket *ns;
	int err;

	if (tp->state != TCPS_LISTEN)
		return -EINVAL;
	if (list_empty(&tp->accept_q)) {
		if (so->nonblock)
			return -EAGAIN;
		err = sock_wait(so, tcp_acceptable, so->rcvtimeo);
		if (err)
			return err;
		if (tp->state != TCPS_LISTEN)
			return -EINVAL;
	}
	ns = sock_alloc(SOCK_STREAM, &tcp_ops);
	if (!ns)
		return -ENOMEM;
	child = list_first_entry(&tp->accept_q, struct tcp_sock, accept_node);
	list_del(&child->accept_node);
	tp->accept_count--;
	child->parent = NULL;
	child->so = ns;
	ns->proto = child;
	ns->rcvbuf = child->rcv_size;
	ns->sndbuf = child->snd_size;
	child->nodelay = tp->nodelay;
	*newso = ns;
	return 0;
}

static bool tcp_connected(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);

	return tp->state != TCPS_SYN_SENT && tp->state != TCPS_SYN_RECV;
}

/* A blocking connect's wait for the handshake, as Linux bounds it: by
 * SO_SNDTIMEO (then -EINPROGRESS, the handshake goes on). */
static int tcp_connect_wait(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);
	int err = sock_wait(so, tcp_connected, so->sndtimeo);

	if (err)
		return err == -EAGAIN ? -EINPROGRESS : err;
	if (tp->state == TCPS_CLOSED) {
		err = so->error ? so->error : -ECONNREFUSED;
		so->error = 0;
		return err;
	}
	return 0;
}

static int tcp_connect(struct socket *so, const struct sockaddr_in *sin)
{
	struct tcp_sock *tp = tcp_sk(so);
	int err;

	switch (tp->state) {
	case TCPS_CLOSED:
		break;
	case TCPS_SYN_SENT:
		/* A blocking connect that a signal interrupted and SA_RESTART
		 * restarted waits on, as on Linux. */
		return so->nonblock ? -EALREADY : tcp_connect_wait(so);
	case TCPS_LISTEN:
		return -EINVAL;
	default:
		return -EISCONN;
	}
	if (list_empty(&tp->node))
		return -ECONNABORTED;   /* a finished connection */
	if (!sin->sin_port || !sin->sin_addr.s_addr)
		return -EINVAL;
	if (!tp->laddr) {
		tp->laddr = route_source(sin->sin_addr.s_addr);
		if (!tp->laddr)
			return -ENETUNREACH;
	}
	tp->raddr = sin->sin_addr.s_addr;
	tp->rport = sin->sin_port;
	if (!tp->lport) {
		err = tcp_autobind(tp);
		if (err)
			return err;
	}
	if (!tp->sndbuf) {
		err = tcp_alloc_buffers(tp, so->sndbuf, so->rcvbuf);
		if (err)
			return err;
	}
	tp->mss = tcp_mss_for(tp->raddr);
	tp->snd_una = tp->iss;
	tp->snd_max = tp->iss;
	tp->state = TCPS_SYN_SENT;
	tcp_send_syn(tp);
	if (so->nonblock)
		return -EINPROGRESS;
	return tcp_connect_wait(so);
}

static bool tcp_writable(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);

	if (tp->state != TCPS_ESTABLISHED && tp->state != TCPS_CLOSE_WAIT)
		return tp->state != TCPS_SYN_SENT && tp->state != TCPS_SYN_RECV;
	return tp->snd_len < tp->snd_size || so->error;
}

static ssize_t tcp_sendmsg(struct socket *so, struct sock_msg *m, size_t len, int flags)
{
	struct tcp_sock *tp = tcp_sk(so);
	size_t done = 0, skip = 0;
	int err = 0;

	while (done < len) {
		u32 room, off, n, first;

		if (so->error) {
			err = so->error;
			so->error = 0;
			break;
		}
		if (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECV) {
			if (so->nonblock || (flags & MSG_DONTWAIT)) {
				err = -EAGAIN;
				break;
			}
			err = sock_wait(so, tcp_writable, so->sndtimeo);
			if (err)
				break;
			continue;
		}
		if ((tp->state != TCPS_ESTABLISHED && tp->state != TCPS_CLOSE_WAIT) ||
		    tp->fin_queued) {
			err = list_empty(&tp->node) || tp->fin_queued ? -EPIPE : -ENOTCONN;
			break;
		}
		room = tp->snd_size - tp->snd_len;
		if (!room) {
			if (so->nonblock || (flags & MSG_DONTWAIT)) {
				err = -EAGAIN;
				break;
			}
			err = sock_wait(so, tcp_writable, so->sndtimeo);
			if (err)
				break;
			continue;
		}
		n = (u32)MIN((size_t)room, len - done);
		off = (tp->snd_head + tp->snd_len) % tp->snd_size;
		first = MIN(n, tp->snd_size - off);
		err = sock_copy_from_msg(m, &skip, tp->sndbuf + off, first);
		if (!err && n > first)
			err = sock_copy_from_msg(m, &skip, tp->sndbuf, n - first);
		if (err)
			break;
		tp->snd_len += n;
		done += n;
		tcp_output(tp, false);
	}
	if (done)
		return (ssize_t)done;
	return err;
}

static bool tcp_readable(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);

	return tp->rcv_len || tp->fin_rcvd || tp->shut_rd || so->error ||
	       tp->state == TCPS_CLOSED;
}

static ssize_t tcp_recvmsg(struct socket *so, struct sock_msg *m, size_t len, int flags)
{
	struct tcp_sock *tp = tcp_sk(so);
	size_t done = 0, skip = 0;
	int err = 0;

	if (tp->state == TCPS_LISTEN)
		return -ENOTCONN;
	while (done < len) {
		u32 n, first, old_win;

		if (!tp->rcv_len) {
			if (done && !(flags & MSG_WAITALL))
				break;
			if (so->error) {
				err = done ? 0 : so->error;
				if (!done)
					so->error = 0;
				break;
			}
			if (tp->fin_rcvd || tp->shut_rd)
				break;
			if (tp->state == TCPS_CLOSED) {
				err = list_empty(&tp->node) && !tp->rcv_size ? -ENOTCONN : 0;
				break;
			}
			if (tp->state == TCPS_SYN_SENT && so->nonblock)
				return -EAGAIN;
			if (so->nonblock || (flags & MSG_DONTWAIT)) {
				err = -EAGAIN;
				break;
			}
			err = sock_wait(so, tcp_readable, so->rcvtimeo);
			if (err)
				break;
			continue;
		}
		n = (u32)MIN((size_t)tp->rcv_len, len - done);
		first = MIN(n, tp->rcv_size - tp->rcv_head);
		err = sock_copy_to_msg(m, &skip, tp->rcvbuf + tp->rcv_head, first);
		if (!err && n > first)
			err = sock_copy_to_msg(m, &skip, tp->rcvbuf, n - first);
		if (err)
			break;
		done += n;
		if (flags & MSG_PEEK)
			break;
		old_win = seq_gt(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
		tp->rcv_head = (tp->rcv_head + n) % tp->rcv_size;
		tp->rcv_len -= n;
		/* Tell the peer the window opened, if by enough to matter. */
		if (tp->state >= TCPS_ESTABLISHED && tp->state != TCPS_TIME_WAIT &&
		    tcp_rcv_window(tp) >= old_win + MAX(2u * tp->mss, tp->rcv_size / 4))
			tcp_send_ack(tp);
	}
	if (done)
		return (ssize_t)done;
	return err;
}

static int tcp_shutdown(struct socket *so, int how)
{
	struct tcp_sock *tp = tcp_sk(so);

	if (tp->state == TCPS_LISTEN || tp->state == TCPS_CLOSED ||
	    tp->state == TCPS_SYN_SENT)
		return -ENOTCONN;
	if (how != SHUT_WR) {
		tp->shut_rd = true;
		sock_wake(so);
	}
	if (how != SHUT_RD && !tp->fin_queued &&
	    (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT ||
	     tp->state == TCPS_SYN_RECV)) {
		tp->fin_queued = true;
		tp->state = tp->state == TCPS_CLOSE_WAIT ? TCPS_LAST_ACK : TCPS_FIN_WAIT1;
		tcp_output(tp, false);
	}
	return 0;
}

static int tcp_getname(struct socket *so, struct sockaddr_in *sin, bool peer)
{
	struct tcp_sock *tp = tcp_sk(so);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (peer) {
		if (tp->state == TCPS_LISTEN || !tp->rport ||
		    (tp->state == TCPS_CLOSED && list_empty(&tp->node) && !tp->rcv_size))
			return -ENOTCONN;
		sin->sin_addr.s_addr = tp->raddr;
		sin->sin_port = tp->rport;
	} else {
		sin->sin_addr.s_addr = tp->laddr;
		sin->sin_port = tp->lport;
	}
	return 0;
}

static int tcp_setsockopt(struct socket *so, int level, int name, int val)
{
	struct tcp_sock *tp = tcp_sk(so);

	if (level == SOL_SOCKET)
		return name == SO_KEEPALIVE && val ? -EOPNOTSUPP : 0;
	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	if (name == TCP_NODELAY) {
		tp->nodelay = val != 0;
		if (tp->nodelay)
			tcp_output(tp, false);
		return 0;
	}
	return -ENOPROTOOPT;
}

static int tcp_getsockopt(struct socket *so, int level, int name, int *val)
{
	struct tcp_sock *tp = tcp_sk(so);

	if (level == SOL_SOCKET && name == SO_KEEPALIVE) {
		*val = 0;
		return 0;
	}
	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	if (name == TCP_NODELAY) {
		*val = tp->nodelay;
		return 0;
	}
	if (name == TCP_MAXSEG) {
		*val = tp->mss;
		return 0;
	}
	return -ENOPROTOOPT;
}

static unsigned tcp_poll(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);
	unsigned mask = 0;

	if (tp->state == TCPS_LISTEN)
		return list_empty(&tp->accept_q) ? 0 : POLLIN | POLLRDNORM;
	if (tp->rcv_len || tp->fin_rcvd || tp->shut_rd)
		mask |= POLLIN | POLLRDNORM;
	if (tp->fin_rcvd)
		mask |= POLLRDHUP;
	if ((tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT) &&
	    !tp->fin_queued && tp->snd_len < tp->snd_size)
		mask |= POLLOUT | POLLWRNORM;
	if (tp->state == TCPS_CLOSED && tp->rcv_size) {
		/* A connection that was, and is over. */
		mask |= POLLHUP | POLLIN | POLLRDNORM;
		if (so->error)
			mask |= POLLERR;
	}
	if (tp->fin_rcvd && tp->fin_queued)
		mask |= POLLHUP;
	return mask;
}

/* SO_LINGER's wait is over: the peer acknowledged our FIN (and so all
 * data before it), or the connection is gone. */
static bool tcp_linger_done(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);

	return tp->state == TCPS_FIN_WAIT2 || tp->state == TCPS_TIME_WAIT ||
	       tp->state == TCPS_CLOSED || so->error;
}

/* close() with SO_LINGER on a connection: a linger time of 0 aborts it
 * (reset, unsent and unread data dropped); otherwise the FIN is queued
 * and close waits for its ack that long, then the connection goes on
 * closing in the background like any other. */
static void tcp_linger(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so);

	if (tp->state == TCPS_LISTEN || tp->state == TCPS_CLOSED ||
	    tp->state == TCPS_SYN_SENT)
		return;
	if (!so->linger_ns) {
		tcp_send_reset(tp);
		tcp_done(tp, 0);        /* release below frees it */
		return;
	}
	tcp_shutdown(so, SHUT_WR);
	sock_wait(so, tcp_linger_done, so->linger_ns == ~0ULL ? 0 : so->linger_ns);
}

static void tcp_release(struct socket *so)
{
	struct tcp_sock *tp = tcp_sk(so), *c, *tmp;

	if (so->linger)
		tcp_linger(so);
	so->proto = NULL;
	tp->so = NULL;
	switch (tp->state) {
	case TCPS_LISTEN:
		/* Reset every connection nobody accepted. */
		list_for_each_entry_safe(c, tmp, &tcp_socks, node)
			if (c->parent == tp) {
				tcp_send_reset(c);
				tcp_done(c, -ECONNRESET);
			}
		tcp_done(tp, 0);
		return;
	case TCPS_CLOSED:
		if (!list_empty(&tp->node))
			tcp_done(tp, 0);
		else
			tcp_free(tp);
		return;
	case TCPS_SYN_SENT:
		tcp_done(tp, 0);
		return;
	default:
		break;
	}
	/* RFC 2525 §2.17: closing with unread data aborts. */
	if (tp->rcv_len) {
		tcp_send_reset(tp);
		tcp_done(tp, 0);
		return;
	}
	if (!tp->fin_queued && tp->state != TCPS_TIME_WAIT && tp->state != TCPS_FIN_WAIT2 &&
	    tp->state != TCPS_CLOSING && tp->state != TCPS_LAST_ACK) {
		tp->fin_queued = true;
		tp->state = tp->state == TCPS_CLOSE_WAIT ? TCPS_LAST_ACK : TCPS_FIN_WAIT1;
		tcp_output(tp, false);
	}
	/* An orphan in FIN_WAIT2 waits for the peer's FIN only so long. */
	if (tp->state == TCPS_FIN_WAIT2)
		net_timer_arm(&tp->rtx_timer, ktime_get() + TCP_FIN_TIMEOUT);
}

static const struct sock_ops tcp_ops = {
	.bind = tcp_bind,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.connect = tcp_connect,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.shutdown = tcp_shutdown,
	.getname = tcp_getname,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.poll = tcp_poll,
	.release = tcp_release,
};

int tcp_create(struct socket *so)
{
	struct tcp_sock *tp = tcp_sock_new(NULL);

	if (!tp)
		return -ENOMEM;
	tp->so = so;
	so->proto = tp;
	so->ops = &tcp_ops;
	return 0;
}

void tcp_for_each(void (*fn)(const struct tcp_info_line *t, void *ctx), void *ctx)
{
	struct tcp_sock *tp;
	struct tcp_info_line l;

	list_for_each_entry(tp, &tcp_socks, node) {
		l.laddr = tp->laddr;
		l.raddr = tp->raddr;
		l.lport = tp->lport;
		l.rport = tp->rport;
		l.state = tp->state;
		l.tx_queue = tp->snd_len;
		l.rx_queue = tp->rcv_len;
		fn(&l, ctx);
	}
}
