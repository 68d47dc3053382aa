/*
 * /proc/net through the VFS, in Linux's exact formats, against kernel
 * sockets and the loopback device (every KTEST boot has lo; the NIC's
 * view is checked by tests/integration/test_sock.py with busybox).
 */
#include "fs/pseudofs/ktest_util.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/test/ktest.h"
#include "net/checksum.h"
#include "net/socket.h"
#include <linux/magic.h>

#define NET_BUF 16384

/* The line of text containing needle, its length (without the newline)
 * in *len, or NULL. */
static const char *net_line(const char *text, const char *needle, size_t *len)
{
	const char *p = strstr(text, needle), *start, *end;

	if (!p)
		return NULL;
	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	*len = end ? (size_t)(end - start) : strlen(start);
	return start;
}

KTEST(procfs_net_tcp_udp_listeners_in_linux_format)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	char *buf = kmalloc(NET_BUF, GFP_KERNEL), want[96];
	struct socket *t = NULL, *u = NULL;
	u32 alen = sizeof(a);
	const char *line;
	size_t len;

	KT_ASSERT(buf);
	KT_ASSERT_EQ(pfs_kt_mount("proc", "/proc", PROC_SUPER_MAGIC), 0);
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &t), 0);
	KT_ASSERT_EQ(sock_bind(t, (struct sockaddr *)&a, sizeof(a)), 0);
	KT_ASSERT_EQ(sock_listen(t, 1), 0);
	KT_ASSERT_EQ(sock_getsockname(t, (struct sockaddr *)&a, &alen), 0);
	KT_ASSERT(pfs_kt_read("/proc/net/tcp", buf, NET_BUF, 100) > 0);
	KT_ASSERT(!strncmp(buf, "  sl  local_address rem_address   st tx_queue rx_queue tr "
			   "tm->when retrnsmt   uid  timeout inode", 94));
	KT_ASSERT(net_line(buf, "  sl", &len) && len == 149);
	ksnprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 0A 00000000:00000000 "
		  "00:00000000 00000000     0 ", ntohs(a.sin_port));
	line = net_line(buf, want, &len);
	KT_ASSERT(line);
	KT_ASSERT_EQ(len, 149);

	a.sin_port = 0;
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_DGRAM, 0, &u), 0);
	KT_ASSERT_EQ(sock_bind(u, (struct sockaddr *)&a, sizeof(a)), 0);
	alen = sizeof(a);
	KT_ASSERT_EQ(sock_getsockname(u, (struct sockaddr *)&a, &alen), 0);
	KT_ASSERT(pfs_kt_read("/proc/net/udp", buf, NET_BUF, 100) > 0);
	KT_ASSERT(net_line(buf, "   sl  local_address", &len) && len == 127);
	ksnprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 07 00000000:00000000 ",
		  ntohs(a.sin_port));
	KT_ASSERT(net_line(buf, want, &len) && len == 127);
	sock_release(u);
	sock_release(t);
	/* Gone with the sockets (a listener has no TIME_WAIT). */
	KT_ASSERT(pfs_kt_read("/proc/net/udp", buf, NET_BUF, NET_BUF) > 0);
	KT_ASSERT(!strstr(buf, want));
	kfree(buf);
}

KTEST(procfs_net_dev_route_arp_in_linux_format)
{
	char *buf = kmalloc(NET_BUF, GFP_KERNEL);
	const char *line;
	size_t len;

	KT_ASSERT(buf);
	KT_ASSERT_EQ(pfs_kt_mount("proc", "/proc", PROC_SUPER_MAGIC), 0);
	KT_ASSERT(pfs_kt_read("/proc/net/dev", buf, NET_BUF, 7) > 0);
	KT_ASSERT(!strncmp(buf, "Inter-|   Receive                                                |"
			   "  Transmit\n face |bytes    packets errs drop fifo frame compressed "
			   "multicast|bytes    packets errs drop fifo colls carrier compressed\n",
			   200));
	/* Name right-aligned in 6 columns, then 16 counters. */
	line = net_line(buf, "    lo:", &len);
	KT_ASSERT(line && line[0] == ' ');
	KT_ASSERT(len >= 7 + 8 + 7 + 4 * 3 + 5 + 10 + 9 + 8 + 7 + 4 * 3 + 5 + 7 + 10 + 15);

	KT_ASSERT(pfs_kt_read("/proc/net/route", buf, NET_BUF, NET_BUF) > 0);
	KT_ASSERT(net_line(buf, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
			   "Mask\t\tMTU\tWindow\tIRTT", &len) && len == 127);
	line = net_line(buf, "lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0", &len);
	KT_ASSERT(line && len == 127);

	KT_ASSERT(pfs_kt_read("/proc/net/arp", buf, NET_BUF, NET_BUF) > 0);
	KT_ASSERT(!strncmp(buf, "IP address       HW type     Flags       HW address            "
			   "Mask     Device\n", 80));
	kfree(buf);
}
