/*
 * Ethernet II framing: check the destination, strip the header, hand the
 * payload to ARP or IPv4; on output prepend the header. Layout and
 * ethertypes from <linux/if_ether.h>.
 */
#include "net/proto.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

const u8 eth_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void eth_input(struct net_device *dev, struct pkt *p)
{
	struct ethhdr *eh;

	if (p->len < ETH_HLEN) {
		net_count_drop(dev, NET_DROP_TRUNCATED);
		goto drop;
	}
	eh = (struct ethhdr *)p->data;
	/* Group bit: broadcast or multicast. Otherwise it must be ours. */
	if (eh->h_dest[0] & 1) {
		p->link_bcast = true;
	} else if (memcmp(eh->h_dest, dev->mac, ETH_ALEN)) {
		net_count_drop(dev, NET_DROP_NOT_FOR_US);
		goto drop;
	}
	pkt_pull(p, ETH_HLEN);
	switch (eh->h_proto) {
	case htons(ETH_P_IP):
		ipv4_input(dev, p);
		return;
	case htons(ETH_P_ARP):
		arp_input(dev, p);
		return;
	default:
		net_count_drop(dev, NET_DROP_PROTO);
	}
drop:
	pkt_free(p);
}

int eth_output(struct net_device *dev, struct pkt *p, const u8 *dst_mac, u16 ethertype)
{
	struct ethhdr *eh;

	if (pkt_headroom(p) < ETH_HLEN) {
		net_count_drop(dev, NET_DROP_NOMEM);
		pkt_free(p);
		return -ENOMEM;
	}
	eh = (struct ethhdr *)pkt_push(p, ETH_HLEN);
	memcpy(eh->h_dest, dst_mac, ETH_ALEN);
	memcpy(eh->h_source, dev->mac, ETH_ALEN);
	eh->h_proto = htons(ethertype);
	if (p->csum_partial)
		p->csum_start += ETH_HLEN;
	return netdev_xmit(dev, p);
}
