/*
 * The network stack's core: its lock, its thread, its timers, byte order
 * and the drop reasons every layer counts.
 *
 * Concurrency model. One sleeping mutex, net_lock, protects the whole
 * stack: interfaces' addresses, routes, the ARP cache, reassembly queues,
 * every socket and protocol control block. It is taken by the network
 * thread ("net"), which polls the devices an interrupt flagged, delivers
 * their frames up the stack and runs expired protocol timers, and by any
 * task that makes a socket call. Interrupt handlers never take it: a
 * driver's handler only masks its queue and calls netdev_schedule(), which
 * wakes the thread (the same split as Linux's NAPI, so a burst of frames
 * costs one interrupt). A task that must wait (accept, recv, connect, a
 * full send buffer) sleeps on its socket's wait queue with net_lock
 * released (net/socket.c, sock_wait()).
 *
 * One lock is enough here: the stack's work per packet is short and the
 * guests are small; it also makes the protocol code free of lock-order
 * questions. Devices keep their own spinlocks for their rings.
 */
#ifndef VIREO_NET_NET_H
#define VIREO_NET_NET_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/mutex.h"
#include "net/checksum.h"

extern struct mutex net_lock;

/* Why a frame was dropped. Counted per device (struct net_device) and in
 * total (net_drop_count), for tests and for /proc/net. */
enum net_drop {
	NET_DROP_NOMEM,         /* no memory for a buffer or an entry */
	NET_DROP_TRUNCATED,     /* shorter than its headers */
	NET_DROP_BAD_LEN,       /* a length field lies */
	NET_DROP_BAD_CSUM,      /* checksum mismatch */
	NET_DROP_BAD_HDR,       /* version, header length, option, type... */
	NET_DROP_NOT_FOR_US,    /* unicast to another MAC or address */
	NET_DROP_PROTO,         /* ethertype or IP protocol we do not speak */
	NET_DROP_NO_SOCKET,     /* no socket for the port */
	NET_DROP_RCVBUF,        /* the socket's receive buffer is full */
	NET_DROP_FRAG_OVERLAP,  /* overlapping or inconsistent fragments */
	NET_DROP_FRAG_TIMEOUT,  /* reassembly timed out */
	NET_DROP_FRAG_LIMIT,    /* too many fragments or datagrams in flight */
	NET_DROP_NO_ROUTE,      /* output: nowhere to send it */
	NET_DROP_ARP_UNRESOLVED,/* output: no ARP answer */
	NET_DROP_TX_FULL,       /* output: the device's ring is full */
	NET_DROP_LINK_DOWN,     /* the interface is down */
	NET_DROP_TCP_STATE,     /* a TCP segment the state machine refused */
	NET_DROP_TCP_OOO,       /* out-of-order TCP segment, queue full */
	NET_DROP_MAX
};

const char *net_drop_name(enum net_drop r);
u64 net_drop_count(enum net_drop r);
/* Count a drop (dev may be NULL). Caller holds net_lock or is the device
 * driver on its own (the counters are atomic). */
struct net_device;
void net_count_drop(struct net_device *dev, enum net_drop r);

/* Protocol timers: run by the network thread with net_lock held, never
 * before their expiry. Arm and cancel with net_lock held. */
struct net_timer {
	u64 expires;                    /* ktime_get() ns */
	void (*fn)(struct net_timer *t);
	struct list_node node;
	bool pending;
};

void net_timer_init(struct net_timer *t, void (*fn)(struct net_timer *t));
void net_timer_arm(struct net_timer *t, u64 expires);
void net_timer_cancel(struct net_timer *t);

/* Bring up the stack (loopback, the thread); before any NIC registers. */
void net_init(void);
/* After the NIC drivers probed: `ip=` (static or DHCP) from the command
 * line, as Linux reads it. */
void net_config(const char *cmdline);

/* `bench=net` (net/bench.c, driven by bench/net.py). */
void net_bench(const char *cmdline);

/* Wake the network thread (it polls flagged devices and runs timers). */
void net_kick(void);

/* Format a network-order address into buf (16 bytes). */
char *ipv4_str(u32 addr_be, char *buf);

#endif
