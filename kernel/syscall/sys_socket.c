/*
 * The socket system calls: thin wrappers of net/socket.h that move
 * addresses, option values and message headers between user memory and
 * the kernel, and put sockets in the descriptor table (net/sock_file.h).
 *
 * Only AF_INET exists: AF_UNIX and the rest are -EAFNOSUPPORT, as for a
 * Linux kernel built without them. Ancillary data (msg_control) is not
 * supported: a non-empty one is -EOPNOTSUPP on sendmsg and comes back
 * empty from recvmsg. A send on a broken stream fails with -EPIPE and
 * raises SIGPIPE unless MSG_NOSIGNAL says not to.
 */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "net/sock_file.h"
#include "vfs/vfs.h"
#include <linux/fcntl.h>
#include <linux/socket.h>

/* struct user_msghdr of the x86-64 ABI (Linux keeps it out of uapi). */
struct sys_msghdr {
	void *name;
	int namelen;
	struct iovec *iov;
	size_t iovlen;
	void *control;
	size_t controllen;
	unsigned flags;
};
_Static_assert(sizeof(struct sys_msghdr) == 56, "struct user_msghdr");

/* Message flags a call may carry; others are -EOPNOTSUPP (Linux refuses
 * what a protocol does not know, e.g. MSG_OOB on UDP, the same way).
 * MSG_MORE is a hint (segments go out as the window allows anyway);
 * MSG_CMSG_CLOEXEC has no descriptors to apply to. */
#define SYS_SEND_FLAGS (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE)
#define SYS_RECV_FLAGS (MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | \
			MSG_CMSG_CLOEXEC)

/* Bigger option values than this are never needed (struct timeval). */
#define SYS_OPT_MAX 64

static long sock_fd_get(int fd, struct file **fp, struct socket **sop)
{
	struct file *f = fd_get(current_proc()->files, fd);
	struct socket *so;

	if (IS_ERR(f))
		return PTR_ERR(f);
	so = sock_from_file(f);
	if (IS_ERR(so)) {
		file_put(f);
		return PTR_ERR(so);
	}
	*fp = f;
	*sop = so;
	return 0;
}

static long sock_fd_install(struct socket *so, int flags)
{
	struct file *f = sock_file_create(so, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	int fd;

	if (IS_ERR(f)) {
		sock_release(so);
		return PTR_ERR(f);
	}
	fd = fd_install(current_proc()->files, f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);            /* releases so */
	return fd;
}

/* An address from user memory, as Linux's move_addr_to_kernel. */
static long addr_from_user(struct __kernel_sockaddr_storage *k, const void *uaddr, int len)
{
	if (len < 0 || (size_t)len > sizeof(*k))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (len && copy_from_user(k, uaddr, (size_t)len))
		return -EFAULT;
	return 0;
}

/* An address to user memory: min(klen, *ulen) bytes, *ulen = klen. */
static long addr_to_user(const void *k, u32 klen, void *uaddr, int *ulenp)
{
	int ulen;

	if (!uaddr || !ulenp)
		return 0;
	if (copy_from_user(&ulen, ulenp, sizeof(ulen)))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	if (klen && copy_to_user(uaddr, k, MIN((u32)ulen, klen)))
		return -EFAULT;
	return copy_to_user(ulenp, &klen, sizeof(int)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	struct socket *so;
	long err = sock_create(family, type, protocol, &so);

	if (err)
		return err;
	return sock_fd_install(so, type);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, int *, sv)
{
	/* Pairs are an AF_UNIX thing; Linux's AF_INET answers so too. */
	return family == AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
}

SYSCALL_DEFINE3(bind, int, fd, const void *, uaddr, int, len)
{
	struct __kernel_sockaddr_storage k;
	struct file *f;
	struct socket *so;
	long err = sock_fd_get(fd, &f, &so);

	if (err)
		return err;
	err = addr_from_user(&k, uaddr, len);
	if (!err)
		err = sock_bind(so, (struct sockaddr *)&k, (u32)len);
	file_put(f);
	return err;
}

SYSCALL_DEFINE3(connect, int, fd, const void *, uaddr, int, len)
{
	struct __kernel_sockaddr_storage k;
	struct file *f;
	struct socket *so;
	long err = sock_fd_get(fd, &f, &so);

	if (err)
		return err;
	err = addr_from_user(&k, uaddr, len);
	if (!err)
		err = sock_connect(so, (struct sockaddr *)&k, (u32)len);
	file_put(f);
	return err;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	struct file *f;
	struct socket *so;
	long err = sock_fd_get(fd, &f, &so);

	if (err)
		return err;
	err = sock_listen(so, backlog);
	file_put(f);
	return err;
}

static long do_accept4(int fd, void *uaddr, int *ulen, int flags)
{
	struct sockaddr_in sin;
	u32 klen = sizeof(sin);
	struct socket *so, *newso;
	struct file *f;
	long err;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	err = sock_fd_get(fd, &f, &so);
	if (err)
		return err;
	err = sock_accept(so, &newso, (struct sockaddr *)&sin, &klen, flags);
	file_put(f);
	if (err)
		return err;
	/* As Linux: the connection is taken before the address is copied
	 * out; a bad address pointer loses it (the socket is closed). */
	err = addr_to_user(&sin, klen, uaddr, ulen);
	if (err) {
		sock_release(newso);
		return err;
	}
	return sock_fd_install(newso, flags);
}

SYSCALL_DEFINE3(accept, int, fd, void *, uaddr, int *, ulen)
{
	return do_accept4(fd, uaddr, ulen, 0);
}

SYSCALL_DEFINE4(accept4, int, fd, void *, uaddr, int *, ulen, int, flags)
{
	return do_accept4(fd, uaddr, ulen, flags);
}

static long sock_getname_user(int fd, void *uaddr, int *ulen, bool peer)
{
	struct sockaddr_in sin;
	u32 klen = sizeof(sin);
	struct file *f;
	struct socket *so;
	long err = sock_fd_get(fd, &f, &so);

	if (err)
		return err;
	if (!uaddr || !ulen)
		err = -EFAULT;
	else if (peer)
		err = sock_getpeername(so, (struct sockaddr *)&sin, &klen);
	else
		err = sock_getsockname(so, (struct sockaddr *)&sin, &klen);
	file_put(f);
	return err ? err : addr_to_user(&sin, klen, uaddr, ulen);
}

SYSCALL_DEFINE3(getsockname, int, fd, void *, uaddr, int *, ulen)
{
	return sock_getname_user(fd, uaddr, ulen, false);
}

SYSCALL_DEFINE3(getpeername, int, fd, void *, uaddr, int *, ulen)
{
	return sock_getname_user(fd, uaddr, ulen, true);
}

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	struct file *f;
	struct socket *so;
	long err = sock_fd_get(fd, &f, &so);

	if (err)
		return err;
	err = sock_shutdown(so, how);
	file_put(f);
	return err;
}

SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, name, const void *, uval, int, len)
{
	u8 val[SYS_OPT_MAX];
	struct file *f;
	struct socket *so;
	long err;

	if (len < 0)
		return -EINVAL;
	len = MIN(len, SYS_OPT_MAX);
	if (copy_from_user(val, uval, (size_t)len))
		return -EFAULT;
	err = sock_fd_get(fd, &f, &so);
	if (err)
		return err;
	err = sock_setsockopt(so, level, name, val, (u32)len);
	file_put(f);
	return err;
}

SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, name, void *, uval, int *, ulen)
{
	u8 val[SYS_OPT_MAX];
	struct file *f;
	struct socket *so;
	u32 klen;
	int len;
	long err;

	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	klen = MIN((u32)len, SYS_OPT_MAX);
	err = sock_fd_get(fd, &f, &so);
	if (err)
		return err;
	err = sock_getsockopt(so, level, name, val, &klen);
	file_put(f);
	if (err)
		return err;
	if (copy_to_user(uval, val, klen) || copy_to_user(ulen, &klen, sizeof(int)))
		return -EFAULT;
	return 0;
}

/* ---- data ---------------------------------------------------------------------- */

/* Send m (user iovecs; name, when given, already in the kernel). */
static long sock_send_user(int fd, struct sock_msg *m, unsigned flags)
{
	struct file *f;
	struct socket *so;
	long err;

	if (flags & ~(unsigned)SYS_SEND_FLAGS)
		return -EOPNOTSUPP;
	err = sock_fd_get(fd, &f, &so);
	if (err)
		return err;
	err = sock_sendmsg(so, m, (int)flags);
	file_put(f);
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		signal_raise(SIGPIPE);
	return err;
}

/* Receive into m (user iovecs; name is a kernel sockaddr_in, cleared:
 * the protocol fills it only for datagrams). */
static long sock_recv_user(int fd, struct sock_msg *m, unsigned flags)
{
	struct file *f;
	struct socket *so;
	long err;

	if (flags & ~(unsigned)SYS_RECV_FLAGS)
		return -EOPNOTSUPP;
	err = sock_fd_get(fd, &f, &so);
	if (err)
		return err;
	err = sock_recvmsg(so, m, (int)flags);
	file_put(f);
	return err;
}

/* The address a receive filled in: its length, or 0 if none. */
static u32 recv_namelen(const struct sockaddr_in *sin)
{
	return sin->sin_family == AF_INET ? sizeof(*sin) : 0;
}

SYSCALL_DEFINE6(sendto, int, fd, const void *, buf, size_t, len, unsigned, flags,
		const void *, uaddr, int, alen)
{
	struct __kernel_sockaddr_storage k;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct sock_msg m = { .iov = &iov, .iovlen = 1, .user = true };
	long err;

	if (uaddr) {
		err = addr_from_user(&k, uaddr, alen);
		if (err)
			return err;
		if ((size_t)alen < sizeof(struct sockaddr_in))
			return -EINVAL;
		m.name = &k;
		m.namelen = (u32)alen;
	}
	return sock_send_user(fd, &m, flags);
}

SYSCALL_DEFINE6(recvfrom, int, fd, void *, buf, size_t, len, unsigned, flags,
		void *, uaddr, int *, ulen)
{
	struct sockaddr_in sin = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct sock_msg m = { .iov = &iov, .iovlen = 1, .user = true,
			      .name = &sin, .namelen = sizeof(sin) };
	long n = sock_recv_user(fd, &m, flags), err;

	if (n < 0)
		return n;
	err = addr_to_user(&sin, recv_namelen(&sin), uaddr, ulen);
	return err ? err : n;
}

/* A user msghdr's iovec array into the kernel (kmalloc'ed: kfree it). */
static long msg_iov_get(const struct sys_msghdr *h, struct iovec **out)
{
	struct iovec *iov;

	if (h->iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	iov = kmalloc(h->iovlen * sizeof(*iov) + 1, GFP_KERNEL);
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, h->iov, h->iovlen * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	for (size_t i = 0; i < h->iovlen; i++)
		if ((ssize_t)iov[i].iov_len < 0) {
			kfree(iov);
			return -EINVAL;
		}
	*out = iov;
	return 0;
}

SYSCALL_DEFINE3(sendmsg, int, fd, const struct sys_msghdr *, umsg, unsigned, flags)
{
	struct __kernel_sockaddr_storage k;
	struct sys_msghdr h;
	struct sock_msg m = { .user = true };
	struct iovec *iov;
	long err;

	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	if (h.controllen)
		return -EOPNOTSUPP;
	if (h.name) {
		err = addr_from_user(&k, h.name, h.namelen);
		if (err)
			return err;
		if ((size_t)h.namelen < sizeof(struct sockaddr_in))
			return -EINVAL;
		m.name = &k;
		m.namelen = (u32)h.namelen;
	}
	err = msg_iov_get(&h, &iov);
	if (err)
		return err;
	m.iov = iov;
	m.iovlen = h.iovlen;
	err = sock_send_user(fd, &m, flags);
	kfree(iov);
	return err;
}

SYSCALL_DEFINE3(recvmsg, int, fd, struct sys_msghdr *, umsg, unsigned, flags)
{
	struct sockaddr_in sin = { 0 };
	struct sys_msghdr h;
	struct sock_msg m = { .user = true, .name = &sin, .namelen = sizeof(sin) };
	struct iovec *iov;
	u32 namelen;
	long n, err;

	if (copy_from_user(&h, umsg, sizeof(h)))
		return -EFAULT;
	if (h.namelen < 0)
		return -EINVAL;
	err = msg_iov_get(&h, &iov);
	if (err)
		return err;
	m.iov = iov;
	m.iovlen = h.iovlen;
	n = sock_recv_user(fd, &m, flags);
	kfree(iov);
	if (n < 0)
		return n;
	namelen = recv_namelen(&sin);
	if (h.name && namelen && copy_to_user(h.name, &sin, MIN((u32)h.namelen, namelen)))
		return -EFAULT;
	h.namelen = h.name ? (int)namelen : 0;
	h.controllen = 0;
	h.flags = (unsigned)m.flags_out;
	if (copy_to_user(&umsg->namelen, &h.namelen, sizeof(h.namelen)) ||
	    copy_to_user(&umsg->controllen, &h.controllen, sizeof(h.controllen)) ||
	    copy_to_user(&umsg->flags, &h.flags, sizeof(h.flags)))
		return -EFAULT;
	return n;
}
