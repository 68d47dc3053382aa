/*
 * ARP for IPv4 over Ethernet (RFC 826) with a timed cache.
 *
 * An entry is INCOMPLETE from the first packet that needs it until a reply
 * arrives; meanwhile up to ARP_QUEUE_MAX packets wait on it and the
 * request is repeated every second, ARP_RETRIES times, after which the
 * waiting packets are dropped (NET_DROP_ARP_UNRESOLVED) and the entry
 * goes. A resolved entry lives ARP_TTL and is then forgotten (the next
 * packet asks again). All under net_lock.
 *
 * <linux/if_arp.h> has struct arphdr and the ARPOP_ constants, but it
 * includes <linux/netdevice.h> -> <linux/if.h> -> glibc's <sys/socket.h>,
 * which the freestanding build does not have. So the Ethernet/IPv4 ARP
 * packet is laid out here, checked against RFC 826's offsets, with the
 * protocol's numbers.
 */
#include "net/proto.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"

#define ARPHRD_ETHER  1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY   2

struct arp_eth {
	u16 ar_hrd, ar_pro;
	u8 ar_hln, ar_pln;
	u16 ar_op;
	u8 ar_sha[ETH_ALEN];
	u8 ar_sip[4];
	u8 ar_tha[ETH_ALEN];
	u8 ar_tip[4];
} __packed;
_Static_assert(sizeof(struct arp_eth) == 28, "ARP packet size");
_Static_assert(offsetof(struct arp_eth, ar_sha) == 8, "ARP sha");
_Static_assert(offsetof(struct arp_eth, ar_tip) == 24, "ARP tip");

#define ARP_TTL        (60 * NSEC_PER_SEC)
#define ARP_RETRY      NSEC_PER_SEC
#define ARP_RETRIES    3
#define ARP_QUEUE_MAX  8
#define ARP_MAX        256

struct arp_entry {
	u32 ip;                         /* network order */
	u8 mac[ETH_ALEN];
	bool complete;
	u8 tries;
	struct net_device *dev;
	struct list_node queue;         /* struct pkt, waiting for the MAC */
	u32 queued;
	struct net_timer timer;         /* retry or expiry */
	struct list_node node;
};

static struct list_node arp_cache = LIST_INIT(arp_cache);      /* net_lock */
static u32 arp_count;

static struct arp_entry *arp_find(struct net_device *dev, u32 ip)
{
	struct arp_entry *e;

	list_for_each_entry(e, &arp_cache, node)
		if (e->ip == ip && e->dev == dev)
			return e;
	return NULL;
}

static void arp_destroy(struct arp_entry *e, bool unresolved)
{
	struct pkt *p, *tmp;

	list_for_each_entry_safe(p, tmp, &e->queue, node) {
		list_del(&p->node);
		net_count_drop(e->dev, unresolved ? NET_DROP_ARP_UNRESOLVED : NET_DROP_NOMEM);
		pkt_free(p);
	}
	net_timer_cancel(&e->timer);
	list_del(&e->node);
	arp_count--;
	kfree(e);
}

static int arp_send(struct net_device *dev, u16 op, const u8 *tha, u32 tip,
		    const u8 *dst_mac)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM + sizeof(struct arp_eth), PKT_HEADROOM);
	struct arp_eth *a;

	if (!p) {
		net_count_drop(dev, NET_DROP_NOMEM);
		return -ENOMEM;
	}
	a = (struct arp_eth *)pkt_put(p, sizeof(*a));
	a->ar_hrd = htons(ARPHRD_ETHER);
	a->ar_pro = htons(ETH_P_IP);
	a->ar_hln = ETH_ALEN;
	a->ar_pln = 4;
	a->ar_op = htons(op);
	memcpy(a->ar_sha, dev->mac, ETH_ALEN);
	memcpy(a->ar_sip, &dev->ip_addr, 4);
	memcpy(a->ar_tha, tha, ETH_ALEN);
	memcpy(a->ar_tip, &tip, 4);
	return eth_output(dev, p, dst_mac, ETH_P_ARP);
}

static void arp_timer(struct net_timer *t)
{
	struct arp_entry *e = container_of(t, struct arp_entry, timer);
	static const u8 zero[ETH_ALEN];

	if (e->complete || e->tries >= ARP_RETRIES) {
		arp_destroy(e, !e->complete);
		return;
	}
	e->tries++;
	arp_send(e->dev, ARPOP_REQUEST, zero, e->ip, eth_broadcast);
	net_timer_arm(&e->timer, ktime_get() + ARP_RETRY);
}

static struct arp_entry *arp_create(struct net_device *dev, u32 ip)
{
	struct arp_entry *e, *victim = NULL;

	if (arp_count >= ARP_MAX) {
		/* Evict the oldest resolved entry (the list's front). */
		list_for_each_entry(e, &arp_cache, node)
			if (e->complete) {
				victim = e;
				break;
			}
		if (!victim)
			return NULL;
		arp_destroy(victim, false);
	}
	e = kzalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		return NULL;
	e->ip = ip;
	e->dev = dev;
	list_init(&e->queue);
	net_timer_init(&e->timer, arp_timer);
	list_add_tail(&e->node, &arp_cache);
	arp_count++;
	return e;
}

/* Record ip -> mac, send what waited for it. */
static void arp_resolved(struct arp_entry *e, const u8 *mac)
{
	struct pkt *p, *tmp;

	memcpy(e->mac, mac, ETH_ALEN);
	e->complete = true;
	net_timer_arm(&e->timer, ktime_get() + ARP_TTL);
	list_for_each_entry_safe(p, tmp, &e->queue, node) {
		list_del(&p->node);
		eth_output(e->dev, p, e->mac, ETH_P_IP);
	}
	e->queued = 0;
}

void arp_input(struct net_device *dev, struct pkt *p)
{
	struct arp_eth *a = (struct arp_eth *)p->data;
	struct arp_entry *e;
	u32 sip, tip;

	if (p->len < sizeof(*a)) {
		net_count_drop(dev, NET_DROP_TRUNCATED);
		goto out;
	}
	if (a->ar_hrd != htons(ARPHRD_ETHER) || a->ar_pro != htons(ETH_P_IP) ||
	    a->ar_hln != ETH_ALEN || a->ar_pln != 4) {
		net_count_drop(dev, NET_DROP_BAD_HDR);
		goto out;
	}
	memcpy(&sip, a->ar_sip, 4);
	memcpy(&tip, a->ar_tip, 4);
	/* RFC 826 "merge": update a sender we already know, whoever the
	 * request is for; add it only if it asked for us. */
	e = arp_find(dev, sip);
	if (e && sip)
		arp_resolved(e, a->ar_sha);
	if (!dev->ip_addr || tip != dev->ip_addr)
		goto out;
	if (!e && sip && (e = arp_create(dev, sip)))
		arp_resolved(e, a->ar_sha);
	if (a->ar_op == htons(ARPOP_REQUEST))
		arp_send(dev, ARPOP_REPLY, a->ar_sha, sip, a->ar_sha);
out:
	pkt_free(p);
}

int arp_output(struct net_device *dev, struct pkt *p, u32 nh)
{
	static const u8 zero[ETH_ALEN];
	struct arp_entry *e;
	u32 bcast = dev->ip_addr | ~dev->ip_mask;

	if (nh == htonl(0xffffffff) || (dev->ip_mask && nh == bcast))
		return eth_output(dev, p, eth_broadcast, ETH_P_IP);
	e = arp_find(dev, nh);
	if (e && e->complete)
		return eth_output(dev, p, e->mac, ETH_P_IP);
	if (!e) {
		e = arp_create(dev, nh);
		if (!e) {
			net_count_drop(dev, NET_DROP_NOMEM);
			pkt_free(p);
			return -ENOMEM;
		}
		e->tries = 1;
		arp_send(dev, ARPOP_REQUEST, zero, nh, eth_broadcast);
		net_timer_arm(&e->timer, ktime_get() + ARP_RETRY);
	}
	if (e->queued >= ARP_QUEUE_MAX) {
		net_count_drop(dev, NET_DROP_ARP_UNRESOLVED);
		pkt_free(p);
		return -ENOBUFS;
	}
	list_add_tail(&p->node, &e->queue);
	e->queued++;
	return 0;
}

void arp_flush(struct net_device *dev)
{
	struct arp_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &arp_cache, node)
		if (e->dev == dev)
			arp_destroy(e, true);
}

void arp_for_each(void (*fn)(const struct arp_info *e, void *ctx), void *ctx)
{
	struct arp_entry *e;
	struct arp_info i;

	list_for_each_entry(e, &arp_cache, node) {
		i.ip = e->ip;
		memcpy(i.mac, e->mac, ETH_ALEN);
		i.complete = e->complete;
		i.dev = e->dev;
		fn(&i, ctx);
	}
}
