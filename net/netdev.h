/*
 * Network devices: what a NIC driver (virtio-net, loopback, the test
 * device of net/tests.c) plugs into.
 *
 * A driver fills a struct net_device (name prefix, MAC, MTU, ops) and
 * registers it. Receiving: its interrupt handler masks further interrupts
 * and calls netdev_schedule(); the network thread then calls ops->poll()
 * with net_lock held, and poll hands each frame to netdev_rx() (which
 * takes ownership). Sending: the stack calls ops->xmit() with net_lock
 * held; xmit owns the pkt from then on (it frees it after the device is
 * done, or at once on error).
 */
#ifndef VIREO_NET_NETDEV_H
#define VIREO_NET_NETDEV_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "net/net.h"
#include "net/pkt.h"
#include <linux/if_ether.h>

/* Interface flags with Linux's values (SIOCGIFFLAGS reports them).
 * <linux/if.h> has them but includes glibc's <sys/socket.h>, which the
 * freestanding build does not have; these are the ABI's numbers. */
#define IFF_UP          0x1
#define IFF_BROADCAST   0x2
#define IFF_LOOPBACK    0x8
#define IFF_RUNNING     0x40
#define IFF_MULTICAST   0x1000
#define IFNAMSIZ        16

struct net_device;

struct net_device_ops {
	/* Send one frame (data starts at the Ethernet header, or the IP
	 * header for a device without a link header). Owns p. Returns 0 or
	 * a negative errno (p was freed and the drop counted). more: the
	 * stack is inside a netdev_tx_begin()/end() burst and will call
	 * flush() at its end, so the driver may queue p without telling the
	 * device yet (one notification per burst, not per frame). */
	int (*xmit)(struct net_device *dev, struct pkt *p, bool more);
	/* Tell the device about what xmit queued with more set. NULL for a
	 * driver that sends at once (then more is always false). */
	void (*flush)(struct net_device *dev);
	/* Collect up to budget received frames into netdev_rx(); return how
	 * many. Re-enable interrupts when done. */
	int (*poll)(struct net_device *dev, int budget);
};

struct net_stats {
	u64 rx_packets, rx_bytes;
	u64 tx_packets, tx_bytes;
	u64 rx_dropped, tx_dropped;
	u64 drops[NET_DROP_MAX];        /* by reason (net.h) */
	u64 poll_requests;              /* netdev_schedule calls */
};

struct net_device {
	char name[IFNAMSIZ];            /* "eth0", "lo" */
	int ifindex;
	u8 mac[ETH_ALEN];
	u16 hard_header_len;            /* ETH_HLEN, or 0 for loopback */
	u32 mtu;                        /* IP bytes per frame */
	u32 flags;                      /* IFF_*; RUNNING follows the link */
	bool csum_tx;                   /* device fills L4 checksums */
	const struct net_device_ops *ops;
	void *priv;                     /* the driver's */

	/* IPv4 configuration, network order; 0 = none. net_lock. */
	u32 ip_addr;
	u32 ip_mask;

	struct net_stats stats;         /* atomic adds; read lockless */
	u32 poll_pending;               /* set by netdev_schedule */
	bool tx_unflushed;              /* xmit queued with more; net_lock */
	struct list_node node;          /* all devices, net_lock */
};

/* Register (assigns ifindex and a name from prefix, e.g. "eth" ->
 * "eth0"); the device starts up and running. */
int netdev_register(struct net_device *dev, const char *prefix);
/* Interrupt context OK: ask the network thread to poll dev. */
void netdev_schedule(struct net_device *dev);
/* From ops->poll: hand a received frame to the stack. net_lock held. */
void netdev_rx(struct net_device *dev, struct pkt *p);
/* Send a finished frame (counts, checks the link). net_lock held. */
int netdev_xmit(struct net_device *dev, struct pkt *p);
/* Bracket a burst of netdev_xmit() calls (a TCP window's worth of
 * segments, the replies to a poll's worth of frames): inside, drivers
 * may hold their notifications; the outermost end flushes every device.
 * Nests. net_lock held from begin to end, never released between. */
void netdev_tx_begin(void);
void netdev_tx_end(void);
/* Link state from the driver (config-change interrupt): any context. */
void netdev_set_link(struct net_device *dev, bool up);

struct net_device *netdev_by_name(const char *name);
struct net_device *netdev_by_index(int ifindex);
/* Is addr (network order) configured on any device? net_lock held. */
bool netdev_has_addr(u32 addr);
/* The first device that is not loopback, or NULL. net_lock held. */
struct net_device *netdev_first_ether(void);
/* procfs/sysfs: fn on every device, net_lock held. */
void netdev_for_each(void (*fn)(struct net_device *dev, void *ctx), void *ctx);
/* Poll every device with pending work (the network thread). */
void netdev_poll_all(void);
/* True if any device asked to be polled. */
bool netdev_work_pending(void);

/* The loopback device (net/loopback.c). */
struct net_device *loopback_dev(void);
int loopback_init(void);

#endif
