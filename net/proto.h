/*
 * The stack's internal interfaces between layers (not for drivers, which
 * use netdev.h, nor for socket users, which use socket.h). Every function
 * here runs with net_lock held. Addresses and ports are in network order
 * unless a name says otherwise.
 */
#ifndef VIREO_NET_PROTO_H
#define VIREO_NET_PROTO_H

#include "net/net.h"
#include "net/netdev.h"
#include "net/pkt.h"
#include <linux/ip.h>

/* ---- Ethernet (eth.c) ---- */
void eth_input(struct net_device *dev, struct pkt *p);
/* Prepend the Ethernet header and send. Owns p. */
int eth_output(struct net_device *dev, struct pkt *p, const u8 *dst_mac, u16 ethertype);
extern const u8 eth_broadcast[ETH_ALEN];

/* ---- ARP (arp.c) ---- */
void arp_input(struct net_device *dev, struct pkt *p);
/* Send an IPv4 packet to next hop nh on dev: at once if the MAC is
 * cached, else queued behind an ARP request. Owns p. */
int arp_output(struct net_device *dev, struct pkt *p, u32 nh);
/* Drop every entry of dev (address change). */
void arp_flush(struct net_device *dev);

struct arp_info {
	u32 ip;
	u8 mac[ETH_ALEN];
	bool complete;
	const struct net_device *dev;
};
/* procfs (/proc/net/arp): fn on every entry. */
void arp_for_each(void (*fn)(const struct arp_info *e, void *ctx), void *ctx);

/* ---- IPv4 (ipv4.c, route.c, ip_frag.c) ----
 * The fragment field's bits (RFC 791 §3.1); <linux/ip.h> leaves them to
 * the kernel-internal header. */
#define IP_DF     0x4000
#define IP_MF     0x2000
#define IP_OFFSET 0x1fff

void ipv4_input(struct net_device *dev, struct pkt *p);
/* Prepend an IPv4 header (saddr 0: the route's source) and send,
 * fragmenting to the device MTU. dev non-NULL pins the interface (DHCP
 * broadcasts). Owns p. */
int ipv4_output(struct pkt *p, u32 saddr, u32 daddr, u8 proto, u8 ttl,
		struct net_device *dev);
/* Is addr one of ours (any interface, broadcast included)? */
bool ipv4_is_local(u32 addr);

struct route {
	u32 dst, mask, gw;              /* gw 0: on-link */
	struct net_device *dev;
	struct list_node node;
};
/* Longest-prefix match; NULL if none. */
struct route *route_lookup(u32 daddr);
int route_add(u32 dst, u32 mask, u32 gw, struct net_device *dev);
void route_del_dev(struct net_device *dev);
/* Delete the first route to dst/mask (through gw and on dev, when those
 * are given): 0 or -ESRCH, as Linux's SIOCDELRT. */
int route_del(u32 dst, u32 mask, u32 gw, struct net_device *dev);
void route_for_each(void (*fn)(const struct route *r, void *ctx), void *ctx);
/* The source address for daddr (its route's interface), or 0. */
u32 route_source(u32 daddr);
/* Set dev's address and netmask (network order) and its subnet route. */
int ipv4_set_addr(struct net_device *dev, u32 addr, u32 mask);

/* Reassembly: returns the whole datagram (a new pkt) when p completes
 * one, else NULL (p kept or dropped). */
struct pkt *ipfrag_input(struct pkt *p);
u32 ipfrag_queues(void);

/* ---- ICMP (icmp.c) ----
 * <linux/icmp.h> has struct icmphdr and these numbers but includes
 * <linux/if.h>, which includes glibc's <sys/socket.h> (absent from the
 * freestanding build); the header is laid out in icmp.c and the RFC 792
 * numbers are here. */
#define ICMP_ECHOREPLY     0
#define ICMP_DEST_UNREACH  3
#define ICMP_ECHO          8
#define ICMP_PORT_UNREACH  3    /* code of ICMP_DEST_UNREACH */

void icmp_input(struct pkt *p);
/* Destination unreachable for the datagram in p (p is not consumed). */
void icmp_send_unreach(struct pkt *p, u8 code);
u64 icmp_echo_replies_sent(void);
/* Send an echo request of size payload bytes to daddr and wait for the
 * reply: 0 and the round trip in *rtt_ns, or -ETIMEDOUT. Takes
 * net_lock itself (for the benchmark and tests). */
int icmp_ping(u32 daddr, u32 size, u64 timeout_ns, u64 *rtt_ns);

/* ---- configuration (dhcp.c, config.c) ---- */
/* Configure dev by DHCP within timeout_ns; takes net_lock itself. */
int dhcp_configure(struct net_device *dev, u64 timeout_ns);

/* ---- transports ---- */
void udp_input(struct pkt *p);
void tcp_input(struct pkt *p);

/* procfs (/proc/net/tcp): fn on every TCP socket. */
struct tcp_info_line {
	u32 laddr, raddr;
	u16 lport, rport;
	int state;                      /* RFC 9293 state, tcp.h order */
	u32 tx_queue, rx_queue;
};
void tcp_for_each(void (*fn)(const struct tcp_info_line *t, void *ctx), void *ctx);

/* procfs (/proc/net/udp): fn on every UDP socket. */
struct udp_info_line {
	u32 laddr, raddr;
	u16 lport, rport;
	bool connected;
	u32 rx_queue;
	u64 drops;
};
void udp_for_each(void (*fn)(const struct udp_info_line *u, void *ctx), void *ctx);

/* L4 checksum of an input packet whose nh/th are set, over len bytes
 * from th: true if it verifies (or the device already verified it). */
bool ipv4_l4_csum_ok(struct pkt *p, u32 len);

#endif
