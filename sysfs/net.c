/*
 * /sys/class/net: a directory per network interface with the attributes
 * tools read (address, mtu, operstate, carrier, flags, ifindex, type...)
 * and statistics/. Linux makes class/net/eth0 a link into the device's
 * directory; here it is the directory itself, named by the interface,
 * found again by name at every use (interfaces are never unregistered,
 * but a name that does not resolve is -ENOENT all the same).
 */
#include "sysfs/internal.h"
#include "net/netdev.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

/* <linux/if_arp.h> values (it includes glibc's <sys/socket.h>). */
#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772

enum net_attr {
	NA_ADDRESS, NA_ADDR_LEN, NA_BROADCAST, NA_CARRIER, NA_FLAGS, NA_IFINDEX,
	NA_MTU, NA_OPERSTATE, NA_TX_QUEUE_LEN, NA_TYPE, NA_NR
};

static const char *const net_attr_names[NA_NR] = {
	"address", "addr_len", "broadcast", "carrier", "flags", "ifindex",
	"mtu", "operstate", "tx_queue_len", "type",
};

enum net_stat {
	NS_RX_BYTES, NS_RX_DROPPED, NS_RX_ERRORS, NS_RX_PACKETS,
	NS_TX_BYTES, NS_TX_DROPPED, NS_TX_ERRORS, NS_TX_PACKETS, NS_NR
};

static const char *const net_stat_names[NS_NR] = {
	"rx_bytes", "rx_dropped", "rx_errors", "rx_packets",
	"tx_bytes", "tx_dropped", "tx_errors", "tx_packets",
};

static void net_mac(struct pfs_buf *b, const u8 *m)
{
	pfs_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void net_attr(struct net_device *dev, enum net_attr a, struct pfs_buf *b)
{
	static const u8 bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	bool lo = dev->flags & IFF_LOOPBACK;
	u32 flags = dev->flags | (lo ? 0 : IFF_BROADCAST | IFF_MULTICAST);

	switch (a) {
	case NA_ADDRESS:
		net_mac(b, dev->mac);
		break;
	case NA_ADDR_LEN:
		pfs_printf(b, "%d\n", ETH_ALEN);
		break;
	case NA_BROADCAST:
		net_mac(b, lo ? dev->mac : bcast);
		break;
	case NA_CARRIER:
		pfs_printf(b, "%d\n", !!(dev->flags & IFF_RUNNING));
		break;
	case NA_FLAGS:
		/* RUNNING is not among the flags Linux shows here. */
		pfs_printf(b, "0x%x\n", flags & ~(u32)IFF_RUNNING);
		break;
	case NA_IFINDEX:
		pfs_printf(b, "%d\n", dev->ifindex);
		break;
	case NA_MTU:
		pfs_printf(b, "%u\n", dev->mtu);
		break;
	case NA_OPERSTATE:
		/* Linux's loopback has no operational state: "unknown". */
		pfs_printf(b, "%s\n", lo ? "unknown" :
			   (dev->flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING) ?
			   "up" : "down");
		break;
	case NA_TX_QUEUE_LEN:
		pfs_printf(b, "%d\n", 1000);      /* Linux's default, lo too */
		break;
	case NA_TYPE:
		pfs_printf(b, "%d\n", lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER);
		break;
	case NA_NR:
		break;
	}
}

static u64 net_stat(struct net_device *dev, enum net_stat s)
{
	const struct net_stats *st = &dev->stats;
	u64 v = 0;

	switch (s) {
	case NS_RX_BYTES: return st->rx_bytes;
	case NS_RX_PACKETS: return st->rx_packets;
	case NS_TX_BYTES: return st->tx_bytes;
	case NS_TX_PACKETS: return st->tx_packets;
	case NS_TX_DROPPED: return st->tx_dropped;
	case NS_RX_DROPPED:
		/* Frames the stack refused: every input drop reason. */
		for (int r = 0; r < NET_DROP_MAX; r++)
			if (r != NET_DROP_TX_FULL && r != NET_DROP_NO_ROUTE &&
			    r != NET_DROP_ARP_UNRESOLVED)
				v += __atomic_load_n(&st->drops[r], __ATOMIC_RELAXED);
		return v + st->rx_dropped;
	case NS_RX_ERRORS:
		/* Damaged frames: the subset of drops a NIC calls errors. */
		return st->drops[NET_DROP_TRUNCATED] + st->drops[NET_DROP_BAD_LEN] +
		       st->drops[NET_DROP_BAD_CSUM] + st->drops[NET_DROP_BAD_HDR];
	case NS_TX_ERRORS:
	case NS_NR:
		break;
	}
	return 0;
}

/* Nodes: key = interface name; num = attribute; obj2 != NULL: statistics. */
static int net_attr_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct net_device *dev;

	mutex_lock(&net_lock);
	dev = netdev_by_name(n->key);
	if (dev) {
		if (n->obj2)
			pfs_printf(b, "%llu\n", (unsigned long long)net_stat(dev, (enum net_stat)n->num));
		else
			net_attr(dev, (enum net_attr)n->num, b);
	}
	mutex_unlock(&net_lock);
	return dev ? 0 : -ENOENT;
}

static const struct pfs_ops net_attr_ops = { .show = net_attr_show };

static bool net_exists(const char *name)
{
	bool found;

	mutex_lock(&net_lock);
	found = netdev_by_name(name) != NULL;
	mutex_unlock(&net_lock);
	return found;
}

static int net_stats_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	if (!net_exists(dir->key))
		return -ENOENT;
	for (u64 i = 0; i < NS_NR; i++) {
		struct pfs_node n = { .ops = &net_attr_ops, .mode = S_IFREG | 0444,
				      .num = i, .obj2 = dir };

		strlcpy(n.key, dir->key, sizeof(n.key));
		if (!pfs_emit(l, net_stat_names[i], &n))
			break;
	}
	return 0;
}

static const struct pfs_ops net_stats_ops = { .list = net_stats_list };

static int net_dev_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct pfs_node n = { .ops = &net_stats_ops, .mode = S_IFDIR | 0755 };

	if (!net_exists(dir->key))
		return -ENOENT;
	strlcpy(n.key, dir->key, sizeof(n.key));
	if (!pfs_emit(l, "statistics", &n))
		return 0;
	for (u64 i = 0; i < NA_NR; i++) {
		n = (struct pfs_node){ .ops = &net_attr_ops, .mode = S_IFREG | 0444, .num = i };
		strlcpy(n.key, dir->key, sizeof(n.key));
		if (!pfs_emit(l, net_attr_names[i], &n))
			break;
	}
	return 0;
}

static const struct pfs_ops net_dev_ops = { .list = net_dev_list };

struct net_class_walk {
	struct pfs_lister *l;
	bool stop;
};

static void net_class_one(struct net_device *dev, void *ctx)
{
	struct net_class_walk *w = ctx;
	struct pfs_node n = { .ops = &net_dev_ops, .mode = S_IFDIR | 0755 };

	if (w->stop)
		return;
	strlcpy(n.key, dev->name, sizeof(n.key));
	w->stop = !pfs_emit(w->l, dev->name, &n);
}

static int net_class_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct net_class_walk w = { .l = l };

	(void)dir;
	mutex_lock(&net_lock);
	netdev_for_each(net_class_one, &w);
	mutex_unlock(&net_lock);
	return 0;
}

const struct pfs_ops sysfs_net_class_ops = { .list = net_class_list };
