/*
 * The loopback interface "lo", 127.0.0.1/8: what is sent on it is
 * received on it, one network-thread pass later (so a reply is never
 * produced inside the call that sent the request). Checksums are neither
 * computed nor checked: the bytes never leave memory.
 */
#include "net/proto.h"
#include "kernel/lib/string.h"

#define LOOPBACK_MTU 65536

static struct net_device lo_dev;
static struct list_node lo_queue = LIST_INIT(lo_queue);        /* net_lock */

struct net_device *loopback_dev(void)
{
	return &lo_dev;
}

static int lo_xmit(struct net_device *dev, struct pkt *p, bool more)
{
	list_add_tail(&p->node, &lo_queue);
	netdev_schedule(dev);
	return 0;
}

static int lo_poll(struct net_device *dev, int budget)
{
	int n = 0;

	while (n < budget && !list_empty(&lo_queue)) {
		struct pkt *p = list_first_entry(&lo_queue, struct pkt, node);

		list_del(&p->node);
		p->csum_valid = true;
		p->csum_partial = false;
		netdev_rx(dev, p);
		n++;
	}
	return n;
}

static const struct net_device_ops lo_ops = {
	.xmit = lo_xmit,
	.poll = lo_poll,
};

int loopback_init(void)
{
	int err;

	lo_dev.ops = &lo_ops;
	lo_dev.mtu = LOOPBACK_MTU;
	lo_dev.flags = IFF_LOOPBACK | IFF_RUNNING;
	lo_dev.csum_tx = true;
	err = netdev_register(&lo_dev, "lo");
	if (err)
		return err;
	mutex_lock(&net_lock);
	err = ipv4_set_addr(&lo_dev, htonl(IPV4(127, 0, 0, 1)), htonl(0xff000000));
	mutex_unlock(&net_lock);
	return err;
}
