/*
 * Sockets from userspace (tests/integration/test_sock.py).
 *
 *   t_net api       the socket calls over loopback, success and error
 *                   paths, poll/select readiness, O_NONBLOCK, the
 *                   interface ioctls, /proc/net and /sys/class/net; runs
 *                   the same on Linux (as root).
 *   t_net host DLPORT DLSHA UDPPORT SINKPORT
 *                   PID 1 of the test against the host (QEMU user
 *                   networking, the host is 10.0.2.2): starts busybox
 *                   httpd on port 80, downloads from the host with
 *                   t_net_get and busybox wget, echoes UDP both ways,
 *                   sends 64 MiB to the host and takes 64 MiB from it.
 *                   Prints "T_NET ..." lines the host waits for.
 */
#include "check.h"
#include "tests/t_net_sha256.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_PTR ((void *)16)

static struct sockaddr_in sin_of(const char *ip, int port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, ip, &s.sin_addr);
	return s;
}

static int port_of(int fd)
{
	struct sockaddr_in s;
	socklen_t len = sizeof(s);

	if (getsockname(fd, (struct sockaddr *)&s, &len))
		return -1;
	return ntohs(s.sin_port);
}

/* A listening TCP socket on 127.0.0.1, any port. */
static int tcp_listener(void)
{
	struct sockaddr_in s = sin_of("127.0.0.1", 0);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	CHECK(fd >= 0);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(fd, (struct sockaddr *)&s, sizeof(s)) == 0);
	CHECK(listen(fd, 4) == 0);
	return fd;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* ---- api ---- */

static void t_create(void)
{
	struct utsname u;
	int p[2];

	/* Vireo has no AF_UNIX (Linux does). */
	CHECK(uname(&u) == 0);
	if (!strcmp(u.sysname, "Vireo"))
		CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(socket(AF_INET, 99, 0), EINVAL);
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR(bind(-1, BAD_PTR, 16), EBADF);
	CHECK(pipe(p) == 0);
	CHECK_ERR(listen(p[0], 1), ENOTSOCK);
	CHECK_ERR(getsockname(p[0], BAD_PTR, (socklen_t *)BAD_PTR + 1), ENOTSOCK);
	close(p[0]);
	close(p[1]);
}

static void t_tcp_stream(void)
{
	int l = tcp_listener(), c, a, v, flags;
	struct sockaddr_in to = sin_of("127.0.0.1", port_of(l)), peer, me;
	socklen_t len = sizeof(v), plen = sizeof(peer), mlen = sizeof(me);
	struct pollfd pf;
	char buf[64];
	struct iovec iov[2];
	struct msghdr mh = { 0 };
	fd_set rs;
	struct timeval tv = { 0, 0 };

	CHECK(port_of(l) > 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(c >= 0);
	CHECK((fcntl(c, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR(connect(c, BAD_PTR, sizeof(to)), EFAULT);
	errno = 0;
	CHECK(connect(c, (struct sockaddr *)&to, sizeof(to)) == 0 || errno == EINPROGRESS);
	pf = (struct pollfd){ .fd = c, .events = POLLOUT };
	CHECK(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLOUT));
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0);
	CHECK(readable(l, 5000));
	a = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(a >= 0);
	CHECK(plen == sizeof(peer) && peer.sin_family == AF_INET);
	CHECK(getsockname(c, (struct sockaddr *)&me, &mlen) == 0);
	CHECK(me.sin_port == peer.sin_port && me.sin_addr.s_addr == peer.sin_addr.s_addr);
	CHECK(getpeername(c, (struct sockaddr *)&peer, &plen) == 0 &&
	      ntohs(peer.sin_port) == port_of(l));
	CHECK((fcntl(a, F_GETFL) & O_NONBLOCK) != 0);
	CHECK(fcntl(a, F_GETFD) == FD_CLOEXEC);

	/* Nothing to read: EAGAIN, poll says not readable. */
	CHECK_ERR(read(a, buf, sizeof(buf)), EAGAIN);
	CHECK(!readable(a, 0));
	/* Blocking again through fcntl; then data makes it readable. */
	flags = fcntl(c, F_GETFL);
	CHECK(fcntl(c, F_SETFL, flags & ~O_NONBLOCK) == 0);
	CHECK(write(c, "hello", 5) == 5);
	CHECK(readable(a, 5000));
	FD_ZERO(&rs);
	FD_SET(a, &rs);
	tv.tv_sec = 5;
	CHECK(select(a + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(a, &rs));
	CHECK(read(a, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	CHECK_ERR(recv(a, BAD_PTR, 8, 0), EAGAIN);      /* empty: EAGAIN first */

	/* writev / sendmsg with two pieces, readv / recvmsg back. */
	iov[0] = (struct iovec){ "ab", 2 };
	iov[1] = (struct iovec){ "cde", 3 };
	CHECK(writev(c, iov, 2) == 5);
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	CHECK(sendmsg(c, &mh, 0) == 5);
	/* Blocking: MSG_WAITALL waits for both pieces (Nagle may hold the
	 * second until the first is acknowledged). */
	CHECK(fcntl(a, F_SETFL, fcntl(a, F_GETFL) & ~O_NONBLOCK) == 0);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){ buf, 4 };
	iov[1] = (struct iovec){ buf + 10, 6 };
	mh = (struct msghdr){ .msg_iov = iov, .msg_iovlen = 2 };
	CHECK(recvmsg(a, &mh, MSG_WAITALL) == 10);
	CHECK(!memcmp(buf, "abcd", 4) && !memcmp(buf + 10, "eabcde", 6));
	CHECK(fcntl(a, F_SETFL, fcntl(a, F_GETFL) | O_NONBLOCK) == 0);
	CHECK(send(c, "x", 1, 0) == 1);
	CHECK(readable(a, 5000));
	CHECK_ERR(recv(a, BAD_PTR, 8, 0), EFAULT);
	CHECK(recv(a, buf, sizeof(buf), 0) == 1 && buf[0] == 'x');   /* not lost */

	/* Options. */
	v = 1;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0);
	v = 0;
	len = sizeof(v);
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1);
	v = 65536;
	CHECK(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0);
	len = sizeof(v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v == 131072);
	v = 32768;
	CHECK(setsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	len = sizeof(v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 65536);
	len = sizeof(v);
	CHECK(getsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && v == 1);
	len = sizeof(v);
	CHECK(getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM);
	v = 0;
	CHECK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0);
	CHECK_ERR(setsockopt(c, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(setsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, 1), EINVAL);
	CHECK_ERR(getsockopt(c, SOL_SOCKET, SO_TYPE, &v, BAD_PTR), EFAULT);

	/* Half close: the reader sees EOF, the other direction still works. */
	CHECK(shutdown(c, SHUT_WR) == 0);
	CHECK(readable(a, 5000));
	CHECK(read(a, buf, sizeof(buf)) == 0);
	CHECK(write(a, "back", 4) == 4);
	CHECK(readable(c, 5000));
	CHECK(read(c, buf, sizeof(buf)) == 4 && !memcmp(buf, "back", 4));
	CHECK_ERR(send(c, "z", 1, MSG_NOSIGNAL), EPIPE);
	/* The peer closes: EOF, and writing there soon fails with EPIPE
	 * (MSG_NOSIGNAL: no SIGPIPE on Linux either). */
	CHECK(close(a) == 0);
	CHECK(readable(c, 5000));
	CHECK(read(c, buf, sizeof(buf)) == 0);
	CHECK(close(c) == 0);

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&to, sizeof(to)) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(close(a) == 0);
	usleep(50000);
	{
		ssize_t r = 0;

		for (int i = 0; i < 100 && r >= 0; i++) {
			r = send(c, "data", 4, MSG_NOSIGNAL);
			usleep(20000);
		}
		CHECK(r == -1 && (errno == EPIPE || errno == ECONNRESET));
	}
	CHECK(close(c) == 0);

	/* Nobody listens any more: refused. */
	CHECK(close(l) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&to, sizeof(to)), ECONNREFUSED);
	CHECK(close(c) == 0);
}

/* A socket shared across fork lives until its last descriptor closes;
 * a child can serve a connection its parent accepted. */
static void t_fork_share(void)
{
	int l = tcp_listener(), c, a, status;
	struct sockaddr_in to = sin_of("127.0.0.1", port_of(l));
	char buf[16];
	pid_t pid;

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&to, sizeof(to)) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	pid = fork();
	if (pid == 0) {
		close(c);
		close(l);
		_exit(write(a, "child", 5) == 5 && read(a, buf, sizeof(buf)) == 6 &&
		      !memcmp(buf, "parent", 6) ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK(close(a) == 0);           /* the child still holds it */
	CHECK(readable(c, 5000));
	CHECK(read(c, buf, sizeof(buf)) == 5 && !memcmp(buf, "child", 5));
	CHECK(write(c, "parent", 6) == 6);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	/* The child's exit closed the last descriptor: EOF. */
	CHECK(readable(c, 5000));
	CHECK(read(c, buf, sizeof(buf)) == 0);
	close(c);
	close(l);
}

/* Message headers from bad memory or with too many pieces. */
static void t_bad_msgs(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = sin_of("127.0.0.1", 9);
	static struct iovec many[1025];
	struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof(a),
			     .msg_iov = many, .msg_iovlen = 1025 };
	int v = 1;

	/* Raw calls: musl's wrappers read the header themselves. */
	CHECK_ERR(syscall(SYS_sendmsg, s, BAD_PTR, 0), EFAULT);
	CHECK_ERR(syscall(SYS_recvmsg, s, BAD_PTR, MSG_DONTWAIT), EFAULT);
	CHECK_ERR(sendmsg(s, &mh, 0), EMSGSIZE);
	mh.msg_iovlen = 1;
	mh.msg_iov = BAD_PTR;
	CHECK_ERR(sendmsg(s, &mh, 0), EFAULT);
	CHECK_ERR(sendto(s, "x", 1, 0, BAD_PTR, sizeof(a)), EFAULT);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_BROADCAST, BAD_PTR, sizeof(v)), EFAULT);
	CHECK_ERR(listen(s, 1), EOPNOTSUPP);
	CHECK_ERR(accept(s, NULL, NULL), EOPNOTSUPP);
	close(s);
}

static void t_udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), r = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = sin_of("127.0.0.1", 0), from;
	socklen_t flen = sizeof(from);
	char buf[64];
	struct iovec iov = { buf, 4 };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
			     .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK(s >= 0 && r >= 0);
	CHECK(bind(r, (struct sockaddr *)&a, sizeof(a)) == 0);
	a = sin_of("127.0.0.1", port_of(r));
	CHECK_ERR(send(s, "x", 1, 0), EDESTADDRREQ);
	CHECK(sendto(s, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) == 8);
	CHECK(readable(r, 5000));
	CHECK(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 8);
	CHECK(!memcmp(buf, "datagram", 8) && flen == sizeof(from));
	CHECK(ntohs(from.sin_port) == port_of(s));
	/* A short buffer truncates the datagram and says so. */
	CHECK(sendto(s, "truncated", 9, 0, (struct sockaddr *)&a, sizeof(a)) == 9);
	CHECK(readable(r, 5000));
	CHECK(recvmsg(r, &mh, 0) == 4 && (mh.msg_flags & MSG_TRUNC));
	CHECK(mh.msg_namelen == sizeof(from) && from.sin_port == htons(port_of(s)));
	CHECK_ERR(recv(r, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* Connected: send and recv without addresses. */
	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(send(s, "conn", 4, 0) == 4);
	CHECK(readable(r, 5000));
	CHECK(recv(r, buf, sizeof(buf), MSG_PEEK) == 4);
	CHECK(read(r, buf, sizeof(buf)) == 4 && !memcmp(buf, "conn", 4));
	CHECK_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&a, 3), EINVAL);
	close(s);
	close(r);
}

/* The file at path contains needle. */
/* SO_LINGER: read back as set; a linger time of 0 makes close abort
 * (the peer reads ECONNRESET); a positive one makes close wait until the
 * peer has acknowledged the data, which the peer can then still read. */
static void t_linger(void)
{
	struct linger lg = { 1, 0 }, got;
	socklen_t len = sizeof(got);
	int l = tcp_listener(), c, a;
	struct sockaddr_in to = sin_of("127.0.0.1", port_of(l));
	char buf[8];

	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(getsockopt(c, SOL_SOCKET, SO_LINGER, &got, &len) == 0 &&
	      len == sizeof(got) && !got.l_onoff);
	CHECK_ERR(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(int)), EINVAL);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	len = sizeof(got);
	CHECK(getsockopt(c, SOL_SOCKET, SO_LINGER, &got, &len) == 0 &&
	      got.l_onoff == 1 && got.l_linger == 0);
	CHECK(connect(c, (struct sockaddr *)&to, sizeof(to)) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(write(c, "lost", 4) == 4);
	close(c);                               /* l_linger 0: reset */
	CHECK(readable(a, 5000));
	errno = 0;
	/* The data may or may not have arrived before the reset. */
	while (read(a, buf, sizeof(buf)) > 0)
		;
	CHECK(errno == ECONNRESET);
	close(a);

	lg = (struct linger){ 1, 5 };
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
	CHECK(connect(c, (struct sockaddr *)&to, sizeof(to)) == 0);
	a = accept(l, NULL, NULL);
	CHECK(a >= 0);
	CHECK(write(c, "kept", 4) == 4);
	close(c);                               /* waits for the ack */
	CHECK(read(a, buf, sizeof(buf)) == 4 && !memcmp(buf, "kept", 4));
	CHECK(read(a, buf, sizeof(buf)) == 0);
	close(a);
	close(l);
}

static int file_has(const char *path, const char *needle)
{
	static char buf[16384];
	int fd = open(path, O_RDONLY), n = 0, r;

	if (fd < 0)
		return 0;
	while (n < (int)sizeof(buf) - 1 && (r = (int)read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static void t_ioctl_proc(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), l = tcp_listener(), found = 0;
	struct ifreq ifr[8], r;
	struct ifconf ifc = { .ifc_len = sizeof(ifr), .ifc_req = ifr };
	char line[128];

	CHECK(ioctl(s, SIOCGIFCONF, &ifc) == 0);
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(ifr[0]); i++) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ifr[i].ifr_addr;

		if (!strcmp(ifr[i].ifr_name, "lo") && a->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
			found = 1;
	}
	CHECK(found);
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	CHECK(ioctl(s, SIOCGIFFLAGS, &r) == 0);
	CHECK((r.ifr_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK));
	CHECK(ioctl(s, SIOCGIFINDEX, &r) == 0 && r.ifr_ifindex > 0);
	CHECK(ioctl(s, SIOCGIFMTU, &r) == 0 && r.ifr_mtu > 0);
	CHECK(ioctl(s, SIOCGIFNETMASK, &r) == 0 &&
	      ((struct sockaddr_in *)&r.ifr_netmask)->sin_addr.s_addr == htonl(0xff000000));
	strcpy(r.ifr_name, "nosuch0");
	CHECK_ERR(ioctl(s, SIOCGIFFLAGS, &r), ENODEV);
	CHECK_ERR(ioctl(s, SIOCGIFFLAGS, BAD_PTR), EFAULT);
	CHECK_ERR(ioctl(s, TCGETS, &r), ENOTTY);

	CHECK(file_has("/proc/net/dev", "    lo:"));
	snprintf(line, sizeof(line), "0100007F:%04X 00000000:0000 0A", port_of(l));
	CHECK(file_has("/proc/net/tcp", line));
	CHECK(file_has("/proc/net/route", "Iface\tDestination\tGateway \tFlags"));
	CHECK(file_has("/sys/class/net/lo/mtu", "\n"));
	CHECK(file_has("/sys/class/net/lo/address", "00:00:00:00:00:00\n"));
	close(l);
	close(s);
}

static int run_api(void)
{
	check_name = "t_net api";
	/* As PID 1 of an initramfs nothing is mounted yet; on a running
	 * system these fail with EBUSY and change nothing. */
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	t_create();
	t_tcp_stream();
	t_fork_share();
	t_bad_msgs();
	t_udp();
	t_linger();
	t_ioctl_proc();
	test_done();
	return 0;
}

/* ---- host: PID 1 against the host ---- */

#define BIG (64u << 20)
#define CHUNK (1u << 20)
static const char seed[] = "vireo-net-64MiB";

/* The test's payload (tests/integration/test_net.py): a 1 MiB chunk of
 * chained SHA-256 blocks, repeated. */
static uint8_t *payload_chunk(void)
{
	uint8_t *c = malloc(CHUNK), block[32];
	struct sha256 s;

	if (!c)
		return NULL;
	sha256_init(&s);
	sha256_update(&s, seed, strlen(seed));
	sha256_final(&s, block);
	for (size_t off = 0; off < CHUNK; off += 32) {
		sha256_init(&s);
		sha256_update(&s, block, 32);
		sha256_final(&s, block);
		memcpy(c + off, block, 32);
	}
	return c;
}

static int run(char *const argv[])
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && write(fd, data, n) == (ssize_t)n);
	close(fd);
}

static void host_udp_echo_out(int port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), ok = 0;
	struct sockaddr_in to = sin_of("10.0.2.2", port);
	struct timeval tv = { 5, 0 };
	char msg[32], buf[64];

	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	for (int i = 0; i < 20; i++) {
		int n = snprintf(msg, sizeof(msg), "guest-%d", i);

		CHECK(sendto(s, msg, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to)) == n);
		if (recv(s, buf, sizeof(buf), 0) == n && !memcmp(buf, msg, (size_t)n))
			ok++;
	}
	printf("T_NET udp guest->host echoed=%d\n", ok);
	CHECK(ok == 20);
	close(s);
}

static void host_udp_echo_in(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), served = 0;
	struct sockaddr_in a = sin_of("0.0.0.0", 7), from;
	char buf[2048];

	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	printf("T_NET udp serving on 7\n");
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n < 0 || (n == 3 && !memcmp(buf, "bye", 3)))
			break;
		CHECK(sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) == n);
		served++;
	}
	printf("T_NET udp host->guest served=%d\n", served);
	close(s);
}

static void host_tcp_send(int port, const uint8_t *chunk)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sin_of("10.0.2.2", port);
	struct sha256 sh;
	char hex[65], reply[128] = "";
	struct timeval t0, t1;
	ssize_t n;
	size_t got = 0;

	CHECK(connect(s, (struct sockaddr *)&to, sizeof(to)) == 0);
	gettimeofday(&t0, NULL);
	sha256_init(&sh);
	for (size_t off = 0; off < BIG; off += CHUNK) {
		size_t done = 0;

		while (done < CHUNK && (n = write(s, chunk + done, CHUNK - done)) > 0)
			done += (size_t)n;
		CHECK(done == CHUNK);
		sha256_update(&sh, chunk, CHUNK);
	}
	CHECK(shutdown(s, SHUT_WR) == 0);
	while (got < sizeof(reply) - 1 && (n = read(s, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)n;
	gettimeofday(&t1, NULL);
	sha256_final_hex(&sh, hex);
	printf("T_NET tcp send bytes=%u sha256=%s ms=%ld host=%s\n", BIG, hex,
	       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000, reply);
	CHECK(strstr(reply, hex) != NULL);
	close(s);
}

static void host_tcp_sink(int port)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), c, one = 1;
	struct sockaddr_in a = sin_of("0.0.0.0", port);
	static uint8_t buf[256 * 1024];
	struct sha256 sh;
	struct timeval t0, t1;
	char hex[65];
	size_t total = 0;
	ssize_t n;

	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(listen(l, 1) == 0);
	printf("T_NET tcp listening on %d\n", port);
	c = accept(l, NULL, NULL);
	CHECK(c >= 0);
	gettimeofday(&t0, NULL);
	sha256_init(&sh);
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		sha256_update(&sh, buf, (size_t)n);
		total += (size_t)n;
	}
	CHECK(n == 0);
	gettimeofday(&t1, NULL);
	sha256_final_hex(&sh, hex);
	CHECK(write(c, hex, 64) == 64);
	printf("T_NET tcp sink bytes=%zu sha256=%s ms=%ld\n", total, hex,
	       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000);
	close(c);
	close(l);
}

static int run_host(int argc, char **argv)
{
	static const char index_html[] = "<html><body>vireo httpd says hello</body></html>\n";
	char url[128], *dl_port, *dl_sha;
	uint8_t *chunk;
	pid_t httpd;

	check_name = "t_net host";
	if (argc < 6) {
		printf("usage: t_net host DLPORT DLSHA UDPPORT SINKPORT\n");
		return 2;
	}
	dl_port = argv[2];
	dl_sha = argv[3];
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	CHECK(mount("proc", "/proc", "proc", 0, NULL) == 0);
	CHECK(mount("sysfs", "/sys", "sysfs", 0, NULL) == 0);
	chunk = payload_chunk();
	CHECK(chunk != NULL);
	if (!chunk)
		test_done();
	CHECK(mkdir("/www", 0755) == 0);
	write_file("/www/index.html", index_html, sizeof(index_html) - 1);
	write_file("/www/chunk.bin", chunk, CHUNK);

	httpd = fork();
	if (httpd == 0) {
		execl("/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www", (char *)NULL);
		_exit(127);
	}
	CHECK(httpd > 0);
	/* Ready once httpd listens on port 80 (0x50), as /proc/net/tcp says. */
	for (int i = 0; i < 500 && !file_has("/proc/net/tcp", "00000000:0050 00000000:0000 0A"); i++)
		usleep(20000);
	CHECK(file_has("/proc/net/tcp", "00000000:0050 00000000:0000 0A"));
	printf("T_NET ready\n");

	/* Downloads from the host's loopback through slirp's 10.0.2.2. */
	CHECK(run((char *[]){ "/test/t_net_get", "10.0.2.2", dl_port, "file.bin", dl_sha,
			      NULL }) == 0);
	snprintf(url, sizeof(url), "http://10.0.2.2:%s/file.bin", dl_port);
	CHECK(run((char *[]){ "/bin/busybox", "wget", "-q", "-O", "/tmp/wget.bin", url,
			      NULL }) == 0);
	CHECK(run((char *[]){ "/bin/busybox", "sha256sum", "/tmp/wget.bin", NULL }) == 0);

	host_udp_echo_out(atoi(argv[4]));
	host_tcp_send(atoi(argv[5]), chunk);
	host_udp_echo_in();
	host_tcp_sink(8080);

	/* What the tools make of /proc/net, /sys and the ioctls. */
	CHECK(run((char *[]){ "/bin/busybox", "ifconfig", NULL }) == 0);
	CHECK(run((char *[]){ "/bin/busybox", "route", "-n", NULL }) == 0);
	/* Its status is not checked: it complains about the missing
	 * /proc/net/tcp6 and udp6 (no IPv6 here), which Linux has. */
	run((char *[]){ "/bin/busybox", "netstat", "-tun", "-l", NULL });
	CHECK(run((char *[]){ "/bin/busybox", "arp", "-n", NULL }) == 0);
	CHECK(run((char *[]){ "/bin/busybox", "route", "add", "-net", "192.168.77.0",
			      "netmask", "255.255.255.0", "gw", "10.0.2.2", NULL }) == 0);
	CHECK(file_has("/proc/net/route", "eth0\t004DA8C0\t0202000A\t0003"));
	CHECK(run((char *[]){ "/bin/busybox", "route", "del", "-net", "192.168.77.0",
			      "netmask", "255.255.255.0", NULL }) == 0);
	CHECK(!file_has("/proc/net/route", "004DA8C0"));
	CHECK(file_has("/sys/class/net/eth0/operstate", "up\n"));
	CHECK(file_has("/sys/class/net/eth0/carrier", "1\n"));

	/* The host has fetched the pages by the time it sends "quit". */
	host_tcp_sink(8080);
	test_done();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "api"))
		return run_api();
	if (argc > 1 && !strcmp(argv[1], "host"))
		return run_host(argc, argv);
	printf("usage: t_net api | host DLPORT DLSHA UDPPORT SINKPORT\n");
	return 2;
}
