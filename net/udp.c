/*
 * UDP (RFC 768) sockets. Each socket keeps the datagrams it received as
 * pkts (data at the payload, nh at the IPv4 header for the source) up to
 * SO_RCVBUF bytes; beyond that new datagrams are dropped and counted
 * (NET_DROP_RCVBUF), as UDP allows. Header layout from <linux/udp.h>.
 * net_lock protects everything here.
 */
#include "net/proto.h"
#include "net/socket.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include <linux/udp.h>

#define UDP_MAX_PAYLOAD (65535 - 20 - 8)

struct udp_sock {
	struct socket *so;
	u32 laddr, raddr;               /* network order */
	u16 lport, rport;               /* network order; lport 0: unbound */
	bool connected;
	bool broadcast;                 /* SO_BROADCAST */
	bool shut_rd;
	struct list_node rxq;           /* struct pkt */
	u32 rx_bytes;
	u64 drops;                      /* receive buffer full (/proc/net/udp) */
	struct list_node node;          /* udp_socks */
};

static struct list_node udp_socks = LIST_INIT(udp_socks);
static u16 udp_next_ephemeral = 49152;

static struct udp_sock *udp_sk(struct socket *so)
{
	return so->proto;
}

static bool udp_port_used(u16 port, u32 addr, const struct udp_sock *self)
{
	struct udp_sock *u;

	list_for_each_entry(u, &udp_socks, node) {
		if (u == self || u->lport != port)
			continue;
		if (u->laddr && addr && u->laddr != addr)
			continue;
		if (u->so->reuseaddr && self->so->reuseaddr)
			continue;
		return true;
	}
	return false;
}

static int udp_autobind(struct udp_sock *u)
{
	for (int i = 0; i < 16384; i++) {
		u16 port = htons(udp_next_ephemeral);

		udp_next_ephemeral = udp_next_ephemeral == 65535 ? 49152 :
				     udp_next_ephemeral + 1;
		if (!udp_port_used(port, u->laddr, u)) {
			u->lport = port;
			return 0;
		}
	}
	return -EAGAIN;
}

static int udp_bind(struct socket *so, const struct sockaddr_in *sin)
{
	struct udp_sock *u = udp_sk(so);
	u32 addr = sin->sin_addr.s_addr;

	if (u->lport)
		return -EINVAL;
	if (addr && addr != htonl(INADDR_BROADCAST) && !ipv4_is_local(addr))
		return -EADDRNOTAVAIL;
	u->laddr = addr;
	if (!sin->sin_port)
		return udp_autobind(u);
	if (udp_port_used(sin->sin_port, addr, u))
		return -EADDRINUSE;
	u->lport = sin->sin_port;
	return 0;
}

static int udp_connect(struct socket *so, const struct sockaddr_in *sin)
{
	struct udp_sock *u = udp_sk(so);

	if (sin->sin_family == AF_UNSPEC) {
		u->connected = false;
		u->raddr = 0;
		u->rport = 0;
		return 0;
	}
	if (!sin->sin_port)
		return -EINVAL;
	if (!u->laddr) {
		u->laddr = route_source(sin->sin_addr.s_addr);
		if (!u->laddr && sin->sin_addr.s_addr != htonl(INADDR_BROADCAST))
			return -ENETUNREACH;
	}
	if (!u->lport && udp_autobind(u))
		return -EAGAIN;
	u->raddr = sin->sin_addr.s_addr;
	u->rport = sin->sin_port;
	u->connected = true;
	return 0;
}

static ssize_t udp_sendmsg(struct socket *so, struct sock_msg *m, size_t len, int flags)
{
	struct udp_sock *u = udp_sk(so);
	const struct sockaddr_in *to = m->name;
	u32 daddr, saddr;
	u16 dport;
	struct udphdr *uh;
	struct pkt *p;
	size_t skip = 0;
	u16 pseudo;
	int err;

	if (to && m->namelen >= sizeof(*to)) {
		if (to->sin_family != AF_INET)
			return -EAFNOSUPPORT;
		daddr = to->sin_addr.s_addr;
		dport = to->sin_port;
		if (!dport)
			return -EINVAL;
	} else if (u->connected) {
		daddr = u->raddr;
		dport = u->rport;
	} else {
		return -EDESTADDRREQ;
	}
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (daddr == htonl(INADDR_BROADCAST) && !u->broadcast)
		return -EACCES;
	if (!u->lport && udp_autobind(u))
		return -EAGAIN;
	saddr = u->laddr;
	if (!saddr || saddr == htonl(INADDR_BROADCAST))
		saddr = daddr == htonl(INADDR_BROADCAST) ? 0 : route_source(daddr);
	if (!saddr && daddr != htonl(INADDR_BROADCAST))
		return -ENETUNREACH;
	p = pkt_alloc(PKT_HEADROOM + sizeof(*uh) + (u32)len, PKT_HEADROOM);
	if (!p)
		return -ENOBUFS;
	uh = (struct udphdr *)pkt_put(p, sizeof(*uh) + (u32)len);
	err = sock_copy_from_msg(m, &skip, uh + 1, len);
	if (err) {
		pkt_free(p);
		return err;
	}
	uh->source = u->lport;
	uh->dest = dport;
	uh->len = htons((u16)(sizeof(*uh) + len));
	/* The device or ipv4_output finishes the sum from the folded
	 * pseudo header (see pkt.h, csum_partial). */
	pseudo = (u16)~csum_fold(csum_pseudo(saddr, daddr, IPPROTO_UDP,
					     (u16)(sizeof(*uh) + len)));
	uh->check = pseudo;
	p->csum_partial = true;
	p->csum_start = 0;
	p->csum_offset = offsetof(struct udphdr, check);
	err = ipv4_output(p, saddr, daddr, IPPROTO_UDP, 0, NULL);
	/* A datagram dropped on the way out was still sent, as far as UDP
	 * promises; only a missing route is the caller's business. */
	if (err == -ENETUNREACH)
		return err;
	return (ssize_t)len;
}

static bool udp_readable(struct socket *so)
{
	struct udp_sock *u = udp_sk(so);

	return !list_empty(&u->rxq) || u->shut_rd;
}

static ssize_t udp_recvmsg(struct socket *so, struct sock_msg *m, size_t len, int flags)
{
	struct udp_sock *u = udp_sk(so);
	struct sockaddr_in *from = m->name;
	const struct iphdr *ih;
	struct pkt *p;
	size_t skip = 0, n;
	int err;

	if (list_empty(&u->rxq) && !u->shut_rd) {
		if (so->nonblock || (flags & MSG_DONTWAIT))
			return -EAGAIN;
		err = sock_wait(so, udp_readable, so->rcvtimeo);
		if (err)
			return err;
	}
	if (list_empty(&u->rxq))
		return 0;               /* shut down for reading */
	p = list_first_entry(&u->rxq, struct pkt, node);
	n = MIN(len, (size_t)p->len);
	err = sock_copy_to_msg(m, &skip, p->data, n);
	if (err)
		return err;
	if (n < p->len)
		m->flags_out |= MSG_TRUNC;
	if (from && m->namelen >= sizeof(*from)) {
		ih = (const struct iphdr *)p->nh;
		memset(from, 0, sizeof(*from));
		from->sin_family = AF_INET;
		from->sin_addr.s_addr = ih->saddr;
		from->sin_port = ((const struct udphdr *)p->th)->source;
		m->namelen = sizeof(*from);
	}
	if (flags & MSG_TRUNC)
		n = p->len;             /* the real length, as Linux */
	if (!(flags & MSG_PEEK)) {
		list_del(&p->node);
		u->rx_bytes -= p->len;
		pkt_free(p);
	}
	return (ssize_t)n;
}

static int udp_shutdown(struct socket *so, int how)
{
	struct udp_sock *u = udp_sk(so);

	if (!u->connected)
		return -ENOTCONN;
	if (how != SHUT_WR) {
		u->shut_rd = true;
		sock_wake(so);
	}
	return 0;
}

static int udp_getname(struct socket *so, struct sockaddr_in *sin, bool peer)
{
	struct udp_sock *u = udp_sk(so);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (peer) {
		if (!u->connected)
			return -ENOTCONN;
		sin->sin_addr.s_addr = u->raddr;
		sin->sin_port = u->rport;
	} else {
		sin->sin_addr.s_addr = u->laddr;
		sin->sin_port = u->lport;
	}
	return 0;
}

static int udp_setsockopt(struct socket *so, int level, int name, int val)
{
	if (level == SOL_SOCKET) {
		if (name == SO_BROADCAST)
			udp_sk(so)->broadcast = val != 0;
		return 0;               /* buffer sizes: read from so */
	}
	return -ENOPROTOOPT;
}

static int udp_getsockopt(struct socket *so, int level, int name, int *val)
{
	if (level == SOL_SOCKET && name == SO_BROADCAST) {
		*val = udp_sk(so)->broadcast;
		return 0;
	}
	return -ENOPROTOOPT;
}

static unsigned udp_poll(struct socket *so)
{
	struct udp_sock *u = udp_sk(so);
	unsigned mask = POLLOUT | POLLWRNORM;

	if (!list_empty(&u->rxq))
		mask |= POLLIN | POLLRDNORM;
	if (u->shut_rd)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	return mask;
}

static void udp_release(struct socket *so)
{
	struct udp_sock *u = udp_sk(so);
	struct pkt *p, *tmp;

	list_for_each_entry_safe(p, tmp, &u->rxq, node) {
		list_del(&p->node);
		pkt_free(p);
	}
	list_del(&u->node);
	kfree(u);
	so->proto = NULL;
}

static const struct sock_ops udp_ops = {
	.bind = udp_bind,
	.connect = udp_connect,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.shutdown = udp_shutdown,
	.getname = udp_getname,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
	.poll = udp_poll,
	.release = udp_release,
};

int udp_create(struct socket *so)
{
	struct udp_sock *u = kzalloc(sizeof(*u), GFP_KERNEL);

	if (!u)
		return -ENOMEM;
	u->so = so;
	list_init(&u->rxq);
	list_add_tail(&u->node, &udp_socks);
	so->proto = u;
	so->ops = &udp_ops;
	return 0;
}

/* The socket for a datagram: a connected match beats a wildcard one. */
static struct udp_sock *udp_lookup(u32 saddr, u16 sport, u32 daddr, u16 dport)
{
	struct udp_sock *u, *best = NULL;

	list_for_each_entry(u, &udp_socks, node) {
		if (u->lport != dport)
			continue;
		if (u->laddr && u->laddr != daddr && u->laddr != htonl(INADDR_BROADCAST) &&
		    daddr != htonl(INADDR_BROADCAST))
			continue;
		if (u->connected) {
			if (u->raddr != saddr || u->rport != sport)
				continue;
			return u;
		}
		if (!best)
			best = u;
	}
	return best;
}

void udp_input(struct pkt *p)
{
	struct iphdr *ih = (struct iphdr *)p->nh;
	struct udphdr *uh = (struct udphdr *)p->th;
	struct udp_sock *u;
	u32 ulen;

	if (p->len < sizeof(*uh)) {
		net_count_drop(p->dev, NET_DROP_TRUNCATED);
		goto drop;
	}
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen > p->len) {
		net_count_drop(p->dev, NET_DROP_BAD_LEN);
		goto drop;
	}
	pkt_trim(p, ulen);
	/* Checksum 0: the sender did not compute one (RFC 768). */
	if (uh->check && !ipv4_l4_csum_ok(p, ulen)) {
		net_count_drop(p->dev, NET_DROP_BAD_CSUM);
		goto drop;
	}
	u = udp_lookup(ih->saddr, uh->source, ih->daddr, uh->dest);
	if (!u) {
		net_count_drop(p->dev, NET_DROP_NO_SOCKET);
		if (!p->link_bcast && ih->daddr != htonl(INADDR_BROADCAST))
			icmp_send_unreach(p, ICMP_PORT_UNREACH);
		goto drop;
	}
	pkt_pull(p, sizeof(*uh));
	if (u->shut_rd || u->rx_bytes + p->len > u->so->rcvbuf) {
		net_count_drop(p->dev, NET_DROP_RCVBUF);
		u->drops++;
		goto drop;
	}
	list_add_tail(&p->node, &u->rxq);
	u->rx_bytes += p->len;
	sock_wake(u->so);
	return;
drop:
	pkt_free(p);
}

void udp_for_each(void (*fn)(const struct udp_info_line *u, void *ctx), void *ctx)
{
	struct udp_sock *u;
	struct udp_info_line l;

	list_for_each_entry(u, &udp_socks, node) {
		l.laddr = u->laddr;
		l.raddr = u->raddr;
		l.lport = u->lport;
		l.rport = u->rport;
		l.connected = u->connected;
		l.rx_queue = u->rx_bytes;
		l.drops = u->drops;
		fn(&l, ctx);
	}
}
