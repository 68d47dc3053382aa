/*
 * Network tests that need the host on the other end: KTEST_MANUAL cases
 * that tests/integration/test_net.py boots by name with QEMU's user
 * networking (`-netdev user`, the guest at 10.0.2.15 by DHCP, the host's
 * loopback reachable as 10.0.2.2). Parameters come from the command line:
 * nettest.port=N (the port to listen on or connect to), nettest.bytes=N
 * and nettest.sha256=HEX (what a download must be). Results are printed
 * as "NETTEST ..." lines the host checks too.
 */
#include "net/proto.h"
#include "net/socket.h"
#include "kernel/boot/boot_info.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/sha256.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define HOST_ADDR IPV4(10, 0, 2, 2)
#define NETTEST_BUF (64 * 1024)

static u8 nettest_buf[NETTEST_BUF];

static long nettest_param(const char *key, long def)
{
	return cmdline_get_long(boot_info->cmdline, key, def);
}

static void nettest_timeo(struct socket *so, long s)
{
	struct __kernel_old_timeval tv = { s, 0 };

	sock_setsockopt(so, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sock_setsockopt(so, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static struct sockaddr_in nettest_sin(u32 addr, long port)
{
	struct sockaddr_in s = { .sin_family = AF_INET };

	s.sin_addr.s_addr = htonl(addr);
	s.sin_port = htons((u16)port);
	return s;
}

/* Read the connection to EOF; return bytes, digest in hex. */
static long nettest_drain(struct socket *so, char hex[65], u64 *ns)
{
	struct sha256 h;
	u8 d[SHA256_DIGEST_SIZE];
	u64 t0 = ktime_get();
	long total = 0;

	sha256_init(&h);
	for (;;) {
		ssize_t n = sock_recv(so, nettest_buf, sizeof(nettest_buf), 0);

		if (n < 0)
			return n;
		if (!n)
			break;
		sha256_update(&h, nettest_buf, (size_t)n);
		total += n;
	}
	*ns = ktime_get() - t0;
	sha256_final(&h, d);
	sha256_hex(d, hex);
	return total;
}

/* The host sends a stream through hostfwd; we answer with its sha256. */
KTEST_MANUAL(net_host_sink)
{
	struct { int l_onoff, l_linger; } linger = { 1, 30 };
	struct sockaddr_in any = nettest_sin(0, nettest_param("nettest.port", 8080));
	struct socket *l, *a;
	char hex[65];
	u64 ns;
	long n;

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &l), 0);
	KT_ASSERT_EQ(sock_bind(l, (struct sockaddr *)&any, sizeof(any)), 0);
	KT_ASSERT_EQ(sock_listen(l, 4), 0);
	nettest_timeo(l, 60);
	pr_info("NETTEST listening on %ld\n", (long)ntohs(any.sin_port));
	KT_ASSERT_EQ(sock_accept(l, &a, NULL, NULL, 0), 0);
	nettest_timeo(a, 60);
	n = nettest_drain(a, hex, &ns);
	KT_ASSERT(n >= 0);
	pr_info("NETTEST sink bytes=%ld sha256=%s ms=%lu\n", n, hex,
		(unsigned long)(ns / NSEC_PER_MSEC));
	KT_ASSERT_EQ(sock_send(a, hex, 64, 0), 64);
	/* The host has closed its side already: close with SO_LINGER, so
	 * the digest is acknowledged before the test powers off (waiting
	 * for the host's EOF instead returned at once, and QEMU sometimes
	 * went away with the digest still in slirp). */
	KT_ASSERT_EQ(sock_setsockopt(a, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger)), 0);
	sock_release(a);
	sock_release(l);
}

/* Download from a server on the host's loopback and check the sha256. */
KTEST_MANUAL(net_host_fetch)
{
	struct sockaddr_in host = nettest_sin(HOST_ADDR, nettest_param("nettest.port", 8081));
	char want[80] = "", hex[65];
	struct socket *c;
	u64 ns;
	long n;

	cmdline_get(boot_info->cmdline, "nettest.sha256", want, sizeof(want));
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &c), 0);
	nettest_timeo(c, 60);
	KT_ASSERT_EQ(sock_connect(c, (struct sockaddr *)&host, sizeof(host)), 0);
	n = nettest_drain(c, hex, &ns);
	pr_info("NETTEST fetch bytes=%ld sha256=%s ms=%lu\n", n, hex,
		(unsigned long)(ns / NSEC_PER_MSEC));
	sock_release(c);
	KT_ASSERT_EQ(n, nettest_param("nettest.bytes", -1));
	KT_ASSERT(!strcmp(hex, want));
}

/* The guest sends a stream to the host (guest -> host throughput). */
KTEST_MANUAL(net_host_send)
{
	struct sockaddr_in host = nettest_sin(HOST_ADDR, nettest_param("nettest.port", 8082));
	long want = nettest_param("nettest.bytes", 1 << 20), sent = 0;
	struct sha256 h;
	u8 d[SHA256_DIGEST_SIZE];
	char hex[65];
	struct socket *c;
	u64 t0;
	u32 x = 1;

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &c), 0);
	nettest_timeo(c, 60);
	KT_ASSERT_EQ(sock_connect(c, (struct sockaddr *)&host, sizeof(host)), 0);
	sha256_init(&h);
	t0 = ktime_get();
	while (sent < want) {
		size_t n = (size_t)MIN((long)sizeof(nettest_buf), want - sent);
		ssize_t w;

		/* xorshift32: cheap bytes that no buffer reuse could fake */
		for (size_t i = 0; i < n; i += 4) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			memcpy(nettest_buf + i, &x, MIN((size_t)4, n - i));
		}
		sha256_update(&h, nettest_buf, n);
		w = sock_send(c, nettest_buf, n, 0);
		KT_ASSERT_EQ(w, (ssize_t)n);
		sent += w;
	}
	KT_ASSERT_EQ(sock_shutdown(c, SHUT_WR), 0);
	/* The host answers with what it counted, then closes. */
	KT_ASSERT(sock_recv(c, nettest_buf, 100, MSG_WAITALL) >= 0);
	sha256_final(&h, d);
	sha256_hex(d, hex);
	pr_info("NETTEST send bytes=%ld sha256=%s ms=%lu\n", sent, hex,
		(unsigned long)((ktime_get() - t0) / NSEC_PER_MSEC));
	sock_release(c);
}

/* UDP both ways: echo through the host's echo server, then serve. */
KTEST_MANUAL(net_udp_echo)
{
	struct sockaddr_in host = nettest_sin(HOST_ADDR, nettest_param("nettest.port", 8083));
	struct sockaddr_in me = nettest_sin(0, nettest_param("nettest.uport", 7));
	struct sockaddr_in from;
	struct socket *c, *s;
	char msg[32], buf[64];
	int served = 0;

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_DGRAM, 0, &c), 0);
	nettest_timeo(c, 1);
	for (int i = 0; i < 10; i++) {
		ssize_t n;
		int len = 1 + ksnprintf(msg, sizeof(msg), "vireo-udp-%d", i);

		KT_ASSERT_EQ(sock_sendto(c, msg, (size_t)len, 0, &host), len);
		n = sock_recvfrom(c, buf, sizeof(buf), 0, &from);
		KT_ASSERT_EQ(n, len);
		KT_ASSERT(!memcmp(buf, msg, (size_t)len));
		KT_ASSERT_EQ(from.sin_addr.s_addr, host.sin_addr.s_addr);
	}
	sock_release(c);
	pr_info("NETTEST udp guest->host echo ok\n");

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_DGRAM, 0, &s), 0);
	KT_ASSERT_EQ(sock_bind(s, (struct sockaddr *)&me, sizeof(me)), 0);
	nettest_timeo(s, 20);
	pr_info("NETTEST udp serving on %ld\n", (long)ntohs(me.sin_port));
	while (served < 10) {
		ssize_t n = sock_recvfrom(s, buf, sizeof(buf), 0, &from);

		KT_ASSERT(n > 0);
		KT_ASSERT_EQ(sock_sendto(s, buf, (size_t)n, 0, &from), n);
		served++;
	}
	pr_info("NETTEST udp host->guest echo served=%d\n", served);
	/* The host says when it has every echo: the last one may still be
	 * on the transmit ring when the test ends and powers off. */
	KT_ASSERT_EQ(sock_recv(s, buf, sizeof(buf), 0), 3);
	KT_ASSERT(!memcmp(buf, "bye", 3));
	sock_release(s);
}
