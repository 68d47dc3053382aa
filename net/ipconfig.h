/*
 * The `ip=` kernel parameter, in Linux's format
 * (Documentation/admin-guide/nfs/nfsroot.rst):
 *
 *   ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>
 *   ip=dhcp | ip=on | ip=any | ip=off | ip=none
 *
 * Fields may be empty; trailing fields may be left out (the DNS and NTP
 * fields that may follow are accepted and ignored). autoconf is off/none,
 * on/any/dhcp/both (DHCP: the only protocol here) or bootp/rarp
 * (-EOPNOTSUPP). Without autoconf a client address means static
 * configuration; a missing netmask is the address class's, as Linux.
 * Pure code, host-tested.
 */
#ifndef VIREO_NET_IPCONFIG_H
#define VIREO_NET_IPCONFIG_H

#include "kernel/lib/types.h"

enum ipconf_mode { IPCONF_OFF, IPCONF_STATIC, IPCONF_DHCP };

struct ipconf {
	enum ipconf_mode mode;
	u32 addr, server, gw, mask;     /* host order; 0 = not given */
	char hostname[65];
	char device[16];                /* "" = the first Ethernet device */
};

/* 0, -EINVAL (a malformed field) or -EOPNOTSUPP. */
int ipconf_parse(const char *s, struct ipconf *c);
/* Dotted quad to host-order address; -EINVAL if malformed. */
int ipconf_parse_addr(const char *s, size_t len, u32 *out);

#endif
