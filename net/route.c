/*
 * The IPv4 routing table: a list of (destination, mask, gateway, device)
 * searched for the longest matching prefix. Entries come from interface
 * addresses (the subnet route) and from configuration (the default
 * route). net_lock.
 */
#include "net/proto.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kmalloc.h"

static struct list_node route_list = LIST_INIT(route_list);

struct route *route_lookup(u32 daddr)
{
	struct route *r, *best = NULL;

	list_for_each_entry(r, &route_list, node) {
		if ((daddr & r->mask) != r->dst)
			continue;
		if (!(r->dev->flags & IFF_UP))
			continue;
		if (!best || ntohl(r->mask) > ntohl(best->mask))
			best = r;
	}
	return best;
}

u32 route_source(u32 daddr)
{
	struct route *r;

	if (ipv4_is_local(daddr))
		return daddr;
	r = route_lookup(daddr);
	return r ? r->dev->ip_addr : 0;
}

int route_add(u32 dst, u32 mask, u32 gw, struct net_device *dev)
{
	struct route *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	r->dst = dst & mask;
	r->mask = mask;
	r->gw = gw;
	r->dev = dev;
	list_add_tail(&r->node, &route_list);
	return 0;
}

void route_del_dev(struct net_device *dev)
{
	struct route *r, *tmp;

	list_for_each_entry_safe(r, tmp, &route_list, node)
		if (r->dev == dev) {
			list_del(&r->node);
			kfree(r);
		}
}

int route_del(u32 dst, u32 mask, u32 gw, struct net_device *dev)
{
	struct route *r;

	list_for_each_entry(r, &route_list, node)
		if (r->dst == dst && r->mask == mask && (!gw || r->gw == gw) &&
		    (!dev || r->dev == dev)) {
			list_del(&r->node);
			kfree(r);
			return 0;
		}
	return -ESRCH;
}

void route_for_each(void (*fn)(const struct route *r, void *ctx), void *ctx)
{
	struct route *r;

	list_for_each_entry(r, &route_list, node)
		fn(r, ctx);
}
