/*
 * IPv4 (RFC 791): input checks and dispatch, output with fragmentation,
 * and interface addresses. Header layout from <linux/ip.h>, protocol
 * numbers from <linux/in.h>. No forwarding: a datagram that is not for
 * one of our addresses is dropped.
 *
 * Input never trusts a length: the header length must fit the frame,
 * the total length must fit the frame (padding beyond it is trimmed),
 * and the header checksum must verify, else the frame is dropped and
 * counted by reason.
 */
#include "net/proto.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include <linux/in.h>

#define IP_DEFAULT_TTL 64

static u16 ipv4_next_id;                /* net_lock */

bool ipv4_is_local(u32 addr)
{
	return (ntohl(addr) >> 24) == 127 || netdev_has_addr(addr);
}

/* Is a datagram to daddr received on dev ours to take? */
static bool ipv4_accept(struct net_device *dev, u32 daddr)
{
	if (dev->flags & IFF_LOOPBACK)
		return true;
	if (daddr == htonl(INADDR_BROADCAST))
		return true;
	/* Unconfigured (DHCP in progress): servers may answer unicast to
	 * the address they offer. */
	if (!dev->ip_addr)
		return true;
	return daddr == dev->ip_addr ||
	       (dev->ip_mask && daddr == (dev->ip_addr | ~dev->ip_mask));
}

bool ipv4_l4_csum_ok(struct pkt *p, u32 len)
{
	const struct iphdr *ih = (const struct iphdr *)p->nh;
	u32 sum;

	if (p->csum_valid)
		return true;
	sum = csum_pseudo(ih->saddr, ih->daddr, ih->protocol, (u16)len);
	return csum_fold(csum_partial(p->th, len, sum)) == 0;
}

void ipv4_input(struct net_device *dev, struct pkt *p)
{
	struct iphdr *ih;
	u32 hlen, tot;

	if (p->len < sizeof(struct iphdr)) {
		net_count_drop(dev, NET_DROP_TRUNCATED);
		goto drop;
	}
	ih = (struct iphdr *)p->data;
	hlen = ih->ihl * 4u;
	tot = ntohs(ih->tot_len);
	if (ih->version != 4 || hlen < sizeof(struct iphdr)) {
		net_count_drop(dev, NET_DROP_BAD_HDR);
		goto drop;
	}
	if (hlen > p->len) {
		net_count_drop(dev, NET_DROP_TRUNCATED);
		goto drop;
	}
	if (tot < hlen || tot > p->len) {
		net_count_drop(dev, NET_DROP_BAD_LEN);
		goto drop;
	}
	if (!(dev->flags & IFF_LOOPBACK) && csum_fold(csum_partial(ih, hlen, 0))) {
		net_count_drop(dev, NET_DROP_BAD_CSUM);
		goto drop;
	}
	if (!ipv4_accept(dev, ih->daddr)) {
		net_count_drop(dev, NET_DROP_NOT_FOR_US);
		goto drop;
	}
	pkt_trim(p, tot);               /* Ethernet pads short frames */
	p->nh = p->data;
	if (ih->frag_off & htons(IP_MF | IP_OFFSET)) {
		p = ipfrag_input(p);
		if (!p)
			return;
		ih = (struct iphdr *)p->nh;
		hlen = ih->ihl * 4u;
	}
	p->th = pkt_pull(p, hlen);
	switch (ih->protocol) {
	case IPPROTO_ICMP:
		icmp_input(p);
		return;
	case IPPROTO_UDP:
		udp_input(p);
		return;
	case IPPROTO_TCP:
		tcp_input(p);
		return;
	default:
		net_count_drop(dev, NET_DROP_PROTO);
	}
drop:
	pkt_free(p);
}

/* Fill the L4 checksum the device would have filled (csum_partial). */
static void ipv4_finish_csum(struct pkt *p)
{
	u8 *l4 = p->data + p->csum_start;
	u16 sum;

	sum = csum_fold(csum_partial(l4, p->len - p->csum_start, 0));
	/* UDP: a computed 0 is sent as all ones (RFC 768). */
	if (!sum && p->csum_offset == 6)
		sum = 0xffff;
	memcpy(l4 + p->csum_offset, &sum, 2);
	p->csum_partial = false;
}

static int ipv4_send_dev(struct net_device *dev, struct pkt *p, u32 nh)
{
	if (!dev->hard_header_len)
		return netdev_xmit(dev, p);
	return arp_output(dev, p, nh);
}

/* Split p (a full datagram, header included) into MTU-sized fragments. */
static int ipv4_fragment(struct net_device *dev, struct pkt *p, u32 nh)
{
	struct iphdr *ih = (struct iphdr *)p->data;
	u32 hlen = ih->ihl * 4u, payload = p->len - hlen;
	u32 chunk = (dev->mtu - hlen) & ~7u, off;
	int err = 0;

	if (ih->frag_off & htons(IP_DF)) {
		net_count_drop(dev, NET_DROP_BAD_LEN);
		pkt_free(p);
		return -EMSGSIZE;
	}
	for (off = 0; off < payload; off += chunk) {
		u32 n = MIN(chunk, payload - off);
		struct pkt *f = pkt_alloc(PKT_HEADROOM + hlen + n, PKT_HEADROOM);
		struct iphdr *fh;

		if (!f) {
			net_count_drop(dev, NET_DROP_NOMEM);
			err = -ENOMEM;
			break;
		}
		fh = (struct iphdr *)pkt_put(f, hlen + n);
		memcpy(fh, ih, hlen);
		memcpy((u8 *)fh + hlen, p->data + hlen + off, n);
		fh->tot_len = htons((u16)(hlen + n));
		fh->frag_off = htons((u16)((off / 8) | (off + n < payload ? IP_MF : 0)));
		fh->check = 0;
		fh->check = csum_fold(csum_partial(fh, hlen, 0));
		err = ipv4_send_dev(dev, f, nh);
		if (err)
			break;
	}
	pkt_free(p);
	return err;
}

int ipv4_output(struct pkt *p, u32 saddr, u32 daddr, u8 proto, u8 ttl,
		struct net_device *dev)
{
	struct iphdr *ih;
	struct route *r = NULL;
	u32 nh = daddr;

	if (!dev) {
		if (daddr == htonl(INADDR_BROADCAST)) {
			dev = netdev_first_ether();
		} else if (ipv4_is_local(daddr)) {
			dev = loopback_dev();
		} else {
			r = route_lookup(daddr);
			if (r) {
				dev = r->dev;
				if (r->gw)
					nh = r->gw;
			}
		}
	}
	if (!dev) {
		net_count_drop(NULL, NET_DROP_NO_ROUTE);
		pkt_free(p);
		return -ENETUNREACH;
	}
	if (!saddr)
		saddr = (dev->flags & IFF_LOOPBACK) ? daddr : dev->ip_addr;
	if (pkt_headroom(p) < sizeof(*ih)) {
		net_count_drop(dev, NET_DROP_NOMEM);
		pkt_free(p);
		return -ENOMEM;
	}
	ih = (struct iphdr *)pkt_push(p, sizeof(*ih));
	ih->version = 4;
	ih->ihl = sizeof(*ih) / 4;
	ih->tos = 0;
	ih->tot_len = htons((u16)p->len);
	ih->id = htons(ipv4_next_id++);
	/* TCP sizes its segments to the MTU: don't fragment those. */
	ih->frag_off = proto == IPPROTO_TCP ? htons(IP_DF) : 0;
	ih->ttl = ttl ? ttl : IP_DEFAULT_TTL;
	ih->protocol = proto;
	ih->saddr = saddr;
	ih->daddr = daddr;
	ih->check = 0;
	ih->check = csum_fold(csum_partial(ih, sizeof(*ih), 0));
	if (p->csum_partial) {
		p->csum_start += sizeof(*ih);
		if (!dev->csum_tx || p->len > dev->mtu)
			ipv4_finish_csum(p);
	}
	if (p->len > dev->mtu)
		return ipv4_fragment(dev, p, nh);
	return ipv4_send_dev(dev, p, nh);
}

int ipv4_set_addr(struct net_device *dev, u32 addr, u32 mask)
{
	if (dev->ip_addr != addr)
		arp_flush(dev);
	route_del_dev(dev);
	dev->ip_addr = addr;
	dev->ip_mask = mask;
	if (!addr)
		return 0;
	return route_add(addr & mask, mask, 0, dev);
}
