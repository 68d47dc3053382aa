/*
 * In-kernel socket tests over the loopback interface: UDP datagrams,
 * TCP handshake, data both ways, half close, refusal, options, poll
 * readiness, non-blocking calls, timeouts, and a bulk transfer with a
 * second task on the other end.
 */
#include "net/socket.h"
#include "net/tcp.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

static struct sockaddr_in t_sin(u32 host_addr, u16 port)
{
	struct sockaddr_in s = { .sin_family = AF_INET };

	s.sin_addr.s_addr = htonl(host_addr);
	s.sin_port = htons(port);
	return s;
}

#define LO IPV4(127, 0, 0, 1)

static void t_timeo(struct socket *so, long ms)
{
	struct __kernel_old_timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	sock_setsockopt(so, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sock_setsockopt(so, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

KTEST(net_udp_loopback_roundtrip)
{
	struct sockaddr_in a = t_sin(LO, 5001), b = t_sin(LO, 0), from, name;
	struct socket *sa = NULL, *sb = NULL;
	char buf[64];
	u32 len = sizeof(name);
	ssize_t n;

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_DGRAM, 0, &sa), 0);
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_DGRAM, IPPROTO_UDP, &sb), 0);
	t_timeo(sa, 2000);
	t_timeo(sb, 2000);
	KT_ASSERT_EQ(sock_bind(sa, (struct sockaddr *)&a, sizeof(a)), 0);
	KT_ASSERT_EQ(sock_bind(sb, (struct sockaddr *)&b, sizeof(b)), 0);
	KT_ASSERT_EQ(sock_getsockname(sb, (struct sockaddr *)&name, &len), 0);
	KT_ASSERT(ntohs(name.sin_port) >= 49152);
	/* Binding the same port again fails. */
	{
		struct socket *sc;

		KT_ASSERT_EQ(sock_create(AF_INET, SOCK_DGRAM, 0, &sc), 0);
		KT_ASSERT_EQ(sock_bind(sc, (struct sockaddr *)&a, sizeof(a)), -EADDRINUSE);
		sock_release(sc);
	}
	/* Nothing there yet: non-blocking says so. */
	KT_ASSERT_EQ(sock_recv(sa, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	KT_ASSERT_EQ(sock_poll(sa) & POLLIN, 0);
	KT_ASSERT(sock_poll(sa) & POLLOUT);

	KT_ASSERT_EQ(sock_sendto(sb, "hello, vireo", 12, 0, &a), 12);
	n = sock_recvfrom(sa, buf, sizeof(buf), 0, &from);
	KT_ASSERT_EQ(n, 12);
	KT_ASSERT(!memcmp(buf, "hello, vireo", 12));
	KT_ASSERT_EQ(from.sin_port, name.sin_port);
	KT_ASSERT_EQ(from.sin_addr.s_addr, htonl(LO));
	/* Reply to the sender; truncation reports the real length with
	 * MSG_TRUNC. */
	KT_ASSERT_EQ(sock_sendto(sa, "0123456789", 10, 0, &from), 10);
	n = sock_recv(sb, buf, 4, MSG_TRUNC);
	KT_ASSERT_EQ(n, 10);
	KT_ASSERT(!memcmp(buf, "0123", 4));
	/* A datagram larger than the MTU of an Ethernet is fine on lo;
	 * the receive times out when nothing comes. */
	{
		struct __kernel_old_timeval tv = { 0, 100000 };

		sock_setsockopt(sa, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		KT_ASSERT_EQ(sock_recv(sa, buf, sizeof(buf), 0), -EAGAIN);
	}
	sock_release(sa);
	sock_release(sb);
}

KTEST(net_tcp_loopback_connect_send_close)
{
	struct sockaddr_in srv = t_sin(LO, 6001), peer, name;
	struct socket *l = NULL, *c = NULL, *a = NULL;
	char buf[128];
	u32 len = sizeof(peer);
	int one = 1, v;
	u32 vlen = sizeof(v);

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &l), 0);
	KT_ASSERT_EQ(sock_setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	KT_ASSERT_EQ(sock_bind(l, (struct sockaddr *)&srv, sizeof(srv)), 0);
	KT_ASSERT_EQ(sock_listen(l, 4), 0);
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &c), 0);
	t_timeo(c, 3000);
	t_timeo(l, 3000);
	KT_ASSERT_EQ(sock_connect(c, (struct sockaddr *)&srv, sizeof(srv)), 0);
	KT_ASSERT_EQ(sock_accept(l, &a, (struct sockaddr *)&peer, &len, 0), 0);
	t_timeo(a, 3000);
	len = sizeof(name);
	KT_ASSERT_EQ(sock_getsockname(c, (struct sockaddr *)&name, &len), 0);
	KT_ASSERT_EQ(peer.sin_port, name.sin_port);
	len = sizeof(name);
	KT_ASSERT_EQ(sock_getpeername(a, (struct sockaddr *)&name, &len), 0);
	KT_ASSERT_EQ(name.sin_port, peer.sin_port);
	KT_ASSERT(sock_poll(c) & POLLOUT);

	KT_ASSERT_EQ(sock_setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	KT_ASSERT_EQ(sock_getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vlen), 0);
	KT_ASSERT_EQ(v, 1);
	KT_ASSERT_EQ(sock_send(c, "ping", 4, 0), 4);
	KT_ASSERT_EQ(sock_recv(a, buf, 4, MSG_WAITALL), 4);
	KT_ASSERT(!memcmp(buf, "ping", 4));
	KT_ASSERT_EQ(sock_send(a, "pong!", 5, 0), 5);
	KT_ASSERT_EQ(sock_recv(c, buf, sizeof(buf), 0), 5);
	KT_ASSERT(!memcmp(buf, "pong!", 5));
	KT_ASSERT_EQ(sock_recv(c, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);

	/* Half close: the server reads EOF, can still answer. */
	KT_ASSERT_EQ(sock_shutdown(c, SHUT_WR), 0);
	KT_ASSERT_EQ(sock_recv(a, buf, sizeof(buf), 0), 0);
	KT_ASSERT(sock_poll(a) & POLLRDHUP);
	KT_ASSERT_EQ(sock_send(a, "bye", 3, 0), 3);
	KT_ASSERT_EQ(sock_recv(c, buf, sizeof(buf), 0), 3);
	KT_ASSERT_EQ(sock_send(c, "x", 1, 0), -EPIPE);
	sock_release(a);
	KT_ASSERT_EQ(sock_recv(c, buf, sizeof(buf), 0), 0);
	/* The client closed first, so it is the one in TIME_WAIT. */
	KT_ASSERT_EQ(((struct tcp_sock *)c->proto)->state, TCPS_TIME_WAIT);
	sock_release(c);
	sock_release(l);
}

KTEST(net_tcp_connect_refused_and_nonblocking)
{
	struct sockaddr_in dst = t_sin(LO, 6002);
	struct socket *c = NULL, *l = NULL, *a = NULL;
	int err, v;
	u32 vlen = sizeof(v);

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &c), 0);
	KT_ASSERT_EQ(sock_connect(c, (struct sockaddr *)&dst, sizeof(dst)), -ECONNREFUSED);
	sock_release(c);

	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, &l), 0);
	KT_ASSERT_EQ(sock_bind(l, (struct sockaddr *)&dst, sizeof(dst)), 0);
	KT_ASSERT_EQ(sock_listen(l, 1), 0);
	KT_ASSERT_EQ(sock_accept(l, &a, NULL, NULL, 0), -EAGAIN);
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, &c), 0);
	err = sock_connect(c, (struct sockaddr *)&dst, sizeof(dst));
	KT_ASSERT_EQ(err, -EINPROGRESS);
	/* Wait for writability, as a poll() user would. */
	for (int i = 0; i < 200 && !(sock_poll(c) & POLLOUT); i++)
		msleep(5);
	KT_ASSERT(sock_poll(c) & POLLOUT);
	KT_ASSERT_EQ(sock_getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vlen), 0);
	KT_ASSERT_EQ(v, 0);
	for (int i = 0; i < 200 && !(sock_poll(l) & POLLIN); i++)
		msleep(5);
	KT_ASSERT_EQ(sock_accept(l, &a, NULL, NULL, SOCK_NONBLOCK), 0);
	KT_ASSERT_EQ(sock_recv(a, &v, 1, 0), -EAGAIN);
	/* Closing with unread data resets the peer (RFC 2525). */
	KT_ASSERT_EQ(sock_send(c, "data", 4, 0), 4);
	for (int i = 0; i < 200 && !(sock_poll(a) & POLLIN); i++)
		msleep(5);
	sock_release(a);
	for (int i = 0; i < 200 && !(sock_poll(c) & POLLERR); i++)
		msleep(5);
	KT_ASSERT(sock_poll(c) & POLLERR);
	KT_ASSERT_EQ(sock_recv(c, &v, 1, 0), -ECONNRESET);
	sock_release(c);
	sock_release(l);
}

/* ---- bulk transfer with a second task ---- */

#define BULK_BYTES (4u << 20)

struct bulk {
	struct socket *l;
	u32 sum;
	u64 got;
	int err;
	struct task task;
};

static u32 bulk_pattern(u64 i)
{
	return (u32)(i * 2654435761u >> 7);
}

static void bulk_server(void *arg)
{
	struct bulk *b = arg;
	struct socket *a;
	static u8 buf[8192];

	b->err = sock_accept(b->l, &a, NULL, NULL, 0);
	if (b->err)
		task_exit();
	t_timeo(a, 5000);
	for (;;) {
		ssize_t n = sock_recv(a, buf, sizeof(buf), 0);

		if (n <= 0) {
			b->err = (int)n;
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (u8)bulk_pattern(b->got + (u64)i))
				b->sum++;       /* mismatches */
		b->got += (u64)n;
	}
	sock_release(a);
	task_exit();
}

KTEST(net_tcp_loopback_bulk_4mib)
{
	struct sockaddr_in srv = t_sin(LO, 6003);
	static struct bulk b;
	static u8 buf[16384];
	struct socket *c;
	void *stack = kstack_alloc();
	u64 sent = 0;

	KT_ASSERT(stack);
	memset(&b, 0, sizeof(b));
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &b.l), 0);
	KT_ASSERT_EQ(sock_bind(b.l, (struct sockaddr *)&srv, sizeof(srv)), 0);
	KT_ASSERT_EQ(sock_listen(b.l, 1), 0);
	t_timeo(b.l, 5000);
	KT_ASSERT_EQ(task_start(&b.task, "bulk-srv", bulk_server, &b, stack, KSTACK_SIZE,
				TASK_ANY_CPU), 0);
	KT_ASSERT_EQ(sock_create(AF_INET, SOCK_STREAM, 0, &c), 0);
	t_timeo(c, 5000);
	KT_ASSERT_EQ(sock_connect(c, (struct sockaddr *)&srv, sizeof(srv)), 0);
	while (sent < BULK_BYTES) {
		ssize_t n;

		for (u32 i = 0; i < sizeof(buf); i++)
			buf[i] = (u8)bulk_pattern(sent + i);
		n = sock_send(c, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		sent += (u64)n;
		if ((size_t)n < sizeof(buf))
			break;
	}
	sock_release(c);
	task_join(&b.task);
	kstack_free(stack);
	sock_release(b.l);
	KT_ASSERT_EQ(sent, BULK_BYTES);
	KT_ASSERT_EQ(b.got, BULK_BYTES);
	KT_ASSERT_EQ(b.sum, 0);
	KT_ASSERT_EQ(b.err, 0);
}
