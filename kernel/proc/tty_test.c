/*
 * The console terminal through its device file: the termios and window
 * size ioctls with the kernel ABI's struct sizes (user buffers in a user
 * address space, as a process passes them), FIONREAD, O_NONBLOCK, the
 * VMIN/VTIME timers, keyboard signals and job control through a fake
 * process layer. Each test restores the terminal's settings and process
 * layer before it asserts.
 */
#include "kernel/proc/tty.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/err.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"
#include "vfs/vfs.h"
#include <asm/ioctls.h>
#include <asm/signal.h>
#include <asm-generic/poll.h>
#include <asm-generic/termios.h>

#define USER_VA 0x400000UL
#define UBUF ((unsigned long)USER_VA)

struct tty_kt {
	struct addr_space *as;
	u8 *kview;                      /* the user page, via the direct map */
	struct file *f;
	struct termios saved;
};

/* A user page at USER_VA (loaded) and /dev/console open read-write, its
 * termios saved. */
static bool kt_setup(struct tty_kt *k, u32 flags)
{
	phys_addr_t pa = pmm_alloc(0);

	k->as = as_create();
	if (!k->as || !pa ||
	    vmm_map(k->as, USER_VA, pa, PAGE_SIZE,
		    VM_READ | VM_WRITE | VM_USER | VM_OWNED)) {
		if (pa)
			pmm_free(pa, 0);
		if (k->as)
			as_destroy(k->as);
		return false;
	}
	k->kview = phys_to_virt(pa);
	memset(k->kview, 0xa5, PAGE_SIZE);
	k->f = vfs_open(vfs_kernel_ctx(), NULL, "/dev/console", O_RDWR | flags, 0);
	if (IS_ERR(k->f)) {
		as_destroy(k->as);
		return false;
	}
	as_switch(k->as);
	vfs_ioctl(k->f, TCGETS, UBUF);
	memcpy(&k->saved, k->kview, sizeof(k->saved));
	return true;
}

static long kt_ioctl(struct tty_kt *k, unsigned cmd, const void *in, size_t n)
{
	if (in)
		memcpy(k->kview, in, n);
	return vfs_ioctl(k->f, cmd, UBUF);
}

/* Settings from the saved ones with lflag bits changed and VMIN/VTIME. */
static long kt_mode(struct tty_kt *k, u32 lflag_off, u8 vmin, u8 vtime)
{
	struct termios t = k->saved;

	t.c_lflag &= ~lflag_off;
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	return kt_ioctl(k, TCSETSF, &t, sizeof(t));
}

static void kt_teardown(struct tty_kt *k)
{
	kt_ioctl(k, TCSETSF, &k->saved, sizeof(k->saved));
	as_switch(&kernel_as);
	file_put(k->f);
	as_destroy(k->as);
}

KTEST(tty_termios_roundtrip_kernel_abi)
{
	struct tty_kt k;
	struct termios t, got;
	struct termios2 t2;
	long get, set, get2, bad, unknown;
	u8 after;

	KT_ASSERT(kt_setup(&k, 0));
	memset(k.kview, 0xa5, 64);
	get = kt_ioctl(&k, TCGETS, NULL, 0);
	memcpy(&t, k.kview, sizeof(t));
	/* struct termios is 36 bytes in the kernel ABI (glibc's is 60). */
	after = k.kview[sizeof(struct termios)];
	got = t;
	got.c_lflag &= ~(ICANON | ECHO);
	got.c_iflag &= ~ICRNL;
	got.c_cc[VMIN] = 3;
	got.c_cc[VTIME] = 7;
	got.c_cc[VINTR] = 0x07;
	set = kt_ioctl(&k, TCSETS, &got, sizeof(got));
	memset(k.kview, 0, 64);
	kt_ioctl(&k, TCGETS, NULL, 0);
	memcpy(&got, k.kview, sizeof(got));
	get2 = kt_ioctl(&k, TCGETS2, NULL, 0);
	memcpy(&t2, k.kview, sizeof(t2));
	bad = vfs_ioctl(k.f, TCGETS, USER_VA + PAGE_SIZE - 8);
	unknown = vfs_ioctl(k.f, 0x54ff, UBUF);
	kt_teardown(&k);

	KT_ASSERT_EQ(sizeof(struct termios), 36);
	KT_ASSERT_EQ(get, 0);
	KT_ASSERT_EQ(after, 0xa5);
	KT_ASSERT(t.c_lflag & ICANON);
	KT_ASSERT(t.c_lflag & ECHO);
	KT_ASSERT(t.c_lflag & ISIG);
	KT_ASSERT(t.c_iflag & ICRNL);
	KT_ASSERT(t.c_oflag & ONLCR);
	KT_ASSERT_EQ(t.c_cc[VINTR], 3);
	KT_ASSERT_EQ(t.c_cc[VERASE], 0x7f);
	KT_ASSERT_EQ(t.c_cc[VEOF], 4);
	KT_ASSERT_EQ(t.c_cc[VMIN], 1);
	KT_ASSERT_EQ(set, 0);
	KT_ASSERT(!(got.c_lflag & (ICANON | ECHO)));
	KT_ASSERT(!(got.c_iflag & ICRNL));
	KT_ASSERT_EQ(got.c_cc[VMIN], 3);
	KT_ASSERT_EQ(got.c_cc[VTIME], 7);
	KT_ASSERT_EQ(got.c_cc[VINTR], 0x07);
	KT_ASSERT_EQ(get2, 0);
	KT_ASSERT_EQ(t2.c_lflag, got.c_lflag);
	KT_ASSERT_EQ(t2.c_cc[VTIME], 7);
	KT_ASSERT_EQ(t2.c_ospeed, 115200);
	KT_ASSERT_EQ(bad, -EFAULT);
	KT_ASSERT_EQ(unknown, -ENOTTY);
}

KTEST(tty_winsize_get_set)
{
	struct tty_kt k;
	struct winsize def, ws = { .ws_row = 50, .ws_col = 132 }, got;
	long g, s;

	KT_ASSERT(kt_setup(&k, 0));
	g = kt_ioctl(&k, TIOCGWINSZ, NULL, 0);
	memcpy(&def, k.kview, sizeof(def));
	s = kt_ioctl(&k, TIOCSWINSZ, &ws, sizeof(ws));
	memset(k.kview, 0, sizeof(got));
	kt_ioctl(&k, TIOCGWINSZ, NULL, 0);
	memcpy(&got, k.kview, sizeof(got));
	kt_ioctl(&k, TIOCSWINSZ, &def, sizeof(def));
	kt_teardown(&k);

	KT_ASSERT_EQ(g, 0);
	KT_ASSERT(def.ws_col > 0 && def.ws_row > 0);
	KT_ASSERT_EQ(s, 0);
	KT_ASSERT_EQ(got.ws_col, 132);
	KT_ASSERT_EQ(got.ws_row, 50);
}

static ssize_t kt_read(struct tty_kt *k, size_t len)
{
	return vfs_read(k->f, VFS_UBUF(UBUF), len, NULL);
}

KTEST(tty_fionread_nonblock_and_canonical_read)
{
	struct tty_kt k;
	long n1, n2, tcfl;
	ssize_t r1, r2, r3, r4, r5;
	char line[8];

	KT_ASSERT(kt_setup(&k, O_NONBLOCK));
	kt_mode(&k, ECHO, 1, 0);
	r1 = kt_read(&k, 16);
	tty_receive("hel", 3);
	r2 = kt_read(&k, 16);               /* no whole line yet */
	tty_receive("lo\x7f\r", 4);
	kt_ioctl(&k, FIONREAD, NULL, 0);
	memcpy(&n1, k.kview, sizeof(int));
	r3 = kt_read(&k, 16);
	memcpy(line, k.kview, sizeof(line));
	tty_receive("\x04", 1);
	r4 = kt_read(&k, 16);               /* ^D on an empty line */
	tty_receive("junk\n", 5);
	tcfl = vfs_ioctl(k.f, TCFLSH, TCIFLUSH);
	r5 = kt_read(&k, 16);
	kt_ioctl(&k, FIONREAD, NULL, 0);
	memcpy(&n2, k.kview, sizeof(int));
	kt_teardown(&k);

	KT_ASSERT_EQ(r1, -EAGAIN);
	KT_ASSERT_EQ(r2, -EAGAIN);
	KT_ASSERT_EQ((int)n1, 5);
	KT_ASSERT_EQ(r3, 5);
	KT_ASSERT(!memcmp(line, "hell\n", 5));
	KT_ASSERT_EQ(r4, 0);
	KT_ASSERT_EQ(tcfl, 0);
	KT_ASSERT_EQ(r5, -EAGAIN);
	KT_ASSERT_EQ((int)n2, 0);
}

KTEST(tty_vmin_vtime)
{
	struct tty_kt k;
	ssize_t r_poll, r_timeout, r_min, r_interbyte;
	u64 t0, t_timeout, t_interbyte;

	KT_ASSERT(kt_setup(&k, 0));
	/* MIN 0, TIME 0: a poll. */
	kt_mode(&k, ICANON | ECHO, 0, 0);
	r_poll = kt_read(&k, 8);
	/* MIN 0, TIME 2: 0 after 0.2 s with nothing typed. */
	kt_mode(&k, ICANON | ECHO, 0, 2);
	t0 = ktime_get();
	r_timeout = kt_read(&k, 8);
	t_timeout = ktime_get() - t0;
	/* MIN 3, TIME 0: three bytes there, four asked for. */
	kt_mode(&k, ICANON | ECHO, 3, 0);
	tty_receive("abc", 3);
	r_min = kt_read(&k, 4);
	/* MIN 5, TIME 1: one byte, then the inter-byte timer (0.1 s). */
	kt_mode(&k, ICANON | ECHO, 5, 1);
	tty_receive("z", 1);
	t0 = ktime_get();
	r_interbyte = kt_read(&k, 8);
	t_interbyte = ktime_get() - t0;
	kt_teardown(&k);

	KT_ASSERT_EQ(r_poll, 0);
	KT_ASSERT_EQ(r_timeout, 0);
	KT_ASSERT(t_timeout >= 200 * NSEC_PER_MSEC);
	KT_ASSERT(t_timeout < 2000 * NSEC_PER_MSEC);
	KT_ASSERT_EQ(r_min, 3);
	KT_ASSERT_EQ(r_interbyte, 1);
	KT_ASSERT(t_interbyte >= 100 * NSEC_PER_MSEC);
	KT_ASSERT(t_interbyte < 2000 * NSEC_PER_MSEC);
}

/* A fake process layer: the caller is pid/pgid/sid as set below. */
static struct {
	u32 pid, pgid, sid;
	bool ignored, orphaned, in_session;
	u32 sent_pgid[8];
	int sent_sig[8];
	int nsent;
	bool pending;
} fake;

static void fake_send(u32 pgid, int sig)
{
	if (fake.nsent < 8) {
		fake.sent_pgid[fake.nsent] = pgid;
		fake.sent_sig[fake.nsent++] = sig;
	}
	fake.pending = pgid == fake.pgid;
}

static bool fake_ids(u32 *pid, u32 *pgid, u32 *sid)
{
	*pid = fake.pid;
	*pgid = fake.pgid;
	*sid = fake.sid;
	return true;
}

static int fake_pending(void)
{
	return fake.pending ? -EINTR : 0;
}

static bool fake_ignored(int sig) { return fake.ignored; }
static bool fake_orphaned(u32 pgid) { return fake.orphaned; }
static bool fake_in_session(u32 pgid, u32 sid) { return fake.in_session; }
static bool fake_admin(void) { return false; }

static const struct tty_signal_ops fake_ops = {
	.send_to_pgrp = fake_send,
	.current_ids = fake_ids,
	.signal_pending = fake_pending,
	.sig_ignored = fake_ignored,
	.pgrp_orphaned = fake_orphaned,
	.pgrp_in_session = fake_in_session,
	.capable_admin = fake_admin,
};

KTEST(tty_job_control_and_keyboard_signals)
{
	const struct tty_signal_ops *old;
	struct tty_kt k;
	long ctty, ctty_other, gpgrp, gsid, spgrp_eperm, spgrp, notty_member;
	ssize_t r_fg, r_bg, r_ignored, r_orphan;
	int pg = 0, fg_pg = 0, sid = 0, nsent_before_bg;

	KT_ASSERT(kt_setup(&k, O_NONBLOCK));
	kt_mode(&k, ECHO, 1, 0);
	memset(&fake, 0, sizeof(fake));
	old = tty_set_signal_ops(&fake_ops);
	/* Session leader 40 takes the terminal; its group is in front. */
	fake.pid = fake.pgid = fake.sid = 40;
	ctty = vfs_ioctl(k.f, TIOCSCTTY, 0);
	gpgrp = kt_ioctl(&k, TIOCGPGRP, NULL, 0);
	memcpy(&fg_pg, k.kview, sizeof(fg_pg));
	gsid = kt_ioctl(&k, TIOCGSID, NULL, 0);
	memcpy(&sid, k.kview, sizeof(sid));
	/* ^C, ^\ and ^Z go to the foreground group. */
	tty_receive("\x03\x1c\x1a", 3);
	r_fg = kt_read(&k, 8);
	fake.pending = false;
	/* Another session's leader cannot take it. */
	fake.pid = fake.pgid = fake.sid = 50;
	ctty_other = vfs_ioctl(k.f, TIOCSCTTY, 0);
	/* A background group of session 40 reading: SIGTTIN, -EINTR. */
	fake.pid = 41;
	fake.pgid = 41;
	fake.sid = 40;
	nsent_before_bg = fake.nsent;
	r_bg = kt_read(&k, 8);
	fake.pending = false;
	fake.ignored = true;
	r_ignored = kt_read(&k, 8);
	fake.ignored = false;
	fake.orphaned = true;
	r_orphan = kt_read(&k, 8);
	fake.orphaned = false;
	notty_member = vfs_ioctl(k.f, TIOCNOTTY, 0);
	/* The leader moves group 41 to the front (it must exist there). */
	fake.pid = fake.pgid = 40;
	pg = 41;
	spgrp_eperm = kt_ioctl(&k, TIOCSPGRP, &pg, sizeof(pg));
	fake.in_session = true;
	spgrp = kt_ioctl(&k, TIOCSPGRP, &pg, sizeof(pg));
	/* The leader exits: the foreground group is hung up. */
	tty_session_exit(40);
	tty_set_signal_ops(old);
	kt_teardown(&k);

	KT_ASSERT_EQ(ctty, 0);
	KT_ASSERT_EQ(gpgrp, 0);
	KT_ASSERT_EQ(fg_pg, 40);
	KT_ASSERT_EQ(gsid, 0);
	KT_ASSERT_EQ(sid, 40);
	KT_ASSERT_EQ(fake.sent_pgid[0], 40);
	KT_ASSERT_EQ(fake.sent_sig[0], SIGINT);
	KT_ASSERT_EQ(fake.sent_sig[1], SIGQUIT);
	KT_ASSERT_EQ(fake.sent_sig[2], SIGTSTP);
	KT_ASSERT_EQ(r_fg, -EAGAIN);
	KT_ASSERT_EQ(ctty_other, -EPERM);
	KT_ASSERT_EQ(r_bg, -EINTR);
	KT_ASSERT_EQ(nsent_before_bg, 3);
	KT_ASSERT_EQ(fake.sent_pgid[3], 41);
	KT_ASSERT_EQ(fake.sent_sig[3], SIGTTIN);
	KT_ASSERT_EQ(r_ignored, -EIO);
	KT_ASSERT_EQ(r_orphan, -EIO);
	KT_ASSERT_EQ(notty_member, -EOPNOTSUPP);
	KT_ASSERT_EQ(spgrp_eperm, -EPERM);
	KT_ASSERT_EQ(spgrp, 0);
	KT_ASSERT_EQ(fake.nsent, 6);
	KT_ASSERT_EQ(fake.sent_pgid[4], 41);
	KT_ASSERT_EQ(fake.sent_sig[4], SIGHUP);
	KT_ASSERT_EQ(fake.sent_sig[5], SIGCONT);
}

KTEST(tty_poll_readiness_and_ixon)
{
	struct tty_kt k;
	unsigned empty, line, raw2, raw3, stopped, started;

	KT_ASSERT(kt_setup(&k, O_NONBLOCK));
	kt_mode(&k, ECHO, 1, 0);
	empty = k.f->f_op->poll(k.f, NULL);
	tty_receive("ls\r", 3);
	line = k.f->f_op->poll(k.f, NULL);
	/* Non-canonical, MIN 3, no timer: readable at three bytes. */
	kt_mode(&k, ICANON | ECHO, 3, 0);
	tty_receive("ab", 2);
	raw2 = k.f->f_op->poll(k.f, NULL);
	tty_receive("c", 1);
	raw3 = k.f->f_op->poll(k.f, NULL);
	/* ^S stops output (IXON): not writable until ^Q. */
	tty_receive("\x13", 1);
	stopped = k.f->f_op->poll(k.f, NULL);
	tty_receive("\x11", 1);
	started = k.f->f_op->poll(k.f, NULL);
	kt_teardown(&k);

	KT_ASSERT_EQ(empty & (POLLIN | POLLOUT), POLLOUT);
	KT_ASSERT_EQ(line & (POLLIN | POLLOUT), POLLIN | POLLOUT);
	KT_ASSERT(!(raw2 & POLLIN));
	KT_ASSERT(raw3 & POLLIN);
	KT_ASSERT(!(stopped & POLLOUT));
	KT_ASSERT(started & POLLOUT);
}
