/*
 * `bench=net`: network figures against the host through QEMU's user
 * networking, driven by bench/net.py (which runs the host ends and says
 * where they are: bench.tcp_sink, bench.tcp_port (guest listens),
 * bench.udp_echo, bench.udp_sink ports on 10.0.2.2, bench.mib).
 * Prints "BENCH net ..." lines:
 *   ping       ICMP echo round trip to 10.0.2.2 (QEMU answers for its
 *              gateway address), else says it got no answer
 *   udp_rtt    UDP round trip through the host's echo server
 *   udp_pps    64-byte datagrams sent per second to the host's sink
 *   tcp_tx     guest -> host MiB/s, until the host acknowledged all
 *   tcp_rx     host -> guest MiB/s, accept to EOF
 */
#include "net/proto.h"
#include "net/socket.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"

#define BENCH_HOST IPV4(10, 0, 2, 2)

static u8 bench_buf[64 * 1024];

static struct sockaddr_in bench_sin(u32 addr, long port)
{
	struct sockaddr_in s = { .sin_family = AF_INET };

	s.sin_addr.s_addr = htonl(addr);
	s.sin_port = htons((u16)port);
	return s;
}

static void bench_timeo(struct socket *so, long s)
{
	struct __kernel_old_timeval tv = { s, 0 };

	sock_setsockopt(so, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sock_setsockopt(so, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void bench_ping(void)
{
	u64 rtt, min = ~0ULL, sum = 0;
	int ok = 0;

	for (int i = 0; i < 20; i++) {
		if (icmp_ping(htonl(BENCH_HOST), 56, NSEC_PER_SEC, &rtt))
			continue;
		ok++;
		sum += rtt;
		min = MIN(min, rtt);
	}
	if (!ok)
		pr_info("BENCH net ping: no ICMP echo reply from 10.0.2.2\n");
	else
		pr_info("BENCH net ping rtt_us min=%lu avg=%lu n=%d\n",
			(unsigned long)(min / 1000), (unsigned long)(sum / ok / 1000), ok);
}

static void bench_udp(long echo_port, long sink_port)
{
	struct sockaddr_in echo = bench_sin(BENCH_HOST, echo_port);
	struct sockaddr_in sink = bench_sin(BENCH_HOST, sink_port);
	struct socket *so;
	u64 t0, min = ~0ULL, sum = 0;
	int ok = 0, n = 20000;

	if (sock_create(AF_INET, SOCK_DGRAM, 0, &so))
		return;
	bench_timeo(so, 1);
	for (int i = 0; i < 200; i++) {
		u64 t = ktime_get();

		if (sock_sendto(so, bench_buf, 32, 0, &echo) != 32 ||
		    sock_recv(so, bench_buf, sizeof(bench_buf), 0) != 32)
			continue;
		t = ktime_get() - t;
		ok++;
		sum += t;
		min = MIN(min, t);
	}
	if (ok)
		pr_info("BENCH net udp_rtt_us min=%lu avg=%lu n=%d\n",
			(unsigned long)(min / 1000), (unsigned long)(sum / ok / 1000), ok);
	t0 = ktime_get();
	for (int i = 0; i < n; i++)
		sock_sendto(so, bench_buf, 64, 0, &sink);
	t0 = ktime_get() - t0;
	pr_info("BENCH net udp_pps sent=%d pps=%lu\n", n,
		(unsigned long)((u64)n * NSEC_PER_SEC / (t0 ? t0 : 1)));
	sock_release(so);
}

static void bench_tcp_tx(long port, long mib)
{
	struct sockaddr_in host = bench_sin(BENCH_HOST, port);
	u64 bytes = (u64)mib << 20, sent = 0, t0, ns;
	struct socket *so;

	if (sock_create(AF_INET, SOCK_STREAM, 0, &so))
		return;
	bench_timeo(so, 60);
	if (sock_connect(so, (struct sockaddr *)&host, sizeof(host)))
		goto out;
	t0 = ktime_get();
	while (sent < bytes) {
		ssize_t n = sock_send(so, bench_buf, (size_t)MIN((u64)sizeof(bench_buf), bytes - sent), 0);

		if (n <= 0)
			goto out;
		sent += (u64)n;
	}
	sock_shutdown(so, SHUT_WR);
	sock_recv(so, bench_buf, 32, 0);        /* the host's "done" */
	ns = ktime_get() - t0;
	pr_info("BENCH net tcp_tx mib=%ld ms=%lu mib_s=%lu\n", mib,
		(unsigned long)(ns / NSEC_PER_MSEC),
		(unsigned long)(bytes * NSEC_PER_SEC / (ns ? ns : 1) >> 20));
out:
	sock_release(so);
}

static void bench_tcp_rx(long port)
{
	struct sockaddr_in any = bench_sin(0, port);
	struct socket *l, *a;
	u64 got = 0, t0, ns;

	if (sock_create(AF_INET, SOCK_STREAM, 0, &l))
		return;
	bench_timeo(l, 60);
	if (sock_bind(l, (struct sockaddr *)&any, sizeof(any)) || sock_listen(l, 1))
		goto out;
	pr_info("BENCH net tcp_rx ready\n");
	if (sock_accept(l, &a, NULL, NULL, 0))
		goto out;
	bench_timeo(a, 60);
	t0 = ktime_get();
	for (;;) {
		ssize_t n = sock_recv(a, bench_buf, sizeof(bench_buf), 0);

		if (n <= 0)
			break;
		got += (u64)n;
	}
	ns = ktime_get() - t0;
	pr_info("BENCH net tcp_rx bytes=%lu ms=%lu mib_s=%lu\n", (unsigned long)got,
		(unsigned long)(ns / NSEC_PER_MSEC),
		(unsigned long)(got * NSEC_PER_SEC / (ns ? ns : 1) >> 20));
	sock_send(a, "done", 4, 0);
	sock_recv(a, bench_buf, 1, 0);          /* until the host closes */
	sock_release(a);
out:
	sock_release(l);
}

void net_bench(const char *cmdline)
{
	long mib = cmdline_get_long(cmdline, "bench.mib", 64);

	bench_ping();
	bench_udp(cmdline_get_long(cmdline, "bench.udp_echo", 0),
		  cmdline_get_long(cmdline, "bench.udp_sink", 0));
	bench_tcp_tx(cmdline_get_long(cmdline, "bench.tcp_sink", 0), mib);
	bench_tcp_rx(cmdline_get_long(cmdline, "bench.tcp_port", 8080));
	pr_info("BENCH net done\n");
}
