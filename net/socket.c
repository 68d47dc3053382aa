/*
 * The protocol-independent half of sockets (see socket.h): argument
 * checks, the generic socket options, sleeping, and copying through
 * iovecs. The protocols (udp.c, tcp.c) supply struct sock_ops.
 */
#include "net/socket.h"
#include "net/net.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

static int (*sock_signal_pending)(void);

void sock_set_signal_hook(int (*pending)(void))
{
	sock_signal_pending = pending;
}

struct socket *sock_alloc(int type, const struct sock_ops *ops)
{
	struct socket *so = kzalloc(sizeof(*so), GFP_KERNEL);

	if (!so)
		return NULL;
	so->type = type;
	so->ops = ops;
	so->rcvbuf = SOCK_DEFAULT_RCVBUF;
	so->sndbuf = SOCK_DEFAULT_SNDBUF;
	wait_queue_init(&so->wq, "socket");
	return so;
}

void sock_free(struct socket *so)
{
	kfree(so);
}

int sock_create(int family, int type, int protocol, struct socket **out)
{
	int base = type & SOCK_TYPE_MASK, err;
	struct socket *so;

	if (family != AF_INET)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (base == SOCK_STREAM && protocol && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	if (base == SOCK_DGRAM && protocol && protocol != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if (base != SOCK_STREAM && base != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	so = sock_alloc(base, NULL);
	if (!so)
		return -ENOMEM;
	so->nonblock = type & SOCK_NONBLOCK;
	mutex_lock(&net_lock);
	err = base == SOCK_STREAM ? tcp_create(so) : udp_create(so);
	mutex_unlock(&net_lock);
	if (err) {
		sock_free(so);
		return err;
	}
	*out = so;
	return 0;
}

void sock_release(struct socket *so)
{
	mutex_lock(&net_lock);
	so->ops->release(so);           /* detaches so from the protocol */
	mutex_unlock(&net_lock);
	sock_free(so);
}

static int sock_sin(const struct sockaddr *addr, u32 len, const struct sockaddr_in **sin)
{
	if (!addr || len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (addr->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	*sin = (const struct sockaddr_in *)addr;
	return 0;
}

int sock_bind(struct socket *so, const struct sockaddr *addr, u32 len)
{
	const struct sockaddr_in *sin;
	int err = sock_sin(addr, len, &sin);

	if (err)
		return err;
	mutex_lock(&net_lock);
	err = so->ops->bind(so, sin);
	mutex_unlock(&net_lock);
	return err;
}

int sock_listen(struct socket *so, int backlog)
{
	int err;

	if (!so->ops->listen)
		return -EOPNOTSUPP;
	if (backlog < 0)
		backlog = 0;
	if (backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	mutex_lock(&net_lock);
	err = so->ops->listen(so, backlog);
	mutex_unlock(&net_lock);
	return err;
}

static void sock_put_name(const struct sockaddr_in *sin, struct sockaddr *addr, u32 *len)
{
	if (!addr || !len)
		return;
	memcpy(addr, sin, MIN(*len, (u32)sizeof(*sin)));
	*len = sizeof(*sin);
}

int sock_accept(struct socket *so, struct socket **newso, struct sockaddr *addr,
		u32 *addrlen, int flags)
{
	struct sockaddr_in sin;
	int err;

	if (!so->ops->accept)
		return -EOPNOTSUPP;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	mutex_lock(&net_lock);
	err = so->ops->accept(so, newso);
	if (!err) {
		(*newso)->nonblock = flags & SOCK_NONBLOCK;
		(*newso)->ops->getname(*newso, &sin, true);
	}
	mutex_unlock(&net_lock);
	if (!err)
		sock_put_name(&sin, addr, addrlen);
	return err;
}

int sock_connect(struct socket *so, const struct sockaddr *addr, u32 len)
{
	const struct sockaddr_in *sin;
	int err;

	if (addr && len >= sizeof(addr->sa_family) && addr->sa_family == AF_UNSPEC &&
	    so->type == SOCK_DGRAM) {
		static const struct sockaddr_in none = { .sin_family = AF_UNSPEC };

		sin = &none;
	} else {
		err = sock_sin(addr, len, &sin);
		if (err)
			return err;
	}
	mutex_lock(&net_lock);
	err = so->ops->connect(so, sin);
	mutex_unlock(&net_lock);
	return err;
}

size_t sock_msg_len(const struct sock_msg *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->iovlen; i++)
		n += m->iov[i].iov_len;
	return n;
}

ssize_t sock_sendmsg(struct socket *so, struct sock_msg *m, int flags)
{
	size_t len = sock_msg_len(m);
	ssize_t n;

	if (len > 0x7ffff000)
		return -EINVAL;
	mutex_lock(&net_lock);
	n = so->ops->sendmsg(so, m, len, flags);
	mutex_unlock(&net_lock);
	return n;
}

ssize_t sock_recvmsg(struct socket *so, struct sock_msg *m, int flags)
{
	size_t len = sock_msg_len(m);
	ssize_t n;

	if (len > 0x7ffff000)
		len = 0x7ffff000;
	m->flags_out = 0;
	mutex_lock(&net_lock);
	n = so->ops->recvmsg(so, m, len, flags);
	mutex_unlock(&net_lock);
	return n;
}

int sock_shutdown(struct socket *so, int how)
{
	int err;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mutex_lock(&net_lock);
	err = so->ops->shutdown(so, how);
	mutex_unlock(&net_lock);
	return err;
}

static int sock_getname(struct socket *so, struct sockaddr *addr, u32 *len, bool peer)
{
	struct sockaddr_in sin;
	int err;

	mutex_lock(&net_lock);
	err = so->ops->getname(so, &sin, peer);
	mutex_unlock(&net_lock);
	if (!err)
		sock_put_name(&sin, addr, len);
	return err;
}

int sock_getsockname(struct socket *so, struct sockaddr *addr, u32 *len)
{
	return sock_getname(so, addr, len, false);
}

int sock_getpeername(struct socket *so, struct sockaddr *addr, u32 *len)
{
	return sock_getname(so, addr, len, true);
}

static int sock_timeo_set(u64 *out, const void *val, u32 len)
{
	struct __kernel_old_timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*out = 0;
	else
		*out = (u64)tv.tv_sec * NSEC_PER_SEC + (u64)tv.tv_usec * NSEC_PER_USEC;
	return 0;
}

/* SO_LINGER's value: Linux's struct linger, which no uapi header has. */
struct sock_linger {
	int l_onoff;
	int l_linger;                   /* seconds */
};

static int sock_linger_set(struct socket *so, const void *val, u32 len)
{
	struct sock_linger l;

	if (len < sizeof(l))
		return -EINVAL;
	memcpy(&l, val, sizeof(l));
	mutex_lock(&net_lock);
	so->linger = l.l_onoff != 0;
	/* A negative time waits for as long as it takes, as on Linux. */
	so->linger_ns = l.l_linger < 0 ? ~0ULL : (u64)l.l_linger * NSEC_PER_SEC;
	mutex_unlock(&net_lock);
	return 0;
}

int sock_setsockopt(struct socket *so, int level, int name, const void *val, u32 len)
{
	int v = 0, err = 0;

	if (level == SOL_SOCKET && name == SO_LINGER)
		return sock_linger_set(so, val, len);

	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		mutex_lock(&net_lock);
		err = sock_timeo_set(name == SO_RCVTIMEO ? &so->rcvtimeo : &so->sndtimeo,
				     val, len);
		mutex_unlock(&net_lock);
		return err;
	}
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(int));
	mutex_lock(&net_lock);
	if (level != SOL_SOCKET) {
		err = so->ops->setsockopt(so, level, name, v);
		goto out;
	}
	switch (name) {
	case SO_REUSEADDR:
		so->reuseaddr = v != 0;
		break;
	case SO_RCVBUF:
	case SO_SNDBUF:
		/* As Linux: the kernel doubles the request for its overhead,
		 * within its limits, and getsockopt reports the result. */
		if (v < 0)
			v = 0;
		v = (int)MIN(MAX((u64)v * 2, (u64)SOCK_MIN_BUF), (u64)SOCK_MAX_BUF);
		if (name == SO_RCVBUF)
			so->rcvbuf = (u32)v;
		else
			so->sndbuf = (u32)v;
		err = so->ops->setsockopt(so, level, name, v);
		break;
	case SO_BROADCAST:
	case SO_KEEPALIVE:
		err = so->ops->setsockopt(so, level, name, v);
		break;
	default:
		err = -ENOPROTOOPT;
	}
out:
	mutex_unlock(&net_lock);
	return err;
}

int sock_getsockopt(struct socket *so, int level, int name, void *val, u32 *len)
{
	int v = 0, err = 0;

	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct sock_linger l = { so->linger, 0 };

		if (*len < sizeof(l))
			return -EINVAL;
		l.l_linger = (int)MIN(so->linger_ns / NSEC_PER_SEC, (u64)(~0u >> 1));
		memcpy(val, &l, sizeof(l));
		*len = sizeof(l);
		return 0;
	}

	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		u64 t = name == SO_RCVTIMEO ? so->rcvtimeo : so->sndtimeo;
		struct __kernel_old_timeval tv = {
			.tv_sec = (long)(t / NSEC_PER_SEC),
			.tv_usec = (long)(t % NSEC_PER_SEC / NSEC_PER_USEC),
		};

		if (*len < sizeof(tv))
			return -EINVAL;
		memcpy(val, &tv, sizeof(tv));
		*len = sizeof(tv);
		return 0;
	}
	if (*len < sizeof(int))
		return -EINVAL;
	mutex_lock(&net_lock);
	if (level != SOL_SOCKET) {
		err = so->ops->getsockopt(so, level, name, &v);
		goto out;
	}
	switch (name) {
	case SO_REUSEADDR:
		v = so->reuseaddr;
		break;
	case SO_RCVBUF:
		v = (int)so->rcvbuf;
		break;
	case SO_SNDBUF:
		v = (int)so->sndbuf;
		break;
	case SO_ERROR:
		v = -so->error;         /* reported positive, then cleared */
		so->error = 0;
		break;
	case SO_TYPE:
		v = so->type;
		break;
	default:
		err = so->ops->getsockopt(so, level, name, &v);
	}
out:
	mutex_unlock(&net_lock);
	if (!err) {
		memcpy(val, &v, sizeof(int));
		*len = sizeof(int);
	}
	return err;
}

unsigned sock_poll(struct socket *so)
{
	unsigned mask;

	mutex_lock(&net_lock);
	mask = so->ops->poll(so);
	if (so->error)
		mask |= POLLERR;
	mutex_unlock(&net_lock);
	return mask;
}

struct wait_queue *sock_waitq(struct socket *so)
{
	return &so->wq;
}

void sock_set_nonblock(struct socket *so, bool on)
{
	so->nonblock = on;
}

/* ---- kernel-buffer conveniences ---- */

static ssize_t sock_xfer(struct socket *so, void *buf, size_t len, int flags,
			 struct sockaddr_in *sin, bool send)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct sock_msg m = {
		.name = sin, .namelen = sin ? sizeof(*sin) : 0,
		.iov = &iov, .iovlen = 1,
	};

	return send ? sock_sendmsg(so, &m, flags) : sock_recvmsg(so, &m, flags);
}

ssize_t sock_send(struct socket *so, const void *buf, size_t len, int flags)
{
	return sock_xfer(so, (void *)buf, len, flags, NULL, true);
}

ssize_t sock_recv(struct socket *so, void *buf, size_t len, int flags)
{
	return sock_xfer(so, buf, len, flags, NULL, false);
}

ssize_t sock_sendto(struct socket *so, const void *buf, size_t len, int flags,
		    const struct sockaddr_in *to)
{
	return sock_xfer(so, (void *)buf, len, flags, (struct sockaddr_in *)to, true);
}

ssize_t sock_recvfrom(struct socket *so, void *buf, size_t len, int flags,
		      struct sockaddr_in *from)
{
	return sock_xfer(so, buf, len, flags, from, false);
}

/* ---- for the protocols ---- */

struct sock_sleeper {
	struct timer timer;
	struct task *task;
};

static void sock_sleeper_fire(struct timer *t)
{
	task_wake(container_of(t, struct sock_sleeper, timer)->task);
}

int sock_wait(struct socket *so, bool (*cond)(struct socket *so), u64 timeout_ns)
{
	struct wait_entry e = { .task = current_task() };
	struct sock_sleeper s = { .task = current_task() };
	u64 deadline = timeout_ns ? ktime_get() + timeout_ns : 0;
	int err = 0;

	timer_setup(&s.timer, sock_sleeper_fire);
	for (;;) {
		prepare_to_wait(&so->wq, &e);
		if (cond(so))
			break;
		err = sock_signal_pending ? sock_signal_pending() : 0;
		if (err) {
			/* As Linux (signal(7)): a timed wait is not restarted,
			 * even under SA_RESTART; it would start its timeout
			 * over. */
			if (deadline)
				err = -EINTR;
			break;
		}
		if (deadline && ktime_get() >= deadline) {
			err = -EAGAIN;
			break;
		}
		if (deadline)
			timer_arm(&s.timer, deadline);
		mutex_unlock(&net_lock);
		schedule();
		mutex_lock(&net_lock);
	}
	finish_wait(&so->wq, &e);
	if (deadline)
		timer_cancel_sync(&s.timer);
	return err;
}

void sock_wake(struct socket *so)
{
	wake_up(&so->wq);
}

static int sock_copy(struct sock_msg *m, size_t *skip, void *kbuf, size_t n, bool to_msg)
{
	size_t off = *skip, done = 0;

	for (size_t i = 0; i < m->iovlen && done < n; i++) {
		const struct iovec *v = &m->iov[i];
		size_t c;
		u8 *base;
		int err = 0;

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		c = MIN(v->iov_len - off, n - done);
		base = (u8 *)v->iov_base + off;
		if (!m->user) {
			if (to_msg)
				memcpy(base, (u8 *)kbuf + done, c);
			else
				memcpy((u8 *)kbuf + done, base, c);
		} else if (to_msg) {
			err = copy_to_user(base, (u8 *)kbuf + done, c);
		} else {
			err = copy_from_user((u8 *)kbuf + done, base, c);
		}
		if (err)
			return -EFAULT;
		done += c;
		off = 0;
	}
	*skip += done;
	return done == n ? 0 : -EFAULT;
}

int sock_copy_from_msg(struct sock_msg *m, size_t *skip, void *dst, size_t n)
{
	return sock_copy(m, skip, dst, n, false);
}

int sock_copy_to_msg(struct sock_msg *m, size_t *skip, const void *src, size_t n)
{
	return sock_copy(m, skip, (void *)src, n, true);
}
