/*
 * The console terminal: the serial line, the line discipline (tty_ldisc.c)
 * and what a process sees through /dev/console, /dev/tty and /dev/ttyS0.
 *
 * Input: the UART's receive interrupt calls tty_rx_hook, which moves bytes
 * from serial_rx's ring into the line discipline. There they are edited,
 * echoed and turned into signals at once, whether or not anyone reads (so
 * ^C reaches a program that never reads). In non-canonical mode bytes are
 * moved only while the discipline has room; the rest wait in serial_rx's
 * ring and a read that makes room pulls them.
 *
 * Output: written text and echo go through the discipline's OPOST path and
 * out with console_write_raw, which serializes with the kernel log. It is
 * written synchronously (there is no output queue: tcdrain and TCOFLUSH
 * have nothing to wait for). Output stopped by ^S (IXON) or TCOOFF holds
 * writers back until ^Q; echo still goes out.
 *
 * Controlling terminal and job control (POSIX.1 §11.1.3-4): the terminal
 * belongs to at most one session (tty->session); a process whose session
 * it is has it as its controlling terminal. tty->pgrp is the foreground
 * process group. A process of that session outside the foreground group
 * that reads gets SIGTTIN (or -EIO), and with TOSTOP one that writes gets
 * SIGTTOU, through the process layer's tty_signal_ops.
 *
 * Locking: tty->lock (a spinlock shared with the receive interrupt)
 * protects the line discipline, pgrp, session and winsize. Nothing calls
 * into the process layer with it held: keyboard signals are collected
 * under the lock and sent after it is dropped. tty->wq is woken when input
 * arrives, output restarts (IXON), or the termios or session change.
 */
#include "kernel/proc/tty.h"
#include "kernel/boot/cmdline.h"
#include "kernel/console/console.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/proc/poll.h"
#include "kernel/sched/wait.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"
#include "vfs/vfs.h"
#include <asm/ioctls.h>
#include <asm/signal.h>
#include <asm-generic/termios.h>
#include <linux/serial.h>

#define TTY_MAJOR 5             /* 5:0 /dev/tty, 5:1 /dev/console */
#define TTYS_MAJOR 4            /* 4:64 + N: /dev/ttySN */
#define TTYS_MINOR0 64
#define CHUNK 256               /* bytes moved per lock hold */

struct tty {
	struct spinlock lock;
	struct ldisc ld;
	u32 pgrp, session;              /* foreground group, owner; 0: none */
	struct winsize winsize;
	u32 pending_sigs;               /* keyboard signals to send (bits) */
	struct wait_queue wq;
};

static struct tty console_tty = {
	.lock = SPINLOCK_INIT("tty"),
	.wq = WAIT_QUEUE_INIT(console_tty.wq, "tty"),
};
static const struct tty_signal_ops *sig_ops;

const struct tty_signal_ops *tty_set_signal_ops(const struct tty_signal_ops *ops)
{
	return __atomic_exchange_n(&sig_ops, ops, __ATOMIC_ACQ_REL);
}

static const struct tty_signal_ops *ops_get(void)
{
	return __atomic_load_n(&sig_ops, __ATOMIC_ACQUIRE);
}

/* ---- the line discipline's callbacks (tty->lock held) -------------------- */

static void tty_emit(void *ctx, const char *s, size_t n)
{
	console_write_raw(s, n);
}

static void tty_isig(void *ctx, int key)
{
	struct tty *tty = ctx;
	int sig = key == VINTR ? SIGINT : key == VQUIT ? SIGQUIT : SIGTSTP;

	tty->pending_sigs |= 1u << sig;
}

/* Send the collected keyboard signals to the foreground group. */
static void tty_send_pending(struct tty *tty, u32 sigs, u32 pgrp)
{
	const struct tty_signal_ops *ops = ops_get();

	for (int sig = 1; sigs; sig++) {
		if (!(sigs & (1u << sig)))
			continue;
		sigs &= ~(1u << sig);
		if (ops && pgrp)
			ops->send_to_pgrp(pgrp, sig);
		else
			pr_debug("tty: signal %d from the keyboard dropped (%s)\n", sig,
				 ops ? "no foreground process group" : "no process layer");
	}
}

/* ---- input --------------------------------------------------------------- */

/* Move what serial_rx holds into the discipline (as far as it has room in
 * non-canonical mode), with input bytes s (n of them) first. */
static void tty_input(struct tty *tty, const char *s, size_t n)
{
	char chunk[64];
	unsigned long flags = spin_lock_irqsave(&tty->lock);
	u32 sigs, pgrp;

	if (n)
		ldisc_receive(&tty->ld, s, n);
	for (;;) {
		size_t want = sizeof(chunk), got;

		if (!(tty->ld.termios.c_lflag & ICANON))
			want = MIN(want, ldisc_room(&tty->ld));
		if (!want)
			break;
		got = serial_rx_read(chunk, want);
		if (!got)
			break;
		ldisc_receive(&tty->ld, chunk, got);
	}
	sigs = tty->pending_sigs;
	tty->pending_sigs = 0;
	pgrp = tty->pgrp;
	spin_unlock_irqrestore(&tty->lock, flags);
	wake_up(&tty->wq);
	if (sigs)
		tty_send_pending(tty, sigs, pgrp);
}

static void tty_rx_hook(void *ctx)
{
	tty_input(ctx, NULL, 0);
}

void tty_receive(const char *s, size_t n)
{
	tty_input(&console_tty, s, n);
}

/* ---- sleeping ------------------------------------------------------------ */

struct tty_sleep_timer {
	struct timer timer;
	struct task *task;
};

static void tty_timeout(struct timer *t)
{
	task_wake(container_of(t, struct tty_sleep_timer, timer)->task);
}

/* 0, or what a blocking call returns because a signal is pending. */
static int tty_interrupted(void)
{
	const struct tty_signal_ops *ops = ops_get();

	return ops ? ops->signal_pending() : 0;
}

/*
 * Sleep until ready(tty) (checked under tty->lock), the deadline (ns,
 * 0: none) or a signal. 0, or the signal's errno. The caller looks again
 * at what it waits for: 0 does not mean it is there (a timeout).
 */
static int tty_wait(struct tty *tty, bool (*ready)(struct tty *), u64 deadline)
{
	struct wait_entry e = { .task = current_task() };
	struct tty_sleep_timer t = { .task = current_task() };
	unsigned long flags;
	bool ok;
	int err = 0;

	/* serial_rx has one hook, and its KTEST borrows it. */
	serial_rx_set_hook(tty_rx_hook, tty);
	if (deadline) {
		timer_setup(&t.timer, tty_timeout);
		timer_arm(&t.timer, deadline);
	}
	for (;;) {
		prepare_to_wait(&tty->wq, &e);
		flags = spin_lock_irqsave(&tty->lock);
		ok = ready(tty);
		spin_unlock_irqrestore(&tty->lock, flags);
		if (ok || (deadline && ktime_get() >= deadline))
			break;
		err = tty_interrupted();
		if (err)
			break;
		schedule();
	}
	finish_wait(&tty->wq, &e);
	if (deadline)
		timer_cancel_sync(&t.timer);
	return err;
}

static bool input_ready(struct tty *tty)
{
	return ldisc_read_ready(&tty->ld);
}

static bool output_ready(struct tty *tty)
{
	return !tty->ld.stopped;
}

/* ---- job control --------------------------------------------------------- */

/*
 * May the caller use its controlling terminal now? Members of a
 * background group get sig (SIGTTIN for a read, SIGTTOU for a write with
 * TOSTOP or a change of settings) and the call returns to let it act; if
 * the caller ignores or blocks sig, a read fails with -EIO and anything
 * else goes on; an orphaned group gets -EIO (nobody would continue it).
 */
static int tty_job_check(struct tty *tty, int sig)
{
	const struct tty_signal_ops *ops = ops_get();
	unsigned long flags;
	u32 pid, pgid, sid, fg, session;
	int err;

	if (!ops || !ops->current_ids(&pid, &pgid, &sid))
		return 0;
	flags = spin_lock_irqsave(&tty->lock);
	fg = tty->pgrp;
	session = tty->session;
	spin_unlock_irqrestore(&tty->lock, flags);
	if (session != sid || !fg || pgid == fg)
		return 0;
	if (ops->sig_ignored(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (ops->pgrp_orphaned(pgid))
		return -EIO;
	ops->send_to_pgrp(pgid, sig);
	err = ops->signal_pending();
	return err ? err : -EINTR;
}

/* Is the terminal the caller's controlling terminal? Only a process has
 * one (ids are 0 for a kernel thread, or before the process layer is
 * there), and only once its session leader took the terminal. */
static bool tty_is_ctty(struct tty *tty, u32 *pid, u32 *pgid, u32 *sid)
{
	const struct tty_signal_ops *ops = ops_get();
	u32 session;

	if (!ops || !ops->current_ids(pid, pgid, sid)) {
		*pid = *pgid = *sid = 0;
		return false;
	}
	session = READ_ONCE(tty->session);
	return session && session == *sid;
}

void tty_session_exit(u32 sid)
{
	struct tty *tty = &console_tty;
	const struct tty_signal_ops *ops = ops_get();
	unsigned long flags = spin_lock_irqsave(&tty->lock);
	u32 fg = 0;

	if (sid && tty->session == sid) {
		fg = tty->pgrp;
		tty->session = tty->pgrp = 0;
	}
	spin_unlock_irqrestore(&tty->lock, flags);
	if (fg && ops) {
		ops->send_to_pgrp(fg, SIGHUP);
		ops->send_to_pgrp(fg, SIGCONT);
	}
}

/* ---- read and write ------------------------------------------------------ */

/* Canonical: one line (or what fits of it). */
static ssize_t read_canon(struct tty *tty, struct vfs_buf buf, size_t len, bool nonblock)
{
	char chunk[CHUNK];
	size_t done = 0;
	int err;

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&tty->lock);
		ssize_t n = ldisc_read(&tty->ld, chunk, MIN(len - done, CHUNK));
		bool more = n == CHUNK && ldisc_mid_line(&tty->ld);

		spin_unlock_irqrestore(&tty->lock, flags);
		if (n >= 0) {
			if (vfs_buf_to(buf, done, chunk, (size_t)n))
				return done ? (ssize_t)done : -EFAULT;
			done += (size_t)n;
			if (!more || done == len)
				return (ssize_t)done;
			continue;
		}
		if (done)
			return (ssize_t)done;
		if (nonblock)
			return -EAGAIN;
		err = tty_wait(tty, input_ready, 0);
		if (err)
			return err;
	}
}

/*
 * Non-canonical, POSIX's MIN/TIME cases: MIN > 0, TIME = 0: wait for MIN
 * bytes (or len); MIN > 0, TIME > 0: TIME (tenths of a second) is an
 * inter-byte timer started by the first byte; MIN = 0, TIME > 0: wait up
 * to TIME for one byte; MIN = TIME = 0: take what is there.
 */
static ssize_t read_raw(struct tty *tty, struct vfs_buf buf, size_t len,
			bool nonblock, u8 vmin, u8 vtime)
{
	u64 tenths = (u64)vtime * 100 * NSEC_PER_MSEC;
	size_t want = vmin ? MIN((size_t)vmin, len) : 1;
	u64 deadline = vmin ? 0 : vtime ? ktime_get() + tenths : 0;
	bool forever = vmin || vtime;
	char chunk[CHUNK];
	size_t done = 0;
	int err;

	while (done < len) {
		unsigned long flags = spin_lock_irqsave(&tty->lock);
		ssize_t n = ldisc_read(&tty->ld, chunk, MIN(len - done, CHUNK));

		spin_unlock_irqrestore(&tty->lock, flags);
		if (n > 0) {
			/* Room was made: take what waited in serial_rx. */
			tty_input(tty, NULL, 0);
			if (vfs_buf_to(buf, done, chunk, (size_t)n))
				return done ? (ssize_t)done : -EFAULT;
			done += (size_t)n;
			if (done >= want)
				break;
			if (vtime)
				deadline = ktime_get() + tenths;
			continue;
		}
		if (!forever || (deadline && ktime_get() >= deadline))
			break;
		if (nonblock) {
			if (!done)
				return -EAGAIN;
			break;
		}
		err = tty_wait(tty, input_ready, deadline);
		if (err) {
			if (!done)
				return err;
			break;
		}
	}
	return (ssize_t)done;
}

static ssize_t tty_do_read(struct tty *tty, struct vfs_buf buf, size_t len, bool nonblock)
{
	unsigned long flags;
	bool canon;
	u8 vmin, vtime;
	int err = tty_job_check(tty, SIGTTIN);

	if (err)
		return err;
	if (!len)
		return 0;
	flags = spin_lock_irqsave(&tty->lock);
	canon = tty->ld.termios.c_lflag & ICANON;
	vmin = tty->ld.termios.c_cc[VMIN];
	vtime = tty->ld.termios.c_cc[VTIME];
	spin_unlock_irqrestore(&tty->lock, flags);
	if (canon)
		return read_canon(tty, buf, len, nonblock);
	return read_raw(tty, buf, len, nonblock, vmin, vtime);
}

static ssize_t tty_do_write(struct tty *tty, struct vfs_buf buf, size_t len, bool nonblock)
{
	char chunk[CHUNK];
	size_t done = 0;
	int err = 0;

	if (READ_ONCE(tty->ld.termios.c_lflag) & TOSTOP) {
		err = tty_job_check(tty, SIGTTOU);
		if (err)
			return err;
	}
	while (done < len) {
		size_t n = MIN(len - done, CHUNK);
		unsigned long flags;

		if (vfs_buf_from(chunk, buf, done, n)) {
			err = -EFAULT;
			break;
		}
		/* Output stopped by ^S (IXON) or TCOOFF waits for ^Q. */
		if (READ_ONCE(tty->ld.stopped)) {
			err = nonblock ? -EAGAIN : tty_wait(tty, output_ready, 0);
			if (err)
				break;
		}
		flags = spin_lock_irqsave(&tty->lock);
		ldisc_write(&tty->ld, chunk, n);
		spin_unlock_irqrestore(&tty->lock, flags);
		done += n;
	}
	return done ? (ssize_t)done : err;
}

ssize_t tty_kernel_read(char *buf, size_t len)
{
	return tty_do_read(&console_tty, VFS_KBUF(buf), len, false);
}

void tty_kernel_write(const char *s, size_t n)
{
	tty_do_write(&console_tty, VFS_KBUF(s), n, false);
}

void tty_reset_termios(void)
{
	struct tty *tty = &console_tty;
	struct termios t;
	unsigned long flags = spin_lock_irqsave(&tty->lock);

	ldisc_default_termios(&t);
	ldisc_flush_input(&tty->ld);
	ldisc_set_termios(&tty->ld, &t);
	tty->ld.stopped = false;
	spin_unlock_irqrestore(&tty->lock, flags);
	wake_up(&tty->wq);
}

/* Readiness for poll/select: POLLIN as a read would not block (in
 * non-canonical mode with MIN > 0 and no timer, at MIN bytes), POLLOUT
 * unless output is stopped. */
static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = &console_tty;
	unsigned long flags;
	const struct termios *t = &tty->ld.termios;
	unsigned mask = 0;
	bool in;

	/* Registered before the look: a byte that arrives in between wakes
	 * the poller. (Registered after it, busybox's line editor slept on
	 * in poll with the line it was typed already queued.) */
	poll_wait(pt, &tty->wq);
	flags = spin_lock_irqsave(&tty->lock);
	if (!(t->c_lflag & ICANON) && t->c_cc[VMIN] && !t->c_cc[VTIME])
		in = ldisc_readable(&tty->ld) >= t->c_cc[VMIN];
	else
		in = ldisc_read_ready(&tty->ld);
	if (in)
		mask |= POLLIN | POLLRDNORM;
	if (!tty->ld.stopped)
		mask |= POLLOUT | POLLWRNORM;
	spin_unlock_irqrestore(&tty->lock, flags);
	return mask;
}

/* ---- ioctls -------------------------------------------------------------- */

/* TCSETS*: new settings, after flushing input for the F variants. Output
 * is written synchronously, so "after output drains" (W) is now. The
 * line speed in c_cflag is kept and reported; the console UART stays at
 * the speed it was set up with. */
static int tty_set_termios(struct tty *tty, const struct termios *t, bool flush)
{
	unsigned long flags;
	int err = tty_job_check(tty, SIGTTOU);

	if (err)
		return err;
	flags = spin_lock_irqsave(&tty->lock);
	if (flush)
		ldisc_flush_input(&tty->ld);
	ldisc_set_termios(&tty->ld, t);
	if (!(t->c_iflag & IXON))
		tty->ld.stopped = false;
	spin_unlock_irqrestore(&tty->lock, flags);
	/* Readers re-evaluate: a mode switch can make input readable. */
	wake_up(&tty->wq);
	return 0;
}

static long tty_get_termios2(struct tty *tty, unsigned long arg)
{
	struct termios2 t2;
	unsigned long flags = spin_lock_irqsave(&tty->lock);
	const struct termios *t = &tty->ld.termios;

	memset(&t2, 0, sizeof(t2));
	t2.c_iflag = t->c_iflag;
	t2.c_oflag = t->c_oflag;
	t2.c_cflag = t->c_cflag;
	t2.c_lflag = t->c_lflag;
	t2.c_line = t->c_line;
	memcpy(t2.c_cc, t->c_cc, sizeof(t2.c_cc));
	spin_unlock_irqrestore(&tty->lock, flags);
	t2.c_ispeed = t2.c_ospeed = 115200;
	return vfs_buf_to(VFS_UBUF(arg), 0, &t2, sizeof(t2));
}

static long tty_set_termios2(struct tty *tty, unsigned long arg, bool flush)
{
	struct termios2 t2;
	struct termios t;

	if (vfs_buf_from(&t2, VFS_UBUF(arg), 0, sizeof(t2)))
		return -EFAULT;
	memset(&t, 0, sizeof(t));
	t.c_iflag = t2.c_iflag;
	t.c_oflag = t2.c_oflag;
	t.c_cflag = t2.c_cflag;
	t.c_lflag = t2.c_lflag;
	t.c_line = t2.c_line;
	memcpy(t.c_cc, t2.c_cc, sizeof(t.c_cc));
	return tty_set_termios(tty, &t, flush);
}

/* TIOCSCTTY: a session leader without a controlling terminal takes this
 * one; from another session only if steal and the caller is privileged. */
static long tty_set_ctty(struct tty *tty, unsigned long steal)
{
	const struct tty_signal_ops *ops = ops_get();
	unsigned long flags;
	u32 pid, pgid, sid;
	long err = 0;

	if (!ops || !ops->current_ids(&pid, &pgid, &sid))
		return -EPERM;
	if (pid != sid)
		return -EPERM;
	flags = spin_lock_irqsave(&tty->lock);
	if (tty->session == sid)
		goto out_unlock;
	if (tty->session && !(steal == 1 && ops->capable_admin())) {
		err = -EPERM;
		goto out_unlock;
	}
	tty->session = sid;
	tty->pgrp = pgid;
out_unlock:
	spin_unlock_irqrestore(&tty->lock, flags);
	return err;
}

/* TIOCNOTTY: the session leader gives the terminal up (its foreground
 * group is hung up, as when the leader exits). A process's controlling
 * terminal is its session's, so other members cannot drop it alone. */
static long tty_drop_ctty(struct tty *tty)
{
	u32 pid, pgid, sid;

	if (!tty_is_ctty(tty, &pid, &pgid, &sid))
		return -ENOTTY;
	if (pid != sid)
		return -EOPNOTSUPP;
	tty_session_exit(sid);
	return 0;
}

static long tty_set_pgrp(struct tty *tty, unsigned long arg)
{
	const struct tty_signal_ops *ops = ops_get();
	unsigned long flags;
	u32 pid, pgid, sid;
	int pgrp;
	long err;

	if (!tty_is_ctty(tty, &pid, &pgid, &sid))
		return -ENOTTY;
	err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	if (vfs_buf_from(&pgrp, VFS_UBUF(arg), 0, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (!ops->pgrp_in_session((u32)pgrp, sid))
		return -EPERM;
	flags = spin_lock_irqsave(&tty->lock);
	if (tty->session == sid)
		tty->pgrp = (u32)pgrp;
	else
		err = -ENOTTY;
	spin_unlock_irqrestore(&tty->lock, flags);
	return err;
}

static long tty_get_winsize(struct tty *tty, unsigned long arg)
{
	unsigned long flags = spin_lock_irqsave(&tty->lock);
	struct winsize ws = tty->winsize;

	spin_unlock_irqrestore(&tty->lock, flags);
	return vfs_buf_to(VFS_UBUF(arg), 0, &ws, sizeof(ws));
}

static long tty_set_winsize(struct tty *tty, unsigned long arg)
{
	struct winsize ws;
	unsigned long flags;
	bool changed;
	u32 fg;

	if (vfs_buf_from(&ws, VFS_UBUF(arg), 0, sizeof(ws)))
		return -EFAULT;
	flags = spin_lock_irqsave(&tty->lock);
	changed = memcmp(&ws, &tty->winsize, sizeof(ws));
	tty->winsize = ws;
	fg = tty->pgrp;
	spin_unlock_irqrestore(&tty->lock, flags);
	if (changed && fg && ops_get())
		ops_get()->send_to_pgrp(fg, SIGWINCH);
	return 0;
}

static long tty_flow(struct tty *tty, unsigned long arg)
{
	unsigned long flags;
	char c;
	long err = tty_job_check(tty, SIGTTOU);

	if (err)
		return err;
	flags = spin_lock_irqsave(&tty->lock);
	switch (arg) {
	case TCOOFF:
		tty->ld.stopped = true;
		break;
	case TCOON:
		tty->ld.stopped = false;
		break;
	case TCIOFF:
	case TCION:
		/* Ask the other end to stop or start sending. */
		c = (char)tty->ld.termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		if (c)
			console_write_raw(&c, 1);
		break;
	default:
		err = -EINVAL;
	}
	spin_unlock_irqrestore(&tty->lock, flags);
	wake_up(&tty->wq);
	return err;
}

static long tty_flush(struct tty *tty, unsigned long arg)
{
	unsigned long flags;
	long err = tty_job_check(tty, SIGTTOU);

	if (err)
		return err;
	if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
		return -EINVAL;
	/* Output never waits in a queue: there is nothing to discard. */
	if (arg == TCOFLUSH)
		return 0;
	flags = spin_lock_irqsave(&tty->lock);
	ldisc_flush_input(&tty->ld);
	spin_unlock_irqrestore(&tty->lock, flags);
	return 0;
}

static long tty_get_serial(unsigned long arg)
{
	struct serial_struct ss;
	u16 port = serial_console_port();

	memset(&ss, 0, sizeof(ss));
	ss.type = PORT_16550A;
	ss.line = (port == 0x2f8 || port == 0x2e8) + 2 * (port == 0x3e8 || port == 0x2e8);
	ss.port = port;
	ss.irq = port == 0x3f8 || port == 0x3e8 ? 4 : 3;
	ss.xmit_fifo_size = 16;
	ss.baud_base = 115200;
	return vfs_buf_to(VFS_UBUF(arg), 0, &ss, sizeof(ss));
}

static long tty_get_int(struct tty *tty, unsigned long arg, unsigned cmd)
{
	unsigned long flags;
	u32 pid, pgid, sid;
	int v = 0;

	if ((cmd == TIOCGPGRP || cmd == TIOCGSID) && !tty_is_ctty(tty, &pid, &pgid, &sid))
		return -ENOTTY;
	flags = spin_lock_irqsave(&tty->lock);
	switch (cmd) {
	case TIOCGPGRP:
		v = (int)tty->pgrp;
		break;
	case TIOCGSID:
		v = (int)tty->session;
		break;
	case FIONREAD:
		v = (int)ldisc_readable(&tty->ld);
		break;
	case TIOCOUTQ:          /* output is never queued */
	case TIOCGETD:          /* N_TTY, the only discipline */
		v = 0;
		break;
	}
	spin_unlock_irqrestore(&tty->lock, flags);
	return vfs_buf_to(VFS_UBUF(arg), 0, &v, sizeof(v));
}

static long tty_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct tty *tty = &console_tty;
	struct termios t;
	unsigned long flags;

	switch (cmd) {
	case TCGETS:
		flags = spin_lock_irqsave(&tty->lock);
		t = tty->ld.termios;
		spin_unlock_irqrestore(&tty->lock, flags);
		return vfs_buf_to(VFS_UBUF(arg), 0, &t, sizeof(t));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		if (vfs_buf_from(&t, VFS_UBUF(arg), 0, sizeof(t)))
			return -EFAULT;
		return tty_set_termios(tty, &t, cmd == TCSETSF);
	case TCGETS2:
		return tty_get_termios2(tty, arg);
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		return tty_set_termios2(tty, arg, cmd == TCSETSF2);
	case TIOCGWINSZ:
		return tty_get_winsize(tty, arg);
	case TIOCSWINSZ:
		return tty_set_winsize(tty, arg);
	case TIOCGPGRP:
	case TIOCGSID:
	case FIONREAD:
	case TIOCOUTQ:
	case TIOCGETD:
		return tty_get_int(tty, arg, cmd);
	case TIOCSPGRP:
		return tty_set_pgrp(tty, arg);
	case TIOCSCTTY:
		return tty_set_ctty(tty, arg);
	case TIOCNOTTY:
		return tty_drop_ctty(tty);
	case TCFLSH:
		return tty_flush(tty, arg);
	case TCXONC:
		return tty_flow(tty, arg);
	case TCSBRK:
	case TCSBRKP:
		/* tcdrain() is TCSBRK with a nonzero argument: output is
		 * already out. A real break is not supported on the console. */
		return arg ? 0 : -EOPNOTSUPP;
	case TIOCGSERIAL:
		return tty_get_serial(arg);
	default:
		return -ENOTTY;
	}
}

/* ---- the device files ---------------------------------------------------- */

/*
 * /dev/tty is the caller's controlling terminal: -ENXIO for a process
 * without one (the kernel itself may always open it).
 * /dev/ttyS0 becomes the controlling terminal of a session leader that
 * has none when the terminal is free (unless O_NOCTTY); /dev/console
 * never does, as on Linux (init gives it to a shell with TIOCSCTTY).
 */
static int tty_open(struct inode *inode, struct file *f)
{
	struct tty *tty = &console_tty;
	u32 pid, pgid, sid;
	unsigned long flags;

	if (MAJOR(inode->i_rdev) == TTY_MAJOR && MINOR(inode->i_rdev) == 0)
		return tty_is_ctty(tty, &pid, &pgid, &sid) || !pid ? 0 : -ENXIO;
	if (MAJOR(inode->i_rdev) != TTYS_MAJOR || (f->f_flags & O_NOCTTY) ||
	    tty_is_ctty(tty, &pid, &pgid, &sid) || !sid || pid != sid)
		return 0;
	flags = spin_lock_irqsave(&tty->lock);
	if (!tty->session) {
		tty->session = sid;
		tty->pgrp = pgid;
	}
	spin_unlock_irqrestore(&tty->lock, flags);
	return 0;
}

static ssize_t tty_fread(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return tty_do_read(&console_tty, buf, len, READ_ONCE(f->f_flags) & O_NONBLOCK);
}

static ssize_t tty_fwrite(struct file *f, struct vfs_buf buf, size_t len, u64 *pos)
{
	return tty_do_write(&console_tty, buf, len, READ_ONCE(f->f_flags) & O_NONBLOCK);
}

static const struct file_operations tty_fops = {
	.open = tty_open,
	.read = tty_fread,
	.write = tty_fwrite,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};

int tty_register_devices(void)
{
	u16 port = serial_console_port();
	u32 line = port == 0x2f8 ? 1 : port == 0x3e8 ? 2 : port == 0x2e8 ? 3 : 0;
	int err = chrdev_register(MKDEV(TTY_MAJOR, 0), 2, "tty", &tty_fops);

	if (!err && port)
		err = chrdev_register(MKDEV(TTYS_MAJOR, TTYS_MINOR0 + line), 1,
				      "ttyS", &tty_fops);
	return err;
}

/* ---- set-up -------------------------------------------------------------- */

static void tty_parse_winsize(struct winsize *ws, const char *cmdline)
{
	char val[32], *x;
	unsigned long long cols, rows;

	ws->ws_col = 80;
	ws->ws_row = 24;
	if (!cmdline || !cmdline_get(cmdline, "tty.winsize", val, sizeof(val)))
		return;
	x = strchr(val, 'x');
	if (x)
		*x++ = '\0';
	if (!x || kstrtoull(val, 10, &cols) || kstrtoull(x, 10, &rows) ||
	    !cols || !rows || cols > 0xffff || rows > 0xffff) {
		pr_warn("tty: tty.winsize wants COLSxROWS; using 80x24\n");
		return;
	}
	ws->ws_col = (unsigned short)cols;
	ws->ws_row = (unsigned short)rows;
}

int tty_init(const char *cmdline)
{
	struct tty *tty = &console_tty;

	ldisc_init(&tty->ld, tty_emit, tty_isig, tty);
	tty_parse_winsize(&tty->winsize, cmdline);
	if (!serial_console_port())
		return -ENODEV;
	serial_rx_set_hook(tty_rx_hook, tty);
	/* Bytes that arrived before the hook was set. */
	tty_input(tty, NULL, 0);
	pr_info("tty: console terminal on the serial line, %ux%u\n",
		tty->winsize.ws_col, tty->winsize.ws_row);
	return 0;
}
