/*
 * Boot-time interface configuration from `ip=` (see ipconfig.h): static
 * address, netmask and gateway, or DHCP, on the named device or the first
 * Ethernet one. Without `ip=` interfaces stay unconfigured, as on Linux.
 */
#include "net/ipconfig.h"
#include "net/proto.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/time/clock.h"

#define NET_DHCP_TIMEOUT (10 * NSEC_PER_SEC)

void net_config(const char *cmdline)
{
	char val[256], a[16], m[16], g[16];
	struct net_device *dev;
	struct ipconf c;
	int err;

	if (!cmdline_get(cmdline, "ip", val, sizeof(val)))
		return;
	err = ipconf_parse(val, &c);
	if (err) {
		pr_err("net: ip=%s: %s\n", val, err == -EOPNOTSUPP ?
		       "only static configuration and DHCP are supported" : "malformed");
		return;
	}
	if (c.mode == IPCONF_OFF)
		return;
	mutex_lock(&net_lock);
	dev = c.device[0] ? netdev_by_name(c.device) : netdev_first_ether();
	mutex_unlock(&net_lock);
	if (!dev) {
		pr_err("net: ip=: no network device %s\n", c.device[0] ? c.device : "found");
		return;
	}
	if (c.mode == IPCONF_DHCP) {
		err = dhcp_configure(dev, NET_DHCP_TIMEOUT);
		if (err)
			pr_err("net: %s: dhcp failed (%d)\n", dev->name, err);
		return;
	}
	mutex_lock(&net_lock);
	err = ipv4_set_addr(dev, htonl(c.addr), htonl(c.mask));
	if (!err && c.gw)
		err = route_add(0, 0, htonl(c.gw), dev);
	mutex_unlock(&net_lock);
	if (err)
		pr_err("net: %s: static configuration failed (%d)\n", dev->name, err);
	else
		pr_info("net: %s: static %s/%s gateway %s\n", dev->name,
			ipv4_str(htonl(c.addr), a), ipv4_str(htonl(c.mask), m),
			ipv4_str(htonl(c.gw), g));
}
