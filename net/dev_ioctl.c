/*
 * Interface and route ioctls on a socket (see dev_ioctl.h), as Linux
 * answers them for IPv4: the requests name an interface in struct ifreq,
 * SIOCGIFCONF lists the interfaces that have an address, SIOCADDRT and
 * SIOCDELRT take a struct rtentry. Changes need euid 0 (Linux:
 * CAP_NET_ADMIN).
 *
 * The layouts are the x86-64 ABI of <linux/if.h> and <linux/route.h>.
 * Those headers include glibc's <sys/socket.h>, which the freestanding
 * build does not have, so the three structs are laid out here and
 * checked against the ABI's sizes and offsets.
 */
#include "net/dev_ioctl.h"
#include "net/netdev.h"
#include "net/proto.h"
#include "net/socket.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include <linux/sockios.h>

struct net_ifreq {
	char name[IFNAMSIZ];
	union {
		struct sockaddr addr;
		short flags;
		int ivalue;
		u8 map[24];             /* struct ifmap: the union's size */
	};
};
_Static_assert(sizeof(struct net_ifreq) == 40, "struct ifreq");

struct net_ifconf {
	int len;
	void *buf;                      /* struct ifreq array */
};
_Static_assert(sizeof(struct net_ifconf) == 16, "struct ifconf");
_Static_assert(offsetof(struct net_ifconf, buf) == 8, "ifc_buf");

struct net_rtentry {
	unsigned long pad1;
	struct sockaddr dst, gateway, genmask;
	unsigned short flags;
	short pad2;
	unsigned long pad3;
	void *pad4;
	short metric;
	char *dev;
	unsigned long mtu, window;
	unsigned short irtt;
};
_Static_assert(sizeof(struct net_rtentry) == 120, "struct rtentry");
_Static_assert(offsetof(struct net_rtentry, flags) == 56, "rt_flags");
_Static_assert(offsetof(struct net_rtentry, dev) == 88, "rt_dev");

/* <linux/route.h> and <linux/if_arp.h> values. */
#define RTF_UP          0x0001
#define RTF_GATEWAY     0x0002
#define RTF_HOST        0x0004
#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772

/* Linux's txqueuelen default for Ethernet devices (reported, not used). */
#define NET_TXQLEN 1000

static void sin_put(struct sockaddr *sa, u32 addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sa, 0, sizeof(*sa));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
}

static int sin_get(const struct sockaddr *sa, u32 *addr)
{
	if (sa->sa_family != AF_INET)
		return -EINVAL;
	*addr = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	return 0;
}

/* ---- SIOCGIFCONF ---- */

struct ifconf_walk {
	u8 *ubuf;                       /* NULL: only count */
	int room, used;
	int err;
};

static void ifconf_one(struct net_device *dev, void *ctx)
{
	struct ifconf_walk *w = ctx;
	struct net_ifreq r;

	if (!dev->ip_addr || w->err)
		return;
	if (w->ubuf) {
		if (w->room - w->used < (int)sizeof(r))
			return;
		memset(&r, 0, sizeof(r));
		strlcpy(r.name, dev->name, sizeof(r.name));
		sin_put(&r.addr, dev->ip_addr);
		if (copy_to_user(w->ubuf + w->used, &r, sizeof(r))) {
			w->err = -EFAULT;
			return;
		}
	}
	w->used += sizeof(r);
}

static long dev_ifconf(void *uarg)
{
	struct net_ifconf c;
	struct ifconf_walk w = { 0 };

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	w.ubuf = c.buf;
	w.room = c.len;
	mutex_lock(&net_lock);
	netdev_for_each(ifconf_one, &w);
	mutex_unlock(&net_lock);
	if (w.err)
		return w.err;
	c.len = w.used;
	return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
}

/* ---- SIOCADDRT / SIOCDELRT ---- */

static long dev_route(unsigned cmd, void *uarg)
{
	struct net_rtentry rt;
	struct net_device *dev = NULL;
	u32 dst, gw = 0, mask = 0xffffffff;
	long err;

	if (copy_from_user(&rt, uarg, sizeof(rt)))
		return -EFAULT;
	if (sin_get(&rt.dst, &dst))
		return -EINVAL;
	if (!(rt.flags & RTF_HOST) && sin_get(&rt.genmask, &mask) &&
	    rt.genmask.sa_family != AF_UNSPEC)
		return -EINVAL;
	if ((rt.flags & RTF_GATEWAY) && sin_get(&rt.gateway, &gw))
		return -EINVAL;
	if (dst & ~mask)
		return -EINVAL;
	if (rt.dev) {
		char name[IFNAMSIZ];
		long n = strncpy_from_user(name, rt.dev, sizeof(name));

		if (n < 0)
			return n;
		if (n == sizeof(name))
			return -ENODEV;
		mutex_lock(&net_lock);
		dev = netdev_by_name(name);
		mutex_unlock(&net_lock);
		if (!dev)
			return -ENODEV;
	}
	mutex_lock(&net_lock);
	if (cmd == SIOCDELRT) {
		err = route_del(dst, mask, gw, dev);
	} else {
		if (!dev) {
			/* The interface that reaches the gateway (or the
			 * destination) directly, as Linux picks it. */
			struct route *r = route_lookup(gw ? gw : dst);

			dev = r && !r->gw ? r->dev : NULL;
		}
		err = dev ? route_add(dst, mask, gw, dev) : -ENETUNREACH;
	}
	mutex_unlock(&net_lock);
	return err;
}

/* ---- one interface ---- */

static u32 dev_default_mask(u32 addr)
{
	u32 a = ntohl(addr);

	/* The classful mask Linux gives an address set without one. */
	if (!(a & 0x80000000))
		return htonl(0xff000000);
	if ((a & 0xc0000000) == 0x80000000)
		return htonl(0xffff0000);
	return htonl(0xffffff00);
}

/* net_lock held. */
static long dev_ifreq(unsigned cmd, struct net_device *dev, struct net_ifreq *r)
{
	u32 a;

	switch (cmd) {
	case SIOCGIFFLAGS:
		r->flags = (short)(dev->flags | (dev->flags & IFF_LOOPBACK ? 0 :
						 IFF_BROADCAST | IFF_MULTICAST));
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (!dev->ip_addr)
			return -EADDRNOTAVAIL;
		a = cmd == SIOCGIFADDR ? dev->ip_addr :
		    cmd == SIOCGIFNETMASK ? dev->ip_mask :
		    (dev->ip_addr | ~dev->ip_mask);
		sin_put(&r->addr, a);
		return 0;
	case SIOCGIFHWADDR:
		memset(&r->addr, 0, sizeof(r->addr));
		r->addr.sa_family = dev->flags & IFF_LOOPBACK ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		memcpy(r->addr.sa_data, dev->mac, ETH_ALEN);
		return 0;
	case SIOCGIFMTU:
		r->ivalue = (int)dev->mtu;
		return 0;
	case SIOCGIFINDEX:
		r->ivalue = dev->ifindex;
		return 0;
	case SIOCGIFMETRIC:
		r->ivalue = 0;
		return 0;
	case SIOCGIFTXQLEN:
		r->ivalue = dev->flags & IFF_LOOPBACK ? 0 : NET_TXQLEN;
		return 0;
	case SIOCSIFADDR:
		if (sin_get(&r->addr, &a))
			return -EINVAL;
		return ipv4_set_addr(dev, a, dev->ip_mask ? dev->ip_mask : dev_default_mask(a));
	case SIOCSIFNETMASK:
		if (sin_get(&r->addr, &a))
			return -EINVAL;
		if (!dev->ip_addr)
			return -EADDRNOTAVAIL;
		return ipv4_set_addr(dev, dev->ip_addr, a);
	case SIOCSIFFLAGS:
		/* Only IFF_UP changes; RUNNING follows the link. */
		if (r->flags & IFF_UP)
			dev->flags |= IFF_UP;
		else
			dev->flags &= ~(u32)IFF_UP;
		return 0;
	default:
		return -ENOTTY;
	}
}

static bool dev_cmd_sets(unsigned cmd)
{
	return cmd == SIOCSIFADDR || cmd == SIOCSIFNETMASK || cmd == SIOCSIFFLAGS ||
	       cmd == SIOCADDRT || cmd == SIOCDELRT;
}

long net_dev_ioctl(unsigned cmd, void *uarg)
{
	struct net_ifreq r;
	struct net_device *dev;
	long err;

	switch (cmd) {
	case SIOCGIFCONF: case SIOCGIFFLAGS: case SIOCGIFADDR: case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR: case SIOCGIFHWADDR: case SIOCGIFMTU: case SIOCGIFINDEX:
	case SIOCGIFNAME: case SIOCGIFMETRIC: case SIOCGIFTXQLEN: case SIOCSIFADDR:
	case SIOCSIFNETMASK: case SIOCSIFFLAGS: case SIOCADDRT: case SIOCDELRT:
		break;
	default:
		return -ENOTTY;
	}
	if (dev_cmd_sets(cmd) && current_proc() && current_proc()->euid != 0)
		return -EPERM;
	if (cmd == SIOCGIFCONF)
		return dev_ifconf(uarg);
	if (cmd == SIOCADDRT || cmd == SIOCDELRT)
		return dev_route(cmd, uarg);
	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	r.name[IFNAMSIZ - 1] = 0;
	mutex_lock(&net_lock);
	if (cmd == SIOCGIFNAME) {
		dev = netdev_by_index(r.ivalue);
		if (dev)
			strlcpy(r.name, dev->name, sizeof(r.name));
		err = dev ? 0 : -ENODEV;
	} else {
		dev = netdev_by_name(r.name);
		err = dev ? dev_ifreq(cmd, dev, &r) : -ENODEV;
	}
	mutex_unlock(&net_lock);
	if (err)
		return err;
	return copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
}
