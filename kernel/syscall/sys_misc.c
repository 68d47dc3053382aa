/* System calls about the machine: names, time, randomness, power. */
#include "kernel/syscall/syscall.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/power.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/random.h"
#include "kernel/lib/string.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "fs/procfs/procfs.h"
#include "vfs/vfs.h"
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/sysinfo.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/utsname.h>

extern const char vireo_version[];

SYSCALL_DEFINE1(uname, struct new_utsname *, buf)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Vireo", sizeof(u.sysname));
	strlcpy(u.nodename, "vireo", sizeof(u.nodename));
	strlcpy(u.release, "6.1.0-vireo", sizeof(u.release));
	strlcpy(u.version, vireo_version, sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(buf, &u, sizeof(u));
}

SYSCALL_DEFINE1(sysinfo, struct sysinfo *, buf)
{
	struct sysinfo s;

	memset(&s, 0, sizeof(s));
	s.uptime = (long)(ktime_get() / NSEC_PER_SEC);
	s.totalram = pmm_total_count();
	s.freeram = pmm_free_count();
	s.procs = (u16)proc_count();
	s.mem_unit = PAGE_SIZE;
	procfs_fill_sysinfo(&s);
	return copy_to_user(buf, &s, sizeof(s));
}

SYSCALL_DEFINE4(reboot, u32, magic1, u32, magic2, u32, cmd, void *, arg)
{
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;
	if (current_proc()->euid != 0)
		return -EPERM;
	switch (cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
		pr_notice("reboot: power off (pid %u)\n", current_proc()->pid);
		vfs_sync_all();
		machine_power_off(0);
	case LINUX_REBOOT_CMD_RESTART:
		pr_notice("reboot: restarting (pid %u)\n", current_proc()->pid);
		vfs_sync_all();
		machine_reboot();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE3(getrandom, void *, buf, size_t, len, unsigned, flags)
{
	u8 chunk[256];
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, (size_t)33554431);       /* Linux's per-call cap */
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));

		get_random_bytes(chunk, n);
		if (copy_to_user((u8 *)buf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	memset(chunk, 0, sizeof(chunk));
	return (long)done;
}

static int clock_read(int clk, u64 *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = ktime_get_real();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = ktime_get();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: {
		u64 user, sys;

		proc_cputime(false, &user, &sys);
		*ns = user + sys;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static struct __kernel_timespec ns_to_ts(u64 ns)
{
	return (struct __kernel_timespec){ (s64)(ns / NSEC_PER_SEC), (s64)(ns % NSEC_PER_SEC) };
}

SYSCALL_DEFINE2(clock_gettime, int, clk, struct __kernel_timespec *, tp)
{
	struct __kernel_timespec ts;
	u64 ns;
	int err = clock_read(clk, &ns);

	if (err)
		return err;
	ts = ns_to_ts(ns);
	return copy_to_user(tp, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_getres, int, clk, struct __kernel_timespec *, tp)
{
	struct __kernel_timespec ts = { 0, 1 };
	u64 ns;
	int err = clock_read(clk, &ns);

	if (err)
		return err;
	return tp ? copy_to_user(tp, &ts, sizeof(ts)) : 0;
}

SYSCALL_DEFINE2(gettimeofday, struct __kernel_old_timeval *, tv, void *, tz)
{
	u64 ns = ktime_get_real();
	struct __kernel_old_timeval t = { (long)(ns / NSEC_PER_SEC),
					  (long)(ns % NSEC_PER_SEC / 1000) };

	if (tv && copy_to_user(tv, &t, sizeof(t)))
		return -EFAULT;
	if (tz && clear_user(tz, 2 * sizeof(int)))     /* struct timezone: UTC */
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(time, long *, tloc)
{
	long t = (long)(ktime_get_real() / NSEC_PER_SEC);

	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/* Sleep until the deadline on clock clk (ns since that clock's epoch),
 * absolute (TIMER_ABSTIME) or not; a signal ends it early (signal.h). */
static long sleep_until(int clk, u64 deadline, bool absolute,
			struct __kernel_timespec *rem)
{
	u64 now;

	if (clk == CLOCK_REALTIME) {
		now = ktime_get_real();
		if (deadline <= now)
			return 0;
		deadline = ktime_get() + (deadline - now);
	}
	return signal_nanosleep(deadline, rem, absolute);
}

static int read_ts(const struct __kernel_timespec *u, u64 *ns)
{
	struct __kernel_timespec ts;

	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = (u64)ts.tv_sec > ~0ULL / NSEC_PER_SEC / 2 ? ~0ULL / 2 :
	      (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	return 0;
}

SYSCALL_DEFINE2(nanosleep, const struct __kernel_timespec *, req,
		struct __kernel_timespec *, rem)
{
	u64 ns;
	int err = read_ts(req, &ns);

	if (err)
		return err;
	return sleep_until(CLOCK_MONOTONIC, ktime_get() + ns, false, rem);
}

SYSCALL_DEFINE4(clock_nanosleep, int, clk, int, flags,
		const struct __kernel_timespec *, req, struct __kernel_timespec *, rem)
{
	u64 ns, now;
	int err = clock_read(clk, &now);

	if (err)
		return err;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME)
		return -EINVAL;
	err = read_ts(req, &ns);
	if (err)
		return err;
	if (flags & TIMER_ABSTIME)
		return sleep_until(clk, ns, true, NULL);
	return sleep_until(CLOCK_MONOTONIC, ktime_get() + ns, false, rem);
}
