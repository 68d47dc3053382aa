/*
 * t_net_bench ECHO SINK TCPSINK MIB: the network figures of bench=net
 * (net/bench.c) measured from userspace through the socket calls, as PID
 * 1 against bench/net_user.py on the host (reached as 10.0.2.2):
 * UDP round trips through the host's echo server, a burst of 64-byte
 * datagrams to its counting sink, MIB MiB over TCP to its sink, then MIB
 * MiB from the host on port 8080. Prints "UBENCH ..." lines. No ping:
 * there are no ICMP sockets (SOCK_RAW), so busybox ping cannot run.
 */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define UDP_RTTS  2000
#define UDP_BURST 20000

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static struct sockaddr_in host(int port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, "10.0.2.2", &s.sin_addr);
	return s;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void udp_rtt(int port)
{
	static long long d[UDP_RTTS];
	int s = socket(AF_INET, SOCK_DGRAM, 0), ok = 0;
	struct sockaddr_in to = host(port);
	struct pollfd p = { .fd = s, .events = POLLIN };
	long long sum = 0;
	char buf[64] = "vireo-udp-rtt-vireo-udp-rtt-0123";

	CHECK(connect(s, (struct sockaddr *)&to, sizeof(to)) == 0);
	for (int i = 0; i < UDP_RTTS; i++) {
		long long t0 = now_us();

		/* poll bounds the wait (a lost datagram) without a timer in
		 * the receive path itself. */
		if (send(s, buf, 32, 0) != 32 || poll(&p, 1, 2000) != 1 ||
		    recv(s, buf, sizeof(buf), 0) != 32)
			continue;
		d[ok] = now_us() - t0;
		sum += d[ok++];
	}
	CHECK(ok > 0);
	if (!ok)
		return;
	qsort(d, (size_t)ok, sizeof(d[0]), cmp_ll);
	printf("UBENCH udp_rtt_us min=%lld avg=%lld p50=%lld p99=%lld n=%d\n", d[0],
	       sum / ok, d[ok / 2], d[ok * 99 / 100], ok);
	close(s);
}

static void udp_pps(int port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), sent = 0;
	struct sockaddr_in to = host(port);
	char buf[64] = { 0 };
	long long t0, d;

	CHECK(connect(s, (struct sockaddr *)&to, sizeof(to)) == 0);
	t0 = now_us();
	for (int i = 0; i < UDP_BURST; i++)
		if (send(s, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf))
			sent++;
	d = now_us() - t0;
	printf("UBENCH udp_pps sent=%d pps=%lld\n", sent, d ? sent * 1000000LL / d : 0);
	close(s);
}

static void tcp_tx(int port, int mib)
{
	static char buf[1 << 20];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = host(port);
	long long t0, d;
	char ack[8];

	CHECK(connect(s, (struct sockaddr *)&to, sizeof(to)) == 0);
	t0 = now_us();
	for (int i = 0; i < mib; i++) {
		size_t done = 0;
		ssize_t n;

		while (done < sizeof(buf) && (n = write(s, buf + done, sizeof(buf) - done)) > 0)
			done += (size_t)n;
		CHECK(done == sizeof(buf));
	}
	CHECK(shutdown(s, SHUT_WR) == 0);
	CHECK(read(s, ack, sizeof(ack)) > 0);
	d = now_us() - t0;
	printf("UBENCH tcp_tx mib=%d ms=%lld mib_s=%lld\n", mib, d / 1000,
	       d ? mib * 1000000LL / d : 0);
	close(s);
}

static void tcp_rx(void)
{
	static char buf[256 * 1024];
	int l = socket(AF_INET, SOCK_STREAM, 0), c, one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(8080) };
	long long t0, d, total = 0;
	ssize_t n;

	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(l, 1) == 0);
	printf("UBENCH tcp_rx ready\n");
	c = accept(l, NULL, NULL);
	CHECK(c >= 0);
	t0 = now_us();
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += n;
	d = now_us() - t0;
	CHECK(write(c, "done", 4) == 4);
	printf("UBENCH tcp_rx bytes=%lld ms=%lld mib_s=%lld\n", total, d / 1000,
	       d ? total * 1000000LL / d / (1 << 20) : 0);
	close(c);
	close(l);
}

int main(int argc, char **argv)
{
	check_name = "t_net_bench";
	if (argc < 5) {
		printf("usage: t_net_bench ECHO SINK TCPSINK MIB\n");
		return 2;
	}
	udp_rtt(atoi(argv[1]));
	udp_pps(atoi(argv[2]));
	tcp_tx(atoi(argv[3]), atoi(argv[4]));
	tcp_rx();
	printf("UBENCH done\n");
	test_done();
}
