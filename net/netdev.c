/* Network devices (see netdev.h). */
#include "net/netdev.h"
#include "net/proto.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"

/* Every registered device, net_lock. */
static struct list_node netdev_list = LIST_INIT(netdev_list);
static int netdev_next_index = 1;
/* Some device's poll_pending is set: read by the network thread without
 * net_lock before it sleeps, so it is a separate atomic flag. */
static u32 netdev_any_pending;

#define NETDEV_POLL_BUDGET 64

/* netdev_tx_begin() nesting; > 0 inside a burst. net_lock. */
static unsigned int netdev_tx_depth;

int netdev_register(struct net_device *dev, const char *prefix)
{
	struct net_device *d;
	int n = 0;

	mutex_lock(&net_lock);
	list_for_each_entry(d, &netdev_list, node)
		if (!strncmp(d->name, prefix, strlen(prefix)))
			n++;
	if (!strcmp(prefix, "lo"))
		strlcpy(dev->name, "lo", sizeof(dev->name));
	else
		ksnprintf(dev->name, sizeof(dev->name), "%s%d", prefix, n);
	dev->ifindex = netdev_next_index++;
	dev->flags |= IFF_UP;
	if (!dev->mtu)
		dev->mtu = ETH_DATA_LEN;
	list_add_tail(&dev->node, &netdev_list);
	mutex_unlock(&net_lock);
	pr_info("net: %s: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u%s\n", dev->name,
		dev->mac[0], dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4],
		dev->mac[5], dev->mtu, dev->flags & IFF_RUNNING ? " link up" : " link down");
	return 0;
}

void netdev_schedule(struct net_device *dev)
{
	__atomic_add_fetch(&dev->stats.poll_requests, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&dev->poll_pending, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&netdev_any_pending, 1, __ATOMIC_RELEASE);
	net_kick();
}

void netdev_set_link(struct net_device *dev, bool up)
{
	if (up)
		__atomic_or_fetch(&dev->flags, IFF_RUNNING, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&dev->flags, ~(u32)IFF_RUNNING, __ATOMIC_RELAXED);
}

void netdev_rx(struct net_device *dev, struct pkt *p)
{
	p->dev = dev;
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += p->len;
	if (!(dev->flags & IFF_UP)) {
		net_count_drop(dev, NET_DROP_LINK_DOWN);
		pkt_free(p);
		return;
	}
	if (dev->hard_header_len)
		eth_input(dev, p);
	else
		ipv4_input(dev, p);
}

int netdev_xmit(struct net_device *dev, struct pkt *p)
{
	u32 len = p->len;
	bool more;
	int err;

	if ((dev->flags & (IFF_UP | IFF_RUNNING)) != (IFF_UP | IFF_RUNNING)) {
		net_count_drop(dev, NET_DROP_LINK_DOWN);
		pkt_free(p);
		return -ENETDOWN;
	}
	more = netdev_tx_depth && dev->ops->flush;
	if (more)
		dev->tx_unflushed = true;
	err = dev->ops->xmit(dev, p, more);
	if (err) {
		dev->stats.tx_dropped++;
		return err;
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += len;
	return 0;
}

void netdev_tx_begin(void)
{
	netdev_tx_depth++;
}

void netdev_tx_end(void)
{
	struct net_device *d;

	if (--netdev_tx_depth)
		return;
	list_for_each_entry(d, &netdev_list, node) {
		if (!d->tx_unflushed)
			continue;
		d->tx_unflushed = false;
		d->ops->flush(d);
	}
}

struct net_device *netdev_by_name(const char *name)
{
	struct net_device *d;

	list_for_each_entry(d, &netdev_list, node)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

struct net_device *netdev_by_index(int ifindex)
{
	struct net_device *d;

	list_for_each_entry(d, &netdev_list, node)
		if (d->ifindex == ifindex)
			return d;
	return NULL;
}

bool netdev_has_addr(u32 addr)
{
	struct net_device *d;

	list_for_each_entry(d, &netdev_list, node)
		if (d->ip_addr && d->ip_addr == addr)
			return true;
	return false;
}

struct net_device *netdev_first_ether(void)
{
	struct net_device *d;

	list_for_each_entry(d, &netdev_list, node)
		if (!(d->flags & IFF_LOOPBACK))
			return d;
	return NULL;
}

void netdev_for_each(void (*fn)(struct net_device *dev, void *ctx), void *ctx)
{
	struct net_device *d;

	list_for_each_entry(d, &netdev_list, node)
		fn(d, ctx);
}

bool netdev_work_pending(void)
{
	return __atomic_load_n(&netdev_any_pending, __ATOMIC_ACQUIRE);
}

void netdev_poll_all(void)
{
	struct net_device *d;

	__atomic_store_n(&netdev_any_pending, 0, __ATOMIC_RELEASE);
	list_for_each_entry(d, &netdev_list, node) {
		if (!__atomic_exchange_n(&d->poll_pending, 0, __ATOMIC_ACQ_REL))
			continue;
		/* A driver with more than a budget's worth asks again. */
		if (d->ops->poll && d->ops->poll(d, NETDEV_POLL_BUDGET) >= NETDEV_POLL_BUDGET)
			netdev_schedule(d);
	}
}
