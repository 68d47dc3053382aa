/*
 * Linux ABI details real programs lean on:
 *  - a parent that ignores SIGCHLD, or sets SA_NOCLDWAIT, leaves no
 *    zombies: its children vanish at exit (from /proc too) and a wait
 *    blocked meanwhile ends with ECHILD once none is left (sigaction(2),
 *    wait(2) NOTES).
 *  - a blocking socket call (accept, recv, recvfrom, recvmsg, read, send,
 *    connect) interrupted by a handler with SA_RESTART starts over; without
 *    SA_RESTART, or with SO_RCVTIMEO/SO_SNDTIMEO set, it fails with EINTR
 *    (signal(7), "Interruption of system calls").
 *  - CPU time is split into user and system time, the same in times(2),
 *    getrusage(2), wait4's rusage and /proc/PID/stat (fields 14-17), for
 *    the process and for the children it waited for.
 * Plain libc, so it runs unchanged on Linux (as root, for mount).
 */
#include "check.h"
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void set_sigchld(void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGCHLD, &sa, NULL) == 0);
}

/* A child that sleeps ms and exits with code. */
static pid_t child(long ms, int code)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(ms);
		_exit(code);
	}
	CHECK(pid > 0);
	return pid;
}

static bool proc_exists(pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0;
}

/* Numeric entries of /proc: the processes there are. */
static int proc_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

static volatile sig_atomic_t chld_hits;

static void on_chld(int sig)
{
	chld_hits++;
}

static void test_nocldwait(void)
{
	long t0;
	pid_t a, b;
	int status;

	/* SIG_IGN: a blocked wait lasts until the last child is gone, then
	 * ECHILD; nothing is left in /proc. */
	set_sigchld(SIG_IGN, 0);
	a = child(50, 3);
	b = child(250, 4);
	t0 = now_ms();
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK(now_ms() - t0 >= 200);
	CHECK(!proc_exists(a));
	CHECK(!proc_exists(b));
	CHECK_ERR(waitpid(a, &status, WNOHANG), ECHILD);

	/* A child that exits while nobody waits is gone too. */
	a = child(0, 0);
	for (t0 = now_ms(); proc_exists(a) && now_ms() - t0 < 5000;)
		sleep_ms(10);
	CHECK(!proc_exists(a));
	CHECK_ERR(waitpid(a, &status, WNOHANG), ECHILD);

	/* Many: none is left behind (the kernel frees them as it goes). */
	for (int i = 0; i < 40; i++)
		child(0, 0);
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK(proc_pids() == 1);

	/* SA_NOCLDWAIT with a handler: the handler still hears SIGCHLD
	 * (Linux sends it), and still no zombie. */
	chld_hits = 0;
	set_sigchld(on_chld, SA_NOCLDWAIT | SA_RESTART);
	a = child(50, 5);
	CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
	CHECK(!proc_exists(a));
	CHECK(chld_hits == 1);

	/* exec keeps SIG_IGN but not its flags (Linux clears them all), and
	 * resets handlers: checked by the program it runs (exec_check). */
	set_sigchld(SIG_DFL, 0);
	a = fork();
	if (a == 0) {
		set_sigchld(SIG_IGN, SA_NOCLDWAIT);
		signal(SIGUSR1, on_chld);
		execl("/test/t_posix", "t_posix", "exec-check", (char *)NULL);
		_exit(2);
	}
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Back to SIG_DFL: zombies again, reaped by wait with their status. */
	set_sigchld(SIG_DFL, 0);
	a = child(0, 7);
	sleep_ms(100);
	CHECK(proc_exists(a));
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(!proc_exists(a));
}

/* ---- SA_RESTART and sockets ---- */

static volatile sig_atomic_t alrm_hits;

static void on_alrm(int sig)
{
	alrm_hits++;
}

/* SIGALRM with flags, one shot in ms. */
static void alarm_in(long ms, int flags)
{
	struct sigaction sa = { .sa_handler = on_alrm, .sa_flags = flags };
	struct itimerval it = { .it_value = { ms / 1000, ms % 1000 * 1000 } };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	alrm_hits = 0;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bound(int type)
{
	struct sockaddr_in a = loopback(0);
	int s = socket(AF_INET, type, 0);

	CHECK(s >= 0);
	CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	if (type == SOCK_STREAM)
		CHECK(listen(s, 4) == 0);
	return s;
}

static int port_of(int s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
	return ntohs(a.sin_port);
}

static void set_timeo(int s, int opt, long ms)
{
	struct timeval tv = { ms / 1000, ms % 1000 * 1000 };

	CHECK(setsockopt(s, SOL_SOCKET, opt, &tv, sizeof(tv)) == 0);
}

/* A child that, after ms, connects to the TCP port and sends "tcp", or
 * sends "udp" to the UDP port (0: neither), then waits to be killed. */
static pid_t peer(long ms, int tcp_port, int udp_port)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sockaddr_in a;
		int s;

		signal(SIGALRM, SIG_DFL);
		sleep_ms(ms);
		if (tcp_port) {
			a = loopback(tcp_port);
			s = socket(AF_INET, SOCK_STREAM, 0);
			if (connect(s, (struct sockaddr *)&a, sizeof(a)) || write(s, "tcp", 3) != 3)
				_exit(2);
		}
		if (udp_port) {
			a = loopback(udp_port);
			s = socket(AF_INET, SOCK_DGRAM, 0);
			if (sendto(s, "udp", 3, 0, (struct sockaddr *)&a, sizeof(a)) != 3)
				_exit(2);
		}
		pause();
		_exit(0);
	}
	CHECK(pid > 0);
	return pid;
}

static void peer_done(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
}

/* What each blocking call under test does on a socket pair set up for it:
 * l listens (TCP) or is bound (UDP); c is the accepted connection. */
enum call { ACCEPT, RECV, READ, RECVFROM, RECVMSG };

static long do_call(enum call call, int l, int *c)
{
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long n = -3;

	switch (call) {
	case ACCEPT:
		*c = accept(l, NULL, NULL);
		if (*c < 0)
			return -1;
		n = read(*c, buf, sizeof(buf));
		return n == 3 && !memcmp(buf, "tcp", 3) ? 3 : -2;
	case RECV:
		n = recv(*c, buf, sizeof(buf), 0);
		break;
	case READ:
		n = read(*c, buf, sizeof(buf));
		break;
	case RECVFROM:
		n = recvfrom(l, buf, sizeof(buf), 0, NULL, NULL);
		break;
	case RECVMSG:
		n = recvmsg(l, &mh, 0);
		break;
	}
	return n;
}

/* One interrupted call: SIGALRM after 100 ms with flags, the peer's data
 * after 400 ms; the call's result (3 if it came through) and errno. */
static long interrupted(enum call call, int flags, int timeo_ms, int *err)
{
	bool tcp = call == ACCEPT || call == RECV || call == READ;
	int l = bound(tcp ? SOCK_STREAM : SOCK_DGRAM), c = -1;
	pid_t pid;
	long n;

	if (call == RECV || call == READ) {
		/* Connected first; the data comes late. */
		struct sockaddr_in a = loopback(port_of(l));
		int s = socket(AF_INET, SOCK_STREAM, 0);

		CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
		c = accept(l, NULL, NULL);
		CHECK(c >= 0);
		pid = fork();
		if (pid == 0) {
			sleep_ms(400);
			if (write(s, "tcp", 3) != 3)
				_exit(2);
			pause();
			_exit(0);
		}
		close(s);
	} else {
		pid = peer(400, tcp ? port_of(l) : 0, tcp ? 0 : port_of(l));
	}
	if (timeo_ms)
		set_timeo(c >= 0 ? c : l, SO_RCVTIMEO, timeo_ms);
	alarm_in(100, flags);
	errno = 0;
	n = do_call(call, l, &c);
	*err = errno;
	CHECK(alrm_hits == 1);
	peer_done(pid);
	if (c >= 0)
		close(c);
	close(l);
	return n;
}

static void test_socket_restart(void)
{
	static const char *const names[] = { "accept", "recv", "read", "recvfrom", "recvmsg" };
	int err;

	for (enum call call = ACCEPT; call <= RECVMSG; call++) {
		long n = interrupted(call, SA_RESTART, 0, &err);

		if (n != 3)
			printf("t_posix: %s with SA_RESTART: %ld errno %d\n", names[call], n, err);
		CHECK(n == 3);
		n = interrupted(call, 0, 0, &err);
		if (n != -1 || err != EINTR)
			printf("t_posix: %s without SA_RESTART: %ld errno %d\n", names[call], n, err);
		CHECK(n == -1 && err == EINTR);
		/* A timeout (far off) makes it EINTR even under SA_RESTART. */
		n = interrupted(call, SA_RESTART, 5000, &err);
		if (n != -1 || err != EINTR)
			printf("t_posix: %s with SO_RCVTIMEO: %ld errno %d\n", names[call], n, err);
		CHECK(n == -1 && err == EINTR);
	}
}

/* send blocked on a full buffer (the peer reads only later) restarts
 * under SA_RESTART and then completes. */
static void test_send_restart(void)
{
	static char chunk[65536];
	int l = bound(SOCK_STREAM), s = socket(AF_INET, SOCK_STREAM, 0), c, status, go[2];
	struct sockaddr_in a = loopback(port_of(l));
	long t0, n;
	pid_t pid;

	CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	c = accept(l, NULL, NULL);
	CHECK(c >= 0);
	CHECK(pipe(go) == 0);
	pid = fork();
	if (pid == 0) {
		long r;

		close(s);
		/* The parent says when its buffers are full. */
		if (read(go[0], chunk, 1) != 1)
			_exit(4);
		sleep_ms(400);
		while ((r = read(c, chunk, sizeof(chunk))) > 0)
			;
		_exit(r == 0 ? 0 : 3);
	}
	close(c);
	/* Fill both buffers: send until the kernel has no room left, even
	 * after what was in flight has settled. */
	for (int round = 0; round < 50; round++) {
		long sent = 0;

		while ((n = send(s, chunk, sizeof(chunk), MSG_DONTWAIT)) > 0)
			sent += n;
		CHECK(errno == EAGAIN);
		if (!sent && round >= 2)
			break;
		sleep_ms(100);
	}
	CHECK(write(go[1], "g", 1) == 1);
	t0 = now_ms();
	alarm_in(100, SA_RESTART);
	/* A window probe may let a byte or two through before the signal:
	 * then send returns that much (as Linux would), and the rest goes
	 * in the next call; what must never come back is EINTR. */
	for (long total = 0; total < 1000; total += n) {
		errno = 0;
		n = send(s, chunk, 1000 - total, 0);
		if (n <= 0) {
			printf("t_posix: send blocked on a full buffer: %ld errno %d after %ld ms\n",
			       n, errno, now_ms() - t0);
			CHECK(n > 0);
			break;
		}
	}
	CHECK(alrm_hits == 1);
	CHECK(now_ms() - t0 >= 300);    /* it did block until the reader came */
	close(s);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	close(go[0]);
	close(go[1]);
	close(l);
}

/* ---- user and system time ---- */

struct cpu_ms {
	long user, sys;
};

static long tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static struct cpu_ms rusage_ms(int who)
{
	struct rusage ru;

	CHECK(getrusage(who, &ru) == 0);
	return (struct cpu_ms){ tv_ms(ru.ru_utime), tv_ms(ru.ru_stime) };
}

static struct cpu_ms ticks_ms(clock_t user, clock_t sys)
{
	long hz = sysconf(_SC_CLK_TCK);

	return (struct cpu_ms){ user * 1000 / hz, sys * 1000 / hz };
}

/* /proc/self/stat's utime, stime (self) or cutime, cstime (children). */
static struct cpu_ms stat_ms(bool children)
{
	char buf[1024], *p;
	unsigned long ut, st;
	long cut, cst;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;

	CHECK(f != NULL);
	if (!f)
		return (struct cpu_ms){ -1, -1 };
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	CHECK(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld",
			  &ut, &st, &cut, &cst) == 4);
	return children ? ticks_ms(cut, cst) : ticks_ms(ut, st);
}

static volatile unsigned long spin_sink;

/* ms of user-mode work: arithmetic, a clock look every so often. */
static void spin_user(long ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end)
		for (unsigned long i = 0; i < 200000; i++)
			spin_sink = spin_sink * 7 + i;
}

/* ms of system calls: getppid, the cheapest. */
static void spin_sys(long ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 200; i++)
			syscall(SYS_getppid);
}

static void show(const char *what, struct cpu_ms d, long wall)
{
	printf("t_posix: %s: user %ld ms, system %ld ms of %ld ms\n", what, d.user, d.sys, wall);
}

/* Generous shares (TCG is slow, the host shared): a phase of user work
 * is mostly user time, one of system calls mostly system time. */
static void check_split(const char *what, struct cpu_ms a, struct cpu_ms b, long wall,
			bool user_phase)
{
	struct cpu_ms d = { b.user - a.user, b.sys - a.sys };

	show(what, d, wall);
	CHECK(d.user >= 0 && d.sys >= 0);
	CHECK(d.user + d.sys <= wall + 30);
	if (user_phase) {
		CHECK(d.user >= wall / 2);
		CHECK(d.sys <= wall / 4);
	} else {
		CHECK(d.sys >= wall / 5);
		CHECK(d.user <= wall * 4 / 5);
	}
}

static void test_cpu_time(void)
{
	struct cpu_ms r0, r1, r2, s0, s1, s2, t0, t1, t2;
	struct rusage ru;
	struct tms tms;
	struct timespec cpu;
	long w0, w1, w2, cpu_ms;
	int status;
	pid_t pid;

	w0 = now_ms();
	r0 = rusage_ms(RUSAGE_SELF);
	s0 = stat_ms(false);
	times(&tms);
	t0 = ticks_ms(tms.tms_utime, tms.tms_stime);
	spin_user(200);
	w1 = now_ms();
	r1 = rusage_ms(RUSAGE_SELF);
	s1 = stat_ms(false);
	times(&tms);
	t1 = ticks_ms(tms.tms_utime, tms.tms_stime);
	spin_sys(200);
	w2 = now_ms();
	r2 = rusage_ms(RUSAGE_SELF);
	s2 = stat_ms(false);
	times(&tms);
	t2 = ticks_ms(tms.tms_utime, tms.tms_stime);
	check_split("getrusage, user phase", r0, r1, w1 - w0, true);
	check_split("getrusage, syscall phase", r1, r2, w2 - w1, false);
	check_split("/proc/self/stat, user phase", s0, s1, w1 - w0, true);
	check_split("/proc/self/stat, syscall phase", s1, s2, w2 - w1, false);
	check_split("times, user phase", t0, t1, w1 - w0, true);
	check_split("times, syscall phase", t1, t2, w2 - w1, false);
	/* The CPU clock is the sum. */
	CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0);
	r2 = rusage_ms(RUSAGE_SELF);
	cpu_ms = cpu.tv_sec * 1000 + cpu.tv_nsec / 1000000;
	CHECK(cpu_ms >= r2.user + r2.sys - 2 && cpu_ms <= r2.user + r2.sys + 50);

	/* A child's time comes to the parent when it is waited for: in
	 * wait4's rusage, RUSAGE_CHILDREN, times' c-fields and stat's. */
	r0 = rusage_ms(RUSAGE_CHILDREN);
	s0 = stat_ms(true);
	times(&tms);
	t0 = ticks_ms(tms.tms_cutime, tms.tms_cstime);
	pid = fork();
	if (pid == 0) {
		spin_user(150);
		spin_sys(150);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(wait4(pid, &status, 0, &ru) == pid && WIFEXITED(status));
	show("wait4's rusage of a child", (struct cpu_ms){ tv_ms(ru.ru_utime), tv_ms(ru.ru_stime) }, 300);
	CHECK(tv_ms(ru.ru_utime) >= 75 && tv_ms(ru.ru_stime) >= 25);
	r1 = rusage_ms(RUSAGE_CHILDREN);
	s1 = stat_ms(true);
	times(&tms);
	t1 = ticks_ms(tms.tms_cutime, tms.tms_cstime);
	show("RUSAGE_CHILDREN", (struct cpu_ms){ r1.user - r0.user, r1.sys - r0.sys }, 300);
	CHECK(r1.user - r0.user == tv_ms(ru.ru_utime) || r1.user - r0.user == tv_ms(ru.ru_utime) + 1);
	CHECK(r1.sys - r0.sys >= tv_ms(ru.ru_stime) - 1 && r1.sys - r0.sys <= tv_ms(ru.ru_stime) + 1);
	CHECK(s1.user - s0.user >= 65 && s1.sys - s0.sys >= 15);
	CHECK(t1.user - t0.user >= 65 && t1.sys - t0.sys >= 15);
}

/* After exec (test_nocldwait): SIGCHLD still ignored, without
 * SA_NOCLDWAIT; the SIGUSR1 handler gone. Exit status 0 if so. */
static int exec_check(void)
{
	struct sigaction chld, usr1;

	if (sigaction(SIGCHLD, NULL, &chld) || sigaction(SIGUSR1, NULL, &usr1))
		return 3;
	if (chld.sa_handler != SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT)) {
		printf("t_posix: after exec: SIGCHLD handler %p flags %#x\n",
		       (void *)chld.sa_handler, chld.sa_flags);
		return 1;
	}
	return usr1.sa_handler == SIG_DFL ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec-check"))
		return exec_check();
	check_name = "t_posix";
	if (mount("proc", "/proc", "proc", 0, NULL) && errno != EBUSY)
		CHECK(!"mount /proc");
	test_nocldwait();
	test_socket_restart();
	test_send_restart();
	test_cpu_time();
	test_done();
}
