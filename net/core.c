/*
 * The network thread, protocol timers and drop counters (see net.h).
 *
 * The thread loops: poll the devices that asked for it, run the timers
 * that expired, then sleep until a device asks again or the earliest
 * timer is due. Timers are few (a handful per TCP connection, one per ARP
 * entry and reassembly queue), so they sit in one unsorted list and the
 * thread scans it; arming a timer earlier than the thread's wake-up time
 * wakes it to re-plan.
 */
#include "net/net.h"
#include "net/netdev.h"
#include "net/proto.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

struct mutex net_lock = MUTEX_INIT(net_lock, "net");

static u64 net_drops[NET_DROP_MAX];     /* atomic adds */

static const char *const net_drop_names[NET_DROP_MAX] = {
	[NET_DROP_NOMEM] = "nomem",
	[NET_DROP_TRUNCATED] = "truncated",
	[NET_DROP_BAD_LEN] = "bad_len",
	[NET_DROP_BAD_CSUM] = "bad_csum",
	[NET_DROP_BAD_HDR] = "bad_hdr",
	[NET_DROP_NOT_FOR_US] = "not_for_us",
	[NET_DROP_PROTO] = "proto",
	[NET_DROP_NO_SOCKET] = "no_socket",
	[NET_DROP_RCVBUF] = "rcvbuf",
	[NET_DROP_FRAG_OVERLAP] = "frag_overlap",
	[NET_DROP_FRAG_TIMEOUT] = "frag_timeout",
	[NET_DROP_FRAG_LIMIT] = "frag_limit",
	[NET_DROP_NO_ROUTE] = "no_route",
	[NET_DROP_ARP_UNRESOLVED] = "arp_unresolved",
	[NET_DROP_TX_FULL] = "tx_full",
	[NET_DROP_LINK_DOWN] = "link_down",
	[NET_DROP_TCP_STATE] = "tcp_state",
	[NET_DROP_TCP_OOO] = "tcp_ooo",
};

const char *net_drop_name(enum net_drop r)
{
	return r < NET_DROP_MAX ? net_drop_names[r] : "?";
}

u64 net_drop_count(enum net_drop r)
{
	return r < NET_DROP_MAX ? __atomic_load_n(&net_drops[r], __ATOMIC_RELAXED) : 0;
}

void net_count_drop(struct net_device *dev, enum net_drop r)
{
	__atomic_add_fetch(&net_drops[r], 1, __ATOMIC_RELAXED);
	if (dev) {
		__atomic_add_fetch(&dev->stats.drops[r], 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&dev->stats.rx_dropped, 1, __ATOMIC_RELAXED);
	}
}

char *ipv4_str(u32 addr_be, char *buf)
{
	u32 a = ntohl(addr_be);

	ksnprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
		  a & 0xff);
	return buf;
}

/* ---- timers ---- */

static struct list_node net_timers = LIST_INIT(net_timers);    /* net_lock */
static struct task net_task;
static bool net_task_started;
static u64 net_wake_at;                 /* the thread's planned wake-up */

void net_timer_init(struct net_timer *t, void (*fn)(struct net_timer *t))
{
	t->fn = fn;
	t->pending = false;
	list_init(&t->node);
}

void net_timer_arm(struct net_timer *t, u64 expires)
{
	t->expires = expires;
	if (!t->pending) {
		list_add_tail(&t->node, &net_timers);
		t->pending = true;
	}
	if (expires < READ_ONCE(net_wake_at))
		net_kick();
}

void net_timer_cancel(struct net_timer *t)
{
	if (t->pending) {
		list_del(&t->node);
		t->pending = false;
	}
}

/* Run expired timers; return the earliest pending expiry (or ~0). A
 * callback may arm or cancel any timer, so the scan restarts after each. */
static u64 net_run_timers(void)
{
	struct net_timer *t;
	u64 now, next;

again:
	now = ktime_get();
	next = ~0ULL;
	list_for_each_entry(t, &net_timers, node) {
		if (t->expires <= now) {
			net_timer_cancel(t);
			t->fn(t);
			goto again;
		}
		if (t->expires < next)
			next = t->expires;
	}
	return next;
}

/* ---- the thread ---- */

static void net_waker_fire(struct timer *t)
{
	task_wake(&net_task);
}

void net_kick(void)
{
	if (net_task_started)
		task_wake(&net_task);
}

static void net_thread(void *arg)
{
	struct timer waker;
	u64 next;

	timer_setup(&waker, net_waker_fire);
	for (;;) {
		mutex_lock(&net_lock);
		/* What the received frames and the timers make us send
		 * (acknowledgements, window updates, retransmissions) goes to
		 * each device as one burst. */
		netdev_tx_begin();
		netdev_poll_all();
		next = net_run_timers();
		netdev_tx_end();
		WRITE_ONCE(net_wake_at, next);
		mutex_unlock(&net_lock);

		/* Sleep unless work arrived meanwhile: marked sleeping first,
		 * so a wake-up after the check is not lost. */
		current_task()->state = TASK_SLEEPING;
		if (netdev_work_pending() || ktime_get() >= next) {
			current_task()->state = TASK_RUNNABLE;
			continue;
		}
		if (next != ~0ULL)
			timer_arm(&waker, next);
		schedule();
		current_task()->state = TASK_RUNNABLE;
		timer_cancel(&waker);
		WRITE_ONCE(net_wake_at, 0);
	}
}

void net_init(void)
{
	void *stack = kstack_alloc();

	if (loopback_init())
		pr_err("net: no loopback interface\n");
	if (!stack) {
		pr_err("net: no stack for the network thread; networking is off\n");
		return;
	}
	if (task_start(&net_task, "net", net_thread, NULL, stack, KSTACK_SIZE,
		       TASK_ANY_CPU)) {
		pr_err("net: cannot start the network thread\n");
		kstack_free(stack);
		return;
	}
	net_task_started = true;
}
