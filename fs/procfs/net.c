/*
 * /proc/net: dev, tcp, udp, route and arp in Linux's formats (proc(5)),
 * which busybox ifconfig, netstat, route and arp parse. The columns Vireo
 * has no counter for (fifo, frame, compressed, multicast, timers, uid,
 * inode) read 0, as they do on an idle Linux socket.
 *
 * Each file is generated with net_lock held, from the stack's walkers
 * (net/netdev.h, net/proto.h).
 */
#include "fs/procfs/internal.h"
#include "net/netdev.h"
#include "net/proto.h"
#include "net/tcp.h"
#include "kernel/lib/printf.h"

/* Rows of tcp, udp and route are padded with spaces to these widths
 * (the newline not counted), as Linux pads them. */
#define NET_TCP_WIDTH   149
#define NET_UDP_WIDTH   127
#define NET_ROUTE_WIDTH 127

/* <linux/route.h>'s flags and <linux/if_arp.h>'s ATF_COM, ARPHRD_ETHER
 * (those headers include glibc's <sys/socket.h>). */
#define RTF_UP       0x0001
#define RTF_GATEWAY  0x0002
#define ATF_COM      0x02
#define ARPHRD_ETHER 1

/* Linux's TCP state numbers (include/net/tcp_states.h, not in uapi). */
enum {
	LINUX_TCP_ESTABLISHED = 1, LINUX_TCP_SYN_SENT, LINUX_TCP_SYN_RECV,
	LINUX_TCP_FIN_WAIT1, LINUX_TCP_FIN_WAIT2, LINUX_TCP_TIME_WAIT,
	LINUX_TCP_CLOSE, LINUX_TCP_CLOSE_WAIT, LINUX_TCP_LAST_ACK,
	LINUX_TCP_LISTEN, LINUX_TCP_CLOSING,
};

/* The last line of b, from start, padded to width and ended. */
static void net_pad(struct pfs_buf *b, size_t start, size_t width)
{
	while (!b->err && b->len - start < width)
		pfs_write(b, " ", 1);
	pfs_write(b, "\n", 1);
}

/* ---- dev ---- */

static void net_dev_one(struct net_device *dev, void *ctx)
{
	const struct net_stats *s = &dev->stats;
	u64 rx_drop = __atomic_load_n(&s->rx_dropped, __ATOMIC_RELAXED);

	for (int r = 0; r < NET_DROP_MAX; r++)
		if (r != NET_DROP_TX_FULL && r != NET_DROP_NO_ROUTE &&
		    r != NET_DROP_ARP_UNRESOLVED)
			rx_drop += __atomic_load_n(&s->drops[r], __ATOMIC_RELAXED);
	pfs_printf(ctx, "%6s:%8llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu "
		   "%8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n", dev->name,
		   (unsigned long long)s->rx_bytes, (unsigned long long)s->rx_packets,
		   0ULL, (unsigned long long)rx_drop, 0ULL, 0ULL, 0ULL, 0ULL,
		   (unsigned long long)s->tx_bytes, (unsigned long long)s->tx_packets,
		   0ULL, (unsigned long long)s->tx_dropped, 0ULL, 0ULL, 0ULL, 0ULL);
}

static int net_dev_show(struct pfs_buf *b)
{
	pfs_printf(b, "Inter-|   Receive                                                |"
		   "  Transmit\n"
		   " face |bytes    packets errs drop fifo frame compressed multicast|"
		   "bytes    packets errs drop fifo colls carrier compressed\n");
	netdev_for_each(net_dev_one, b);
	return 0;
}

/* ---- tcp, udp ---- */

struct net_row_ctx {
	struct pfs_buf *b;
	int n;
};

static int net_tcp_state(int s)
{
	switch (s) {
	case TCPS_LISTEN: return LINUX_TCP_LISTEN;
	case TCPS_SYN_SENT: return LINUX_TCP_SYN_SENT;
	case TCPS_SYN_RECV: return LINUX_TCP_SYN_RECV;
	case TCPS_ESTABLISHED: return LINUX_TCP_ESTABLISHED;
	case TCPS_FIN_WAIT1: return LINUX_TCP_FIN_WAIT1;
	case TCPS_FIN_WAIT2: return LINUX_TCP_FIN_WAIT2;
	case TCPS_CLOSE_WAIT: return LINUX_TCP_CLOSE_WAIT;
	case TCPS_CLOSING: return LINUX_TCP_CLOSING;
	case TCPS_LAST_ACK: return LINUX_TCP_LAST_ACK;
	case TCPS_TIME_WAIT: return LINUX_TCP_TIME_WAIT;
	default: return LINUX_TCP_CLOSE;
	}
}

/* Addresses print as the raw network-order word, ports in host order:
 * Linux's "%08X:%04X". */
static void net_tcp_one(const struct tcp_info_line *t, void *ctx)
{
	struct net_row_ctx *c = ctx;
	size_t start = c->b->len;

	pfs_printf(c->b, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5u "
		   "%8d %lu %d %016x %lu %lu %u %u %d", c->n++,
		   t->laddr, ntohs(t->lport), t->raddr, ntohs(t->rport),
		   net_tcp_state(t->state), t->tx_queue, t->rx_queue, 0, 0, 0, 0,
		   0, 0UL, 1, 0, 0UL, 0UL, 0, 10, -1);
	net_pad(c->b, start, NET_TCP_WIDTH);
}

static int net_tcp_show(struct pfs_buf *b)
{
	struct net_row_ctx c = { .b = b };
	size_t start = b->len;

	pfs_printf(b, "  sl  local_address rem_address   st tx_queue rx_queue tr "
		   "tm->when retrnsmt   uid  timeout inode");
	net_pad(b, start, NET_TCP_WIDTH);
	tcp_for_each(net_tcp_one, &c);
	return 0;
}

static void net_udp_one(const struct udp_info_line *u, void *ctx)
{
	struct net_row_ctx *c = ctx;
	size_t start = c->b->len;

	if (!u->lport)
		return;         /* not bound: not in Linux's table either */
	pfs_printf(c->b, "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5u "
		   "%8d %lu %d %016x %llu", c->n++,
		   u->laddr, ntohs(u->lport), u->raddr, ntohs(u->rport),
		   u->connected ? LINUX_TCP_ESTABLISHED : LINUX_TCP_CLOSE,
		   0, u->rx_queue, 0, 0, 0, 0, 0, 0UL, 2, 0,
		   (unsigned long long)u->drops);
	net_pad(c->b, start, NET_UDP_WIDTH);
}

static int net_udp_show(struct pfs_buf *b)
{
	struct net_row_ctx c = { .b = b };
	size_t start = b->len;

	pfs_printf(b, "   sl  local_address rem_address   st tx_queue rx_queue tr "
		   "tm->when retrnsmt   uid  timeout inode ref pointer drops");
	net_pad(b, start, NET_UDP_WIDTH);
	udp_for_each(net_udp_one, &c);
	return 0;
}

/* ---- route, arp ---- */

static void net_route_one(const struct route *r, void *ctx)
{
	struct pfs_buf *b = ctx;
	size_t start = b->len;

	pfs_printf(b, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u",
		   r->dev->name, r->dst, r->gw,
		   RTF_UP | (r->gw ? RTF_GATEWAY : 0), 0, 0u, 0, r->mask, 0, 0u, 0u);
	net_pad(b, start, NET_ROUTE_WIDTH);
}

static int net_route_show(struct pfs_buf *b)
{
	size_t start = b->len;

	pfs_printf(b, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
		   "Mask\t\tMTU\tWindow\tIRTT");
	net_pad(b, start, NET_ROUTE_WIDTH);
	route_for_each(net_route_one, b);
	return 0;
}

static void net_arp_one(const struct arp_info *e, void *ctx)
{
	char ip[16], mac[18];

	ipv4_str(e->ip, ip);
	ksnprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0],
		  e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5]);
	pfs_printf(ctx, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n", ip, ARPHRD_ETHER,
		   e->complete ? ATF_COM : 0, mac, "*", e->dev->name);
}

static int net_arp_show(struct pfs_buf *b)
{
	pfs_printf(b, "IP address       HW type     Flags       HW address            "
		   "Mask     Device\n");
	arp_for_each(net_arp_one, b);
	return 0;
}

/* ---- the directory ---- */

static const struct {
	const char *name;
	int (*show)(struct pfs_buf *b);
} net_files[] = {
	{ "arp", net_arp_show },
	{ "dev", net_dev_show },
	{ "route", net_route_show },
	{ "tcp", net_tcp_show },
	{ "udp", net_udp_show },
};

#define NET_NFILES (sizeof(net_files) / sizeof(net_files[0]))

static int net_file_show(const struct pfs_node *n, struct pfs_buf *b)
{
	int err;

	mutex_lock(&net_lock);
	err = net_files[n->num].show(b);
	mutex_unlock(&net_lock);
	return err;
}

static const struct pfs_ops net_file_ops = { .show = net_file_show };

static int net_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	(void)dir;
	for (u64 i = 0; i < NET_NFILES; i++) {
		struct pfs_node n = { .ops = &net_file_ops, .mode = S_IFREG | 0444, .num = i };

		if (!pfs_emit(l, net_files[i].name, &n))
			break;
	}
	return 0;
}

static const struct pfs_ops net_dir_ops = { .list = net_dir_list };
const struct pfs_node procfs_net_dir = { .ops = &net_dir_ops, .mode = S_IFDIR | 0555 };
