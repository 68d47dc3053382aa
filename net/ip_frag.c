/*
 * IPv4 reassembly (RFC 791 §3.2, RFC 815). Fragments of one datagram,
 * keyed by (source, destination, protocol, id), wait in a queue sorted by
 * offset until the last fragment has arrived and the offsets cover the
 * whole datagram without a hole; then one new pkt carries the datagram.
 *
 * Hostile input is dropped cleanly and counted: a fragment that overlaps
 * another (RFC 5722's rule for IPv6, applied here too: overlaps are how
 * filters are evaded) discards the whole queue (NET_DROP_FRAG_OVERLAP);
 * a fragment past 64 KiB, a non-final one whose length is not a multiple
 * of 8, or a second "last" fragment that disagrees on the end are
 * NET_DROP_BAD_LEN; a queue that is not complete after IPFRAG_TIMEOUT
 * goes (NET_DROP_FRAG_TIMEOUT, one per fragment); at most IPFRAG_QUEUES
 * datagrams and IPFRAG_MAX_FRAGS fragments each are kept
 * (NET_DROP_FRAG_LIMIT). All under net_lock.
 */
#include "net/proto.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"

#define IPFRAG_TIMEOUT    (30 * NSEC_PER_SEC)   /* as Linux's ipfrag_time */
#define IPFRAG_QUEUES     64
#define IPFRAG_MAX_FRAGS  64
#define IPFRAG_MAX_LEN    65535

struct ipfrag {
	u32 off, len;                   /* payload bytes */
	struct pkt *p;                  /* data at the IP header */
	struct list_node node;
};

struct ipfrag_queue {
	u32 saddr, daddr;
	u16 id;
	u8 proto;
	bool have_last;
	u32 total;                      /* payload bytes, once have_last */
	u32 nfrags;
	struct net_device *dev;
	struct list_node frags;         /* struct ipfrag by offset */
	struct net_timer timer;
	struct list_node node;
};

static struct list_node ipfrag_list = LIST_INIT(ipfrag_list);  /* net_lock */
static u32 ipfrag_count;

u32 ipfrag_queues(void)
{
	return ipfrag_count;
}

/* Free q, dropping (and counting as why) the fragments it still holds. */
static void ipfrag_destroy(struct ipfrag_queue *q, enum net_drop why)
{
	struct ipfrag *f, *tmp;

	list_for_each_entry_safe(f, tmp, &q->frags, node) {
		list_del(&f->node);
		net_count_drop(q->dev, why);
		pkt_free(f->p);
		kfree(f);
	}
	net_timer_cancel(&q->timer);
	list_del(&q->node);
	ipfrag_count--;
	kfree(q);
}

static void ipfrag_expire(struct net_timer *t)
{
	ipfrag_destroy(container_of(t, struct ipfrag_queue, timer),
		       NET_DROP_FRAG_TIMEOUT);
}

static struct ipfrag_queue *ipfrag_find(const struct iphdr *ih, struct net_device *dev)
{
	struct ipfrag_queue *q;

	list_for_each_entry(q, &ipfrag_list, node)
		if (q->saddr == ih->saddr && q->daddr == ih->daddr &&
		    q->id == ih->id && q->proto == ih->protocol)
			return q;
	if (ipfrag_count >= IPFRAG_QUEUES)
		return NULL;
	q = kzalloc(sizeof(*q), GFP_ATOMIC);
	if (!q)
		return NULL;
	q->saddr = ih->saddr;
	q->daddr = ih->daddr;
	q->id = ih->id;
	q->proto = ih->protocol;
	q->dev = dev;
	list_init(&q->frags);
	net_timer_init(&q->timer, ipfrag_expire);
	net_timer_arm(&q->timer, ktime_get() + IPFRAG_TIMEOUT);
	list_add_tail(&q->node, &ipfrag_list);
	ipfrag_count++;
	return q;
}

/* The datagram, if q now covers it all; q is consumed then. */
static struct pkt *ipfrag_complete(struct ipfrag_queue *q)
{
	struct ipfrag *f, *tmp, *first;
	struct iphdr *ih;
	struct pkt *p;
	u32 next = 0, hlen;

	if (!q->have_last)
		return NULL;
	list_for_each_entry(f, &q->frags, node) {
		if (f->off != next)
			return NULL;    /* a hole */
		next += f->len;
	}
	if (next != q->total)
		return NULL;
	first = list_first_entry(&q->frags, struct ipfrag, node);
	hlen = ((struct iphdr *)first->p->data)->ihl * 4u;
	p = pkt_alloc(PKT_HEADROOM + hlen + q->total, PKT_HEADROOM);
	if (!p) {
		ipfrag_destroy(q, NET_DROP_NOMEM);
		return NULL;
	}
	memcpy(pkt_put(p, hlen), first->p->data, hlen);
	list_for_each_entry_safe(f, tmp, &q->frags, node) {
		u32 fh = ((struct iphdr *)f->p->data)->ihl * 4u;

		memcpy(pkt_put(p, f->len), f->p->data + fh, f->len);
		list_del(&f->node);
		pkt_free(f->p);
		kfree(f);
	}
	p->dev = q->dev;
	ih = (struct iphdr *)p->data;
	ih->tot_len = htons((u16)(hlen + q->total));
	ih->frag_off = 0;
	p->nh = p->data;
	ipfrag_destroy(q, NET_DROP_NOMEM);      /* empty now: counts nothing */
	return p;
}

struct pkt *ipfrag_input(struct pkt *p)
{
	struct iphdr *ih = (struct iphdr *)p->data;
	u32 hlen = ih->ihl * 4u, len = p->len - hlen;
	u32 off = (ntohs(ih->frag_off) & IP_OFFSET) * 8u;
	bool more = ih->frag_off & htons(IP_MF);
	struct ipfrag_queue *q;
	struct ipfrag *f, *nb, *pr;
	struct list_node *at;

	if (off + len > IPFRAG_MAX_LEN || (more && (len & 7)) || !len) {
		net_count_drop(p->dev, NET_DROP_BAD_LEN);
		goto drop;
	}
	q = ipfrag_find(ih, p->dev);
	if (!q) {
		net_count_drop(p->dev, NET_DROP_FRAG_LIMIT);
		goto drop;
	}
	if (!more) {
		if (q->have_last && q->total != off + len) {
			net_count_drop(p->dev, NET_DROP_BAD_LEN);
			ipfrag_destroy(q, NET_DROP_BAD_LEN);
			goto drop;
		}
		q->have_last = true;
		q->total = off + len;
	}
	if (q->have_last && off + len > q->total) {
		net_count_drop(p->dev, NET_DROP_BAD_LEN);
		ipfrag_destroy(q, NET_DROP_BAD_LEN);
		goto drop;
	}
	/* Insert by offset; any overlap with a neighbour kills the queue. */
	at = q->frags.next;
	while (at != &q->frags && list_entry(at, struct ipfrag, node)->off < off)
		at = at->next;
	nb = list_entry(at, struct ipfrag, node);
	pr = list_entry(at->prev, struct ipfrag, node);
	if ((at != &q->frags && off + len > nb->off) ||
	    (at->prev != &q->frags && pr->off + pr->len > off)) {
		net_count_drop(p->dev, NET_DROP_FRAG_OVERLAP);
		ipfrag_destroy(q, NET_DROP_FRAG_OVERLAP);
		goto drop;
	}
	if (q->nfrags >= IPFRAG_MAX_FRAGS) {
		net_count_drop(p->dev, NET_DROP_FRAG_LIMIT);
		ipfrag_destroy(q, NET_DROP_FRAG_LIMIT);
		goto drop;
	}
	f = kmalloc(sizeof(*f), GFP_ATOMIC);
	if (!f) {
		net_count_drop(p->dev, NET_DROP_NOMEM);
		goto drop;
	}
	f->off = off;
	f->len = len;
	f->p = p;
	list_add_tail(&f->node, at);     /* before at */
	q->nfrags++;
	return ipfrag_complete(q);
drop:
	pkt_free(p);
	return NULL;
}
