/* pipe/pipe2 and poll/ppoll/select/pselect6 (see proc/pipe.h, proc/poll.h). */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/pipe.h"
#include "kernel/proc/poll.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"
#include "vfs/vfs.h"
#include <linux/posix_types.h>
#include <linux/time_types.h>

static long do_pipe2(int *ufds, u32 flags)
{
	struct files *t = current_proc()->files;
	struct file *rd, *wr;
	int fds[2];
	long err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = pipe_create(flags, &rd, &wr);
	if (err)
		return err;
	fds[0] = fd_install(t, rd, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(t, wr, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		file_put(wr);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, int *, fds)
{
	return do_pipe2(fds, 0);
}

SYSCALL_DEFINE2(pipe2, int *, fds, u32, flags)
{
	return do_pipe2(fds, flags);
}

/* ---- poll ---------------------------------------------------------------------- */

void poll_wait(struct poll_table *pt, struct wait_queue *wq)
{
	if (!pt)
		return;
	if (pt->n == POLL_MAX_WAITS) {
		pt->overflow = true;
		return;
	}
	pt->queue[pt->n] = wq;
	pt->entry[pt->n] = (struct wait_entry){ .task = current_task() };
	prepare_to_wait(wq, &pt->entry[pt->n]);
	pt->n++;
}

static void poll_finish(struct poll_table *pt)
{
	for (unsigned i = 0; i < pt->n; i++)
		finish_wait(pt->queue[i], &pt->entry[i]);
	pt->n = 0;
	current_task()->state = TASK_RUNNABLE;
}

/* Files without a poll operation are always ready, as on Linux. */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

static unsigned poll_one(struct pollfd *p, struct poll_table *pt)
{
	struct file *f;
	unsigned mask;

	if (p->fd < 0)
		return 0;
	f = fd_get(current_proc()->files, p->fd);
	if (IS_ERR(f))
		return POLLNVAL;
	mask = f->f_op && f->f_op->poll ? f->f_op->poll(f, pt) : DEFAULT_POLLMASK;
	file_put(f);
	return mask & ((unsigned)p->events | POLLERR | POLLHUP | POLLNVAL);
}

struct poll_timer {
	struct timer timer;
	struct task *task;
};

static void poll_timeout(struct timer *t)
{
	task_wake(container_of(t, struct poll_timer, timer)->task);
}

#define POLL_FOREVER (~0ULL)

/* Fill revents; the number of ready entries, waiting until deadline
 * (ktime_get() ns; 0: don't wait; POLL_FOREVER) or a signal
 * (-ERESTARTNOHAND: EINTR once a handler ran, else it starts over). */
static long do_poll(struct pollfd *fds, unsigned n, u64 deadline)
{
	struct poll_table *pt = kmalloc(sizeof(*pt), GFP_KERNEL);
	struct poll_timer pto = { .task = current_task() };
	long ready;

	if (!pt)
		return -ENOMEM;
	timer_setup(&pto.timer, poll_timeout);
	for (;;) {
		pt->n = 0;
		pt->overflow = false;
		ready = 0;
		for (unsigned i = 0; i < n; i++) {
			fds[i].revents = (short)poll_one(&fds[i], deadline ? pt : NULL);
			if (fds[i].revents)
				ready++;
		}
		if (ready || !deadline || ktime_get() >= deadline) {
			poll_finish(pt);
			break;
		}
		if (signal_pending()) {
			poll_finish(pt);
			ready = -ERESTARTNOHAND;
			break;
		}
		/* Registered on every queue and marked sleeping before the
		 * last look: a wake-up since then is not lost. */
		if (pt->overflow)
			timer_arm(&pto.timer, MIN(deadline, ktime_get() + NSEC_PER_MSEC));
		else if (deadline != POLL_FOREVER)
			timer_arm(&pto.timer, deadline);
		schedule();
		poll_finish(pt);
	}
	timer_cancel_sync(&pto.timer);
	kfree(pt);
	return ready;
}

static long poll_user(struct pollfd *ufds, unsigned n, u64 deadline)
{
	struct pollfd *fds;
	long ret;

	if (n > files_limit(current_proc()->files))
		return -EINVAL;
	fds = kmalloc(n * sizeof(*fds) + 1, GFP_KERNEL);
	if (!fds)
		return -ENOMEM;
	ret = copy_from_user(fds, ufds, n * sizeof(*fds));
	if (!ret)
		ret = do_poll(fds, n, deadline);
	for (unsigned i = 0; ret >= 0 && i < n; i++)
		if (copy_to_user(&ufds[i].revents, &fds[i].revents, sizeof(short)))
			ret = -EFAULT;
	kfree(fds);
	return ret;
}

static u64 deadline_after(u64 ns)
{
	u64 now = ktime_get();

	return ns >= POLL_FOREVER - now ? POLL_FOREVER - 1 : now + ns;
}

SYSCALL_DEFINE3(poll, struct pollfd *, fds, unsigned, n, int, timeout_ms)
{
	u64 deadline = timeout_ms < 0 ? POLL_FOREVER :
		       timeout_ms == 0 ? 0 : deadline_after((u64)timeout_ms * NSEC_PER_MSEC);

	return poll_user(fds, n, deadline);
}

static int ts_deadline(const struct __kernel_timespec *uts, u64 *deadline)
{
	struct __kernel_timespec ts;

	if (!uts) {
		*deadline = POLL_FOREVER;
		return 0;
	}
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if (!ts.tv_sec && !ts.tv_nsec)
		*deadline = 0;
	else if ((u64)ts.tv_sec > 1000000000ULL)
		*deadline = POLL_FOREVER;
	else
		*deadline = deadline_after((u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec);
	return 0;
}

/* ppoll/pselect6's signal mask: in force while the call waits, and until
 * a handler it lets through has its frame (signal.c). */
static int temp_sigmask(const sigset_t *umask, size_t sigsetsize)
{
	sigset_t s;

	if (!umask)
		return 0;
	if (sigsetsize != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&s, umask, sizeof(s)))
		return -EFAULT;
	signal_set_temp_mask(s);
	return 0;
}

SYSCALL_DEFINE5(ppoll, struct pollfd *, fds, unsigned, n,
		const struct __kernel_timespec *, tsp, const sigset_t *, sigmask,
		size_t, sigsetsize)
{
	u64 deadline;
	int err = ts_deadline(tsp, &deadline);

	if (!err)
		err = temp_sigmask(sigmask, sigsetsize);
	if (err)
		return err;
	return poll_user(fds, n, deadline);
}

/* select: the three fd_sets as poll requests, and the answers back. */
static long do_select(int nfds, __kernel_fd_set *ur, __kernel_fd_set *uw,
		      __kernel_fd_set *ue, u64 deadline)
{
	__kernel_fd_set r, w, e;
	struct pollfd *fds;
	long ret, count = 0;
	int n = 0;

	if (nfds < 0 || nfds > __FD_SETSIZE)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	memset(&e, 0, sizeof(e));
	if ((ur && copy_from_user(&r, ur, sizeof(r))) ||
	    (uw && copy_from_user(&w, uw, sizeof(w))) ||
	    (ue && copy_from_user(&e, ue, sizeof(e))))
		return -EFAULT;
	fds = kmalloc((size_t)nfds * sizeof(*fds) + 1, GFP_KERNEL);
	if (!fds)
		return -ENOMEM;
#define FDBIT(set, fd) (((set).fds_bits[(fd) / 64] >> ((fd) % 64)) & 1)
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((FDBIT(r, fd) ? POLLIN | POLLHUP : 0) |
				   (FDBIT(w, fd) ? POLLOUT : 0) |
				   (FDBIT(e, fd) ? POLLPRI : 0));

		if (ev)
			fds[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	ret = do_poll(fds, (unsigned)n, deadline);
	if (ret >= 0) {
		memset(&r, 0, sizeof(r));
		memset(&w, 0, sizeof(w));
		memset(&e, 0, sizeof(e));
		for (int i = 0; i < n; i++) {
			int fd = fds[i].fd;
			short rev = fds[i].revents;

			if (rev & POLLNVAL) {
				ret = -EBADF;
				break;
			}
			if ((rev & (POLLIN | POLLHUP | POLLERR)) && (fds[i].events & POLLIN)) {
				r.fds_bits[fd / 64] |= 1UL << (fd % 64);
				count++;
			}
			if ((rev & (POLLOUT | POLLERR)) && (fds[i].events & POLLOUT)) {
				w.fds_bits[fd / 64] |= 1UL << (fd % 64);
				count++;
			}
			if ((rev & POLLPRI) && (fds[i].events & POLLPRI)) {
				e.fds_bits[fd / 64] |= 1UL << (fd % 64);
				count++;
			}
		}
	}
#undef FDBIT
	kfree(fds);
	if (ret < 0)
		return ret;
	if ((ur && copy_to_user(ur, &r, sizeof(r))) ||
	    (uw && copy_to_user(uw, &w, sizeof(w))) ||
	    (ue && copy_to_user(ue, &e, sizeof(e))))
		return -EFAULT;
	return count;
}

SYSCALL_DEFINE5(select, int, nfds, __kernel_fd_set *, r, __kernel_fd_set *, w,
		__kernel_fd_set *, e, struct __kernel_old_timeval *, utv)
{
	struct __kernel_old_timeval tv;
	u64 deadline = POLL_FOREVER;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		deadline = !tv.tv_sec && !tv.tv_usec ? 0 :
			   deadline_after((u64)tv.tv_sec * NSEC_PER_SEC +
					  (u64)tv.tv_usec * NSEC_PER_USEC);
	}
	return do_select(nfds, r, w, e, deadline);
}

SYSCALL_DEFINE6(pselect6, int, nfds, __kernel_fd_set *, r, __kernel_fd_set *, w,
		__kernel_fd_set *, e, const struct __kernel_timespec *, tsp,
		const void *, sig)
{
	/* The sixth argument points at { const sigset_t *ss; size_t len; }. */
	struct { const sigset_t *ss; size_t len; } sm = { NULL, 0 };
	u64 deadline;
	int err = ts_deadline(tsp, &deadline);

	if (!err && sig && copy_from_user(&sm, sig, sizeof(sm)))
		err = -EFAULT;
	if (!err)
		err = temp_sigmask(sm.ss, sm.len);
	if (err)
		return err;
	return do_select(nfds, r, w, e, deadline);
}
