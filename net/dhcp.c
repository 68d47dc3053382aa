/*
 * A DHCP client (RFC 2131, options RFC 2132) for boot-time configuration
 * (`ip=dhcp`): DISCOVER, OFFER, REQUEST, ACK over an ordinary kernel UDP
 * socket on port 68, then the interface gets the address, the netmask
 * and the default route. Leases are not renewed: the lease time is
 * logged (QEMU's user networking leases for a day).
 *
 * There is no maintained header for the BOOTP/DHCP message (Linux keeps
 * its own in net/ipv4/ipconfig.c), so the layout is here, checked
 * against RFC 2131's offsets.
 */
#include "net/proto.h"
#include "net/socket.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define BOOTREQUEST 1
#define BOOTREPLY   2
#define DHCP_MAGIC  0x63825363
#define DHCP_FLAG_BROADCAST 0x8000

/* Options (RFC 2132). */
#define OPT_PAD          0
#define OPT_SUBNET_MASK  1
#define OPT_ROUTER       3
#define OPT_HOSTNAME     12
#define OPT_REQUESTED_IP 50
#define OPT_LEASE_TIME   51
#define OPT_MSG_TYPE     53
#define OPT_SERVER_ID    54
#define OPT_PARAM_LIST   55
#define OPT_END          255

#define DHCPDISCOVER 1
#define DHCPOFFER    2
#define DHCPREQUEST  3
#define DHCPACK      5
#define DHCPNAK      6

#define DHCP_OPTIONS_LEN 312    /* RFC 2131 §2: at least this much room */

struct dhcp_msg {
	u8 op, htype, hlen, hops;
	u32 xid;
	u16 secs, flags;
	u32 ciaddr, yiaddr, siaddr, giaddr;
	u8 chaddr[16];
	u8 sname[64];
	u8 file[128];
	u32 magic;
	u8 options[DHCP_OPTIONS_LEN];
} __packed;
_Static_assert(offsetof(struct dhcp_msg, chaddr) == 28, "DHCP chaddr");
_Static_assert(offsetof(struct dhcp_msg, magic) == 236, "DHCP cookie");

struct dhcp_lease {
	u32 addr, mask, router, server, lease_s;        /* network order */
	u8 type;
};

static u8 *dhcp_opt(u8 *o, u8 code, u8 len, const void *val)
{
	*o++ = code;
	*o++ = len;
	memcpy(o, val, len);
	return o + len;
}

static int dhcp_send(struct socket *so, struct net_device *dev, u32 xid, u8 type,
		     const struct dhcp_lease *offer)
{
	static const u8 params[] = { OPT_SUBNET_MASK, OPT_ROUTER, OPT_LEASE_TIME };
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(DHCP_SERVER_PORT),
		.sin_addr.s_addr = htonl(INADDR_BROADCAST),
	};
	struct dhcp_msg m;
	u8 *o = m.options;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.op = BOOTREQUEST;
	m.htype = 1;                    /* Ethernet (ARP hardware type) */
	m.hlen = ETH_ALEN;
	m.xid = xid;
	m.flags = htons(DHCP_FLAG_BROADCAST);
	memcpy(m.chaddr, dev->mac, ETH_ALEN);
	m.magic = htonl(DHCP_MAGIC);
	o = dhcp_opt(o, OPT_MSG_TYPE, 1, &type);
	if (offer) {
		o = dhcp_opt(o, OPT_REQUESTED_IP, 4, &offer->addr);
		o = dhcp_opt(o, OPT_SERVER_ID, 4, &offer->server);
	}
	o = dhcp_opt(o, OPT_PARAM_LIST, sizeof(params), params);
	*o++ = OPT_END;
	n = sock_sendto(so, &m, (size_t)(o - (u8 *)&m), 0, &to);
	return n < 0 ? (int)n : 0;
}

/* Parse a reply for us; 0 if it is one, with l filled. */
static int dhcp_parse(const struct dhcp_msg *m, size_t len, u32 xid,
		      const struct net_device *dev, struct dhcp_lease *l)
{
	const u8 *o = m->options, *end = (const u8 *)m + len;

	if (len < offsetof(struct dhcp_msg, options) || m->op != BOOTREPLY ||
	    m->xid != xid || memcmp(m->chaddr, dev->mac, ETH_ALEN) ||
	    m->magic != htonl(DHCP_MAGIC))
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->addr = m->yiaddr;
	while (o < end && *o != OPT_END) {
		u8 code = *o++, olen;

		if (code == OPT_PAD)
			continue;
		if (o >= end || o + 1 + *o > end)
			return -EINVAL;
		olen = *o++;
		if (code == OPT_MSG_TYPE && olen == 1)
			l->type = *o;
		else if (code == OPT_SUBNET_MASK && olen == 4)
			memcpy(&l->mask, o, 4);
		else if (code == OPT_ROUTER && olen >= 4)
			memcpy(&l->router, o, 4);
		else if (code == OPT_SERVER_ID && olen == 4)
			memcpy(&l->server, o, 4);
		else if (code == OPT_LEASE_TIME && olen == 4)
			memcpy(&l->lease_s, o, 4);
		o += olen;
	}
	return l->type ? 0 : -EINVAL;
}

/* Wait for a reply of type want (or NAK) to xid; 0, -EAGAIN, -EPROTO. */
static int dhcp_wait(struct socket *so, struct net_device *dev, u32 xid, u8 want,
		     struct dhcp_lease *l, u64 timeout_ns)
{
	static struct dhcp_msg m;       /* boot-time, one client at a time */
	u64 deadline = ktime_get() + timeout_ns;

	while (ktime_get() < deadline) {
		ssize_t n = sock_recv(so, &m, sizeof(m), 0);

		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		if (dhcp_parse(&m, (size_t)n, xid, dev, l))
			continue;
		if (l->type == DHCPNAK)
			return -EPROTO;
		if (l->type == want)
			return 0;
	}
	return -EAGAIN;
}


int dhcp_configure(struct net_device *dev, u64 timeout_ns)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(DHCP_CLIENT_PORT) };
	struct __kernel_old_timeval tv = { .tv_sec = 0, .tv_usec = 500000 };
	struct dhcp_lease offer, ack;
	u64 deadline = ktime_get() + timeout_ns;
	struct socket *so;
	char a[16], m[16], g[16];
	int one = 1, err;
	u32 xid;

	err = sock_create(AF_INET, SOCK_DGRAM, 0, &so);
	if (err)
		return err;
	sock_setsockopt(so, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	sock_setsockopt(so, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = sock_bind(so, (struct sockaddr *)&any, sizeof(any));
	if (err)
		goto out;
	err = -ETIMEDOUT;
	for (u64 wait = NSEC_PER_SEC; ktime_get() < deadline; wait = MIN(wait * 2, 8 * NSEC_PER_SEC)) {
		get_random_bytes(&xid, sizeof(xid));
		if (dhcp_send(so, dev, xid, DHCPDISCOVER, NULL))
			continue;
		if (dhcp_wait(so, dev, xid, DHCPOFFER, &offer, wait))
			continue;
		if (dhcp_send(so, dev, xid, DHCPREQUEST, &offer))
			continue;
		err = dhcp_wait(so, dev, xid, DHCPACK, &ack, wait);
		if (err)
			continue;
		if (!ack.mask)
			ack.mask = htonl(0xffffff00);
		mutex_lock(&net_lock);
		err = ipv4_set_addr(dev, ack.addr, ack.mask);
		if (!err && ack.router)
			err = route_add(0, 0, ack.router, dev);
		mutex_unlock(&net_lock);
		if (!err)
			pr_info("net: %s: dhcp: %s/%s gateway %s, lease %u s (not renewed)\n",
				dev->name, ipv4_str(ack.addr, a), ipv4_str(ack.mask, m),
				ipv4_str(ack.router, g), ntohl(ack.lease_s));
		break;
	}
out:
	sock_release(so);
	return err;
}
