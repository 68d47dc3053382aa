/*
 * The interface and routing ioctls of sockets (net/dev_ioctl.c): what
 * busybox ifconfig and route use.
 */
#ifndef VIREO_NET_DEV_IOCTL_H
#define VIREO_NET_DEV_IOCTL_H

/* SIOCGIFCONF, SIOCGIF{FLAGS,ADDR,NETMASK,BRDADDR,HWADDR,MTU,INDEX,NAME,
 * METRIC,TXQLEN}, SIOCSIF{ADDR,NETMASK,FLAGS}, SIOCADDRT, SIOCDELRT on a
 * user argument. -ENOTTY for any other command, -ENODEV for an unknown
 * interface, -EFAULT for a bad pointer. */
long net_dev_ioctl(unsigned cmd, void *uarg);

#endif
