/*
 * Malformed and hostile frames injected at the device layer: a test
 * network device ("test0", 192.0.2.1/24, TEST-NET-1) whose received
 * frames come from here and whose transmitted frames are captured. Every
 * bad frame must be dropped, counted under the right reason, and leave
 * the stack working (the echo request that follows is still answered).
 */
#include "net/proto.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>

#define T_ME   IPV4(192, 0, 2, 1)
#define T_PEER IPV4(192, 0, 2, 2)

static const u8 t_peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 2 };
static struct net_device t_dev;
static struct list_node t_sent = LIST_INIT(t_sent);    /* net_lock */
static u32 t_nsent;
static u32 t_nmore, t_nflush;   /* frames sent with more; flush calls */

static int t_xmit(struct net_device *dev, struct pkt *p, bool more)
{
	list_add_tail(&p->node, &t_sent);
	t_nsent++;
	t_nmore += more;
	return 0;
}

static void t_flush(struct net_device *dev)
{
	t_nflush++;
}

static const struct net_device_ops t_ops = { .xmit = t_xmit, .flush = t_flush };

static struct net_device *t_setup(void)
{
	if (t_dev.ops)
		return &t_dev;
	t_dev.ops = &t_ops;
	t_dev.hard_header_len = ETH_HLEN;
	t_dev.mtu = ETH_DATA_LEN;
	t_dev.flags = IFF_BROADCAST | IFF_RUNNING;
	memcpy(t_dev.mac, (u8[]){ 0x02, 0, 0, 0, 0, 1 }, ETH_ALEN);
	netdev_register(&t_dev, "test");
	mutex_lock(&net_lock);
	ipv4_set_addr(&t_dev, htonl(T_ME), htonl(0xffffff00));
	mutex_unlock(&net_lock);
	return &t_dev;
}

static void t_flush_sent(void)
{
	struct pkt *p, *tmp;

	list_for_each_entry_safe(p, tmp, &t_sent, node) {
		list_del(&p->node);
		pkt_free(p);
	}
	t_nsent = 0;
}

/* The first captured frame (or NULL); the caller frees via t_flush_sent. */
static struct pkt *t_first_sent(void)
{
	return list_empty(&t_sent) ? NULL : list_first_entry(&t_sent, struct pkt, node);
}

static void t_inject(const void *frame, u32 len)
{
	struct pkt *p = pkt_alloc(len + 64, 0);

	if (!p)
		return;
	memcpy(pkt_put(p, len), frame, len);
	mutex_lock(&net_lock);
	netdev_rx(&t_dev, p);
	mutex_unlock(&net_lock);
}

/* Ethernet + IPv4 header for a payload of plen bytes; returns the frame
 * length. The IP checksum is right. */
static u32 t_ip(u8 *f, u8 proto, u32 plen, u16 frag_off, u16 id)
{
	struct ethhdr *eh = (struct ethhdr *)f;
	struct iphdr *ih = (struct iphdr *)(f + ETH_HLEN);

	memcpy(eh->h_dest, t_dev.mac, ETH_ALEN);
	memcpy(eh->h_source, t_peer_mac, ETH_ALEN);
	eh->h_proto = htons(ETH_P_IP);
	memset(ih, 0, sizeof(*ih));
	ih->version = 4;
	ih->ihl = 5;
	ih->tot_len = htons((u16)(20 + plen));
	ih->id = htons(id);
	ih->frag_off = htons(frag_off);
	ih->ttl = 64;
	ih->protocol = proto;
	ih->saddr = htonl(T_PEER);
	ih->daddr = htonl(T_ME);
	ih->check = csum_fold(csum_partial(ih, 20, 0));
	return ETH_HLEN + 20 + plen;
}

/* An ICMP echo request with n payload bytes at f + ETH_HLEN + 20. */
static u32 t_echo(u8 *f, u32 n, u16 id)
{
	u8 *icmp = f + ETH_HLEN + 20;

	memset(icmp, 0, 8);
	icmp[0] = ICMP_ECHO;
	icmp[5] = 7;                    /* id */
	for (u32 i = 0; i < n; i++)
		icmp[8 + i] = (u8)(i * 7);
	*(u16 *)(icmp + 2) = csum_fold(csum_partial(icmp, 8 + n, 0));
	return t_ip(f, IPPROTO_ICMP, 8 + n, 0, id);
}

static u64 t_drops(enum net_drop r)
{
	return t_dev.stats.drops[r];
}

/* Seed the ARP cache: the peer asks for us; we must answer. */
KTEST(net_inject_arp_request_answered)
{
	u8 f[60] = { 0 };
	struct ethhdr *eh = (struct ethhdr *)f;
	u8 *a = f + ETH_HLEN;
	u32 me = htonl(T_ME), peer = htonl(T_PEER);
	struct pkt *r;

	t_setup();
	memset(eh->h_dest, 0xff, ETH_ALEN);
	memcpy(eh->h_source, t_peer_mac, ETH_ALEN);
	eh->h_proto = htons(ETH_P_ARP);
	a[1] = 1;                       /* Ethernet */
	a[2] = 0x08;                    /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;                       /* request */
	memcpy(a + 8, t_peer_mac, 6);
	memcpy(a + 14, &peer, 4);
	memcpy(a + 24, &me, 4);
	mutex_lock(&net_lock);
	t_flush_sent();
	mutex_unlock(&net_lock);
	t_inject(f, sizeof(f));
	mutex_lock(&net_lock);
	r = t_first_sent();
	KT_ASSERT(r);
	KT_ASSERT_EQ(t_nsent, 1);
	KT_ASSERT(!memcmp(r->data, t_peer_mac, ETH_ALEN));
	KT_ASSERT_EQ(r->data[ETH_HLEN + 7], 2);                 /* reply */
	KT_ASSERT(!memcmp(r->data + ETH_HLEN + 8, t_dev.mac, ETH_ALEN));
	KT_ASSERT(!memcmp(r->data + ETH_HLEN + 14, &me, 4));
	t_flush_sent();
	mutex_unlock(&net_lock);
}

KTEST(net_inject_icmp_echo_answered)
{
	static u8 f[1600];
	u32 len = t_echo(f, 56, 1);
	struct pkt *r;
	u8 *icmp;

	t_setup();
	t_inject(f, len);
	mutex_lock(&net_lock);
	r = t_first_sent();
	KT_ASSERT(r);
	KT_ASSERT_EQ(r->len, len);
	icmp = r->data + ETH_HLEN + 20;
	KT_ASSERT_EQ(icmp[0], ICMP_ECHOREPLY);
	KT_ASSERT_EQ(csum_fold(csum_partial(icmp, 64, 0)), 0);
	KT_ASSERT(!memcmp(icmp + 8, f + ETH_HLEN + 28, 56));
	KT_ASSERT_EQ(csum_fold(csum_partial(r->data + ETH_HLEN, 20, 0)), 0);
	t_flush_sent();
	mutex_unlock(&net_lock);
}

/* After each bad frame: one more drop of that reason, nothing sent. */
#define T_BAD(frame, len, reason)                                            \
	do {                                                                 \
		u64 before_ = t_drops(reason);                               \
		t_inject((frame), (len));                                    \
		KT_ASSERT_EQ(t_drops(reason), before_ + 1);                  \
		KT_ASSERT_EQ(t_nsent, 0);                                    \
	} while (0)

KTEST(net_inject_malformed_dropped_and_counted)
{
	static u8 f[1600];
	u32 len;
	struct iphdr *ih = (struct iphdr *)(f + ETH_HLEN);

	t_setup();
	mutex_lock(&net_lock);
	t_flush_sent();
	mutex_unlock(&net_lock);

	len = t_echo(f, 32, 2);
	T_BAD(f, 10, NET_DROP_TRUNCATED);                       /* short Ethernet */
	T_BAD(f, ETH_HLEN + 12, NET_DROP_TRUNCATED);            /* short IPv4 */

	len = t_echo(f, 32, 3);
	ih->check ^= 0x1234;
	T_BAD(f, len, NET_DROP_BAD_CSUM);                       /* IP checksum */

	len = t_echo(f, 32, 4);
	ih->tot_len = htons(2000);                              /* longer than frame */
	ih->check = 0;
	ih->check = csum_fold(csum_partial(ih, 20, 0));
	T_BAD(f, len, NET_DROP_BAD_LEN);

	len = t_echo(f, 32, 5);
	ih->ihl = 15;                                           /* 60 > tot_len 60? */
	ih->tot_len = htons(40);
	ih->check = 0;
	T_BAD(f, len, NET_DROP_BAD_LEN);

	len = t_echo(f, 32, 6);
	ih->version = 6;
	T_BAD(f, len, NET_DROP_BAD_HDR);

	len = t_echo(f, 32, 7);
	f[ETH_HLEN + 20 + 9] ^= 0xff;                           /* ICMP payload */
	T_BAD(f, len, NET_DROP_BAD_CSUM);

	/* UDP: a length beyond the datagram, then a wrong checksum. */
	{
		u8 *u = f + ETH_HLEN + 20;

		len = t_ip(f, IPPROTO_UDP, 16, 0, 8);
		memset(u, 0, 16);
		*(u16 *)(u + 0) = htons(1000);
		*(u16 *)(u + 2) = htons(9);
		*(u16 *)(u + 4) = htons(400);
		T_BAD(f, len, NET_DROP_BAD_LEN);
		*(u16 *)(u + 4) = htons(16);
		*(u16 *)(u + 6) = htons(0xbeef);
		T_BAD(f, len, NET_DROP_BAD_CSUM);
	}
	/* TCP: a data offset past the segment. */
	{
		struct tcphdr *th = (struct tcphdr *)(f + ETH_HLEN + 20);

		len = t_ip(f, IPPROTO_TCP, 20, 0, 9);
		memset(th, 0, 20);
		th->doff = 15;
		T_BAD(f, len, NET_DROP_BAD_LEN);
		len = t_ip(f, IPPROTO_TCP, 10, 0, 10);
		T_BAD(f, len, NET_DROP_TRUNCATED);
	}
	/* An unknown ethertype and a frame for another MAC. */
	len = t_echo(f, 32, 11);
	((struct ethhdr *)f)->h_proto = htons(0x88b5);
	T_BAD(f, len, NET_DROP_PROTO);
	len = t_echo(f, 32, 12);
	((struct ethhdr *)f)->h_dest[5] ^= 1;
	T_BAD(f, len, NET_DROP_NOT_FOR_US);

	/* Still alive: a good echo is answered. */
	len = t_echo(f, 32, 13);
	t_inject(f, len);
	KT_ASSERT_EQ(t_nsent, 1);
	mutex_lock(&net_lock);
	t_flush_sent();
	mutex_unlock(&net_lock);
}

/* One fragment of an echo request: offset in bytes, more-fragments. */
static u32 t_frag(u8 *f, const u8 *whole, u32 off, u32 n, bool more, u16 id)
{
	memcpy(f + ETH_HLEN + 20, whole + off, n);
	return t_ip(f, IPPROTO_ICMP, n, (u16)((off / 8) | (more ? IP_MF : 0)), id);
}

KTEST(net_inject_fragments_reassembled_or_dropped)
{
	static u8 f[1600], whole[1600], echo[1600];
	u32 elen = t_echo(echo, 1000 - 8, 0) - ETH_HLEN - 20;  /* 1000 ICMP bytes */
	u64 before;

	t_setup();
	memcpy(whole, echo + ETH_HLEN + 20, elen);
	mutex_lock(&net_lock);
	t_flush_sent();
	mutex_unlock(&net_lock);

	/* In reverse order, three pieces: reassembled and answered. */
	t_inject(f, t_frag(f, whole, 800, 200, false, 100));
	t_inject(f, t_frag(f, whole, 400, 400, true, 100));
	KT_ASSERT_EQ(t_nsent, 0);
	KT_ASSERT_EQ(ipfrag_queues(), 1);
	t_inject(f, t_frag(f, whole, 0, 400, true, 100));
	KT_ASSERT_EQ(t_nsent, 1);
	KT_ASSERT_EQ(ipfrag_queues(), 0);
	mutex_lock(&net_lock);
	KT_ASSERT_EQ(t_first_sent()->len, ETH_HLEN + 20 + 1000);
	t_flush_sent();
	mutex_unlock(&net_lock);

	/* Overlap: the second piece reaches into the first; the queue and
	 * both fragments go, and the rest completes nothing. */
	before = t_drops(NET_DROP_FRAG_OVERLAP);
	t_inject(f, t_frag(f, whole, 0, 400, true, 101));
	t_inject(f, t_frag(f, whole, 392, 400, true, 101));
	KT_ASSERT_EQ(t_drops(NET_DROP_FRAG_OVERLAP), before + 2);
	KT_ASSERT_EQ(ipfrag_queues(), 0);
	t_inject(f, t_frag(f, whole, 792, 208, false, 101));
	KT_ASSERT_EQ(t_nsent, 0);
	KT_ASSERT_EQ(ipfrag_queues(), 1);       /* waits for its timeout */

	/* A middle fragment whose length is not a multiple of 8, and one
	 * that would end past 64 KiB. */
	before = t_drops(NET_DROP_BAD_LEN);
	t_inject(f, t_frag(f, whole, 0, 401, true, 102));
	t_inject(f, t_ip(f, IPPROTO_ICMP, 400, (u16)(65528 / 8), 103));
	KT_ASSERT_EQ(t_drops(NET_DROP_BAD_LEN), before + 2);
	KT_ASSERT_EQ(t_nsent, 0);
}

/* A 60-byte frame straight to the device. net_lock held. */
static int t_send_one(struct net_device *d)
{
	struct pkt *p = pkt_alloc(ETH_HLEN + 60, ETH_HLEN);

	if (!p)
		return -ENOMEM;
	memset(pkt_put(p, 60), 0, 60);
	return netdev_xmit(d, p);
}

/* One notification per burst: inside netdev_tx_begin()/end() every frame
 * goes with more set and the outermost end flushes the device once;
 * outside a burst, or for an empty one, nothing is deferred. */
KTEST(netdev_tx_burst_flushes_once)
{
	struct net_device *d = t_setup();
	u32 alone_more, alone_flush, nested_flush, more, flush, empty_flush;
	int err = 0;

	mutex_lock(&net_lock);
	t_flush_sent();
	t_nmore = t_nflush = 0;
	err |= t_send_one(d);
	alone_more = t_nmore;
	alone_flush = t_nflush;
	netdev_tx_begin();
	err |= t_send_one(d);
	err |= t_send_one(d);
	netdev_tx_begin();
	err |= t_send_one(d);
	netdev_tx_end();
	nested_flush = t_nflush;
	netdev_tx_end();
	more = t_nmore;
	flush = t_nflush;
	netdev_tx_begin();
	netdev_tx_end();
	empty_flush = t_nflush;
	t_flush_sent();
	mutex_unlock(&net_lock);

	KT_ASSERT_EQ(err, 0);
	KT_ASSERT_EQ(alone_more, 0);
	KT_ASSERT_EQ(alone_flush, 0);
	KT_ASSERT_EQ(nested_flush, 0);
	KT_ASSERT_EQ(more, 3);
	KT_ASSERT_EQ(flush, 1);
	KT_ASSERT_EQ(empty_flush, 1);
}
