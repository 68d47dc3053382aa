/*
 * Kernel sockets: the interface the socket system calls wrap one to one
 * (socket, bind, listen, accept4, connect, sendmsg/recvmsg and the
 * sendto/recvfrom/send/recv forms of them, shutdown, getsockname,
 * getpeername, setsockopt, getsockopt, poll), and that in-kernel users
 * (DHCP, the network tests and benchmarks) call directly.
 *
 * Every function takes net_lock itself; the caller holds nothing. Errors
 * are negative errnos with Linux's meaning. Blocking calls sleep on the
 * socket's wait queue and end when the signal hook says a signal is
 * pending: with the hook's restart code (the process layer's
 * -ERESTARTSYS: restarted under SA_RESTART, else -EINTR) when the call has
 * no timeout, with -EINTR when SO_RCVTIMEO/SO_SNDTIMEO gives it one. They
 * return -EAGAIN at once in non-blocking mode (SOCK_NONBLOCK or
 * MSG_DONTWAIT) and after the timeout (connect: -EINPROGRESS).
 *
 * Data moves through struct sock_msg, whose iovecs are user pointers
 * (copied with copy_from_user/copy_to_user, -EFAULT on a bad one) or
 * kernel pointers, as the caller says.
 */
#ifndef VIREO_NET_SOCKET_H
#define VIREO_NET_SOCKET_H

#include "kernel/lib/types.h"
#include "kernel/sched/wait.h"
#include <linux/in.h>
#include <linux/uio.h>
#include <linux/tcp.h>
#include <linux/time_types.h>
#include <asm-generic/socket.h>
#include <asm-generic/poll.h>

/* The socket ABI numbers that Linux keeps out of its uapi headers (they
 * live in include/linux/socket.h and include/linux/net.h, and in libc's
 * <sys/socket.h>): address families, socket types and flags, message
 * flags, shutdown modes, and the generic struct sockaddr. The values are
 * the x86_64 Linux ABI. */
#define AF_UNSPEC       0
#define AF_INET         2
#define SOCK_STREAM     1
#define SOCK_DGRAM      2
#define SOCK_TYPE_MASK  0xf
#define SOCK_NONBLOCK   00004000        /* = O_NONBLOCK */
#define SOCK_CLOEXEC    02000000        /* = O_CLOEXEC */
#define MSG_PEEK        0x2
#define MSG_DONTWAIT    0x40
#define MSG_TRUNC       0x20
#define MSG_WAITALL     0x100
#define MSG_NOSIGNAL    0x4000
#define MSG_MORE        0x8000
#define MSG_CMSG_CLOEXEC 0x40000000
#define SHUT_RD         0
#define SHUT_WR         1
#define SHUT_RDWR       2
#define SOMAXCONN       4096

struct sockaddr {
	__kernel_sa_family_t sa_family;
	char sa_data[14];
};
_Static_assert(sizeof(struct sockaddr) == 16, "struct sockaddr");
_Static_assert(sizeof(struct sockaddr_in) == 16, "struct sockaddr_in");

struct socket;

/* A message: the user_msghdr of sendmsg/recvmsg with the control part
 * left out (no ancillary data is supported: the wrappers return
 * -EOPNOTSUPP for a non-empty msg_control). */
struct sock_msg {
	void *name;                     /* struct sockaddr_in, or NULL */
	u32 namelen;                    /* in: room; out: bytes written */
	const struct iovec *iov;        /* kernel array of iovecs */
	size_t iovlen;
	bool user;                      /* iov_base are user pointers */
	int flags_out;                  /* recvmsg: MSG_TRUNC */
};

struct sock_ops {
	int (*bind)(struct socket *so, const struct sockaddr_in *sin);
	int (*listen)(struct socket *so, int backlog);
	int (*accept)(struct socket *so, struct socket **newso);
	int (*connect)(struct socket *so, const struct sockaddr_in *sin);
	ssize_t (*sendmsg)(struct socket *so, struct sock_msg *m, size_t len, int flags);
	ssize_t (*recvmsg)(struct socket *so, struct sock_msg *m, size_t len, int flags);
	int (*shutdown)(struct socket *so, int how);
	int (*getname)(struct socket *so, struct sockaddr_in *sin, bool peer);
	int (*setsockopt)(struct socket *so, int level, int name, int val);
	int (*getsockopt)(struct socket *so, int level, int name, int *val);
	unsigned (*poll)(struct socket *so);
	void (*release)(struct socket *so);
};

struct socket {
	int type;                       /* SOCK_STREAM, SOCK_DGRAM */
	bool nonblock;                  /* O_NONBLOCK */
	bool reuseaddr;
	int error;                      /* pending SO_ERROR (negative) */
	u32 rcvbuf, sndbuf;             /* SO_RCVBUF/SO_SNDBUF bytes */
	u64 rcvtimeo, sndtimeo;         /* ns, 0 = forever */
	bool linger;                    /* SO_LINGER on: close waits ... */
	u64 linger_ns;                  /* ... this long for the peer's ack
					 * of everything sent (0: close
					 * aborts the connection instead) */
	const struct sock_ops *ops;
	void *proto;                    /* struct udp_sock / struct tcp_sock */
	struct wait_queue wq;           /* readers, writers, acceptors, poll */
};

/* Creation: family AF_INET, type SOCK_STREAM or SOCK_DGRAM, optionally
 * with SOCK_NONBLOCK | SOCK_CLOEXEC (the latter is the fd layer's);
 * protocol 0 or the type's IPPROTO_. */
int sock_create(int family, int type, int protocol, struct socket **out);
/* Close: a TCP connection goes on closing in the background; with
 * SO_LINGER on, after waiting (up to its time) for the peer to have
 * acknowledged all data and the FIN, or at once with a reset for a
 * linger time of 0. */
void sock_release(struct socket *so);

int sock_bind(struct socket *so, const struct sockaddr *addr, u32 len);
int sock_listen(struct socket *so, int backlog);
/* flags: SOCK_NONBLOCK for the new socket (accept4). */
int sock_accept(struct socket *so, struct socket **newso, struct sockaddr *addr,
		u32 *addrlen, int flags);
int sock_connect(struct socket *so, const struct sockaddr *addr, u32 len);
ssize_t sock_sendmsg(struct socket *so, struct sock_msg *m, int flags);
ssize_t sock_recvmsg(struct socket *so, struct sock_msg *m, int flags);
int sock_shutdown(struct socket *so, int how);
int sock_getsockname(struct socket *so, struct sockaddr *addr, u32 *len);
int sock_getpeername(struct socket *so, struct sockaddr *addr, u32 *len);
/* Option values live in kernel memory here; the wrappers copy them. */
int sock_setsockopt(struct socket *so, int level, int name, const void *val, u32 len);
int sock_getsockopt(struct socket *so, int level, int name, void *val, u32 *len);
/* POLLIN/POLLOUT/POLLERR/POLLHUP/POLLRDHUP mask now; poll and select
 * sleep on sock_waitq() and ask again after a wake-up. */
unsigned sock_poll(struct socket *so);
struct wait_queue *sock_waitq(struct socket *so);
void sock_set_nonblock(struct socket *so, bool on);

/* Kernel-buffer conveniences (one iovec). */
ssize_t sock_send(struct socket *so, const void *buf, size_t len, int flags);
ssize_t sock_recv(struct socket *so, void *buf, size_t len, int flags);
ssize_t sock_sendto(struct socket *so, const void *buf, size_t len, int flags,
		    const struct sockaddr_in *to);
ssize_t sock_recvfrom(struct socket *so, void *buf, size_t len, int flags,
		      struct sockaddr_in *from);

/* The process layer registers "does the current task have a signal
 * pending?": 0, or the negative code a sleeping socket call without a
 * timeout ends with (the process layer turns it into -EINTR or a
 * restart; it never reaches user space). */
void sock_set_signal_hook(int (*pending)(void));

/* ---- for the protocols (net_lock held) ---- */

/* Sleep until cond(so) (re-checked after every wake-up) with net_lock
 * released meanwhile. timeout_ns 0: forever. Returns 0, -EAGAIN
 * (timed out), the signal hook's code (no timeout) or -EINTR (with one). */
int sock_wait(struct socket *so, bool (*cond)(struct socket *so), u64 timeout_ns);
/* Wake everyone sleeping on or polling so. */
void sock_wake(struct socket *so);
/* Copy between a message's iovecs (starting *skip bytes in) and a
 * kernel buffer; advances *skip. 0 or -EFAULT. */
int sock_copy_from_msg(struct sock_msg *m, size_t *skip, void *dst, size_t n);
int sock_copy_to_msg(struct sock_msg *m, size_t *skip, const void *src, size_t n);
size_t sock_msg_len(const struct sock_msg *m);
/* A socket shell for a protocol (accept creates children this way). */
struct socket *sock_alloc(int type, const struct sock_ops *ops);
void sock_free(struct socket *so);

#define SOCK_DEFAULT_RCVBUF (256 * 1024)
#define SOCK_DEFAULT_SNDBUF (256 * 1024)
#define SOCK_MIN_BUF        2048
#define SOCK_MAX_BUF        (4 * 1024 * 1024)

/* Protocol constructors (udp.c, tcp.c). */
int udp_create(struct socket *so);
int tcp_create(struct socket *so);

#endif
