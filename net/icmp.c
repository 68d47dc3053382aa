/*
 * ICMP (RFC 792): the guest answers echo requests, reports closed UDP
 * ports, and can ping (icmp_ping, for the benchmark). Other messages are
 * counted and ignored.
 */
#include "net/proto.h"
#include "net/socket.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

struct icmp_hdr {
	u8 type, code;
	u16 checksum;
	u16 id, seq;                    /* echo; "unused" for unreachable */
};
_Static_assert(sizeof(struct icmp_hdr) == 8, "ICMP header");

static u64 icmp_replies;                /* echo replies sent, net_lock */

/* The one outstanding icmp_ping(), net_lock. */
static struct {
	struct task *task;
	u16 id, seq;
	bool answered;
	u64 at;
} icmp_pinger;

u64 icmp_echo_replies_sent(void)
{
	return icmp_replies;
}

static void icmp_echo_reply(struct pkt *p, const struct iphdr *ih)
{
	struct icmp_hdr *h = (struct icmp_hdr *)p->data;
	struct pkt *r;
	u32 saddr = ih->daddr, daddr = ih->saddr;

	/* No replies to broadcasts (RFC 1122 §3.2.2.6 allows silence). */
	if (p->link_bcast || ih->daddr == htonl(INADDR_BROADCAST))
		return;
	r = pkt_alloc(PKT_HEADROOM + p->len, PKT_HEADROOM);
	if (!r) {
		net_count_drop(p->dev, NET_DROP_NOMEM);
		return;
	}
	memcpy(pkt_put(r, p->len), h, p->len);
	h = (struct icmp_hdr *)r->data;
	h->type = ICMP_ECHOREPLY;
	h->code = 0;
	h->checksum = 0;
	h->checksum = csum_fold(csum_partial(h, r->len, 0));
	icmp_replies++;
	ipv4_output(r, saddr, daddr, IPPROTO_ICMP, 0, NULL);
}

void icmp_input(struct pkt *p)
{
	const struct iphdr *ih = (const struct iphdr *)p->nh;
	struct icmp_hdr *h = (struct icmp_hdr *)p->data;

	if (p->len < sizeof(*h)) {
		net_count_drop(p->dev, NET_DROP_TRUNCATED);
		goto out;
	}
	if (csum_fold(csum_partial(h, p->len, 0))) {
		net_count_drop(p->dev, NET_DROP_BAD_CSUM);
		goto out;
	}
	switch (h->type) {
	case ICMP_ECHO:
		icmp_echo_reply(p, ih);
		break;
	case ICMP_ECHOREPLY:
		if (icmp_pinger.task && h->id == icmp_pinger.id &&
		    h->seq == icmp_pinger.seq && !icmp_pinger.answered) {
			icmp_pinger.answered = true;
			icmp_pinger.at = ktime_get();
			task_wake(icmp_pinger.task);
		}
		break;
	default:
		break;
	}
out:
	pkt_free(p);
}

void icmp_send_unreach(struct pkt *p, u8 code)
{
	const struct iphdr *ih = (const struct iphdr *)p->nh;
	u32 hlen = ih->ihl * 4u;
	/* RFC 792: the IP header and the first 8 bytes of the datagram. */
	u32 quote = hlen + MIN(8u, (u32)(p->data + p->len - p->th));
	struct icmp_hdr *h;
	struct pkt *r;

	r = pkt_alloc(PKT_HEADROOM + sizeof(*h) + quote, PKT_HEADROOM);
	if (!r)
		return;
	h = (struct icmp_hdr *)pkt_put(r, sizeof(*h) + quote);
	memset(h, 0, sizeof(*h));
	h->type = ICMP_DEST_UNREACH;
	h->code = code;
	memcpy(h + 1, ih, quote);
	h->checksum = csum_fold(csum_partial(h, r->len, 0));
	ipv4_output(r, ih->daddr, ih->saddr, IPPROTO_ICMP, 0, NULL);
}

struct icmp_sleeper {
	struct timer timer;
	struct task *task;
};

static void icmp_sleeper_fire(struct timer *t)
{
	task_wake(container_of(t, struct icmp_sleeper, timer)->task);
}

int icmp_ping(u32 daddr, u32 size, u64 timeout_ns, u64 *rtt_ns)
{
	static u16 seq;
	struct icmp_sleeper s = { .task = current_task() };
	struct icmp_hdr *h;
	struct pkt *p;
	u64 sent, deadline;
	int err = 0;

	if (size > 1400)
		return -EMSGSIZE;
	p = pkt_alloc(PKT_HEADROOM + sizeof(*h) + size, PKT_HEADROOM);
	if (!p)
		return -ENOMEM;
	h = (struct icmp_hdr *)pkt_put(p, sizeof(*h) + size);
	for (u32 i = 0; i < size; i++)
		((u8 *)(h + 1))[i] = (u8)i;
	timer_setup(&s.timer, icmp_sleeper_fire);
	mutex_lock(&net_lock);
	if (icmp_pinger.task) {
		mutex_unlock(&net_lock);
		pkt_free(p);
		return -EBUSY;
	}
	h->type = ICMP_ECHO;
	h->code = 0;
	h->id = htons(0x5649);          /* "VI" */
	h->seq = htons(++seq);
	h->checksum = 0;
	h->checksum = csum_fold(csum_partial(h, p->len, 0));
	icmp_pinger.task = current_task();
	icmp_pinger.id = h->id;
	icmp_pinger.seq = h->seq;
	icmp_pinger.answered = false;
	sent = ktime_get();
	deadline = sent + timeout_ns;
	err = ipv4_output(p, 0, daddr, IPPROTO_ICMP, 0, NULL);
	while (!err && !icmp_pinger.answered) {
		if (ktime_get() >= deadline) {
			err = -ETIMEDOUT;
			break;
		}
		current_task()->state = TASK_SLEEPING;
		timer_arm(&s.timer, deadline);
		mutex_unlock(&net_lock);
		schedule();
		current_task()->state = TASK_RUNNABLE;
		mutex_lock(&net_lock);
	}
	if (!err)
		*rtt_ns = icmp_pinger.at - sent;
	icmp_pinger.task = NULL;
	mutex_unlock(&net_lock);
	timer_cancel_sync(&s.timer);
	return err;
}
