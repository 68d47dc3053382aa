/*
 * /proc/PID: one directory per task, from the scheduler's task list, in
 * the formats busybox ps and top parse (proc(5)). Every file looks its
 * task up by pid when it is opened; a task that has gone is -ENOENT.
 *
 * Vireo's tasks are kernel threads so far, and these files show them as
 * Linux shows its kernel threads: empty cmdline, environ and maps (ps
 * prints "[name]"), no exe, "/" as cwd, an empty fd/ directory, parent 0.
 * Their CPU time is all system time.
 */
#include "fs/procfs/internal.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/sched.h"

/* Linux's PF_KTHREAD (include/linux/sched.h), in the stat flags field. */
#define PROC_PF_KTHREAD 0x00200000u

struct task_snap {
	u32 tid;
	bool found;
	char name[TASK_NAME_LEN];
	enum task_state state;
	u32 cpu;
	u64 runtime_ns;
};

static void snap_one(const struct task *t, void *arg)
{
	struct task_snap *s = arg;

	if (s->found || t->tid != s->tid || sched_task_is_idle(t))
		return;
	s->found = true;
	memcpy(s->name, t->name, sizeof(s->name));
	s->name[sizeof(s->name) - 1] = 0;
	s->state = t->state;
	s->cpu = t->cpu;
	s->runtime_ns = sched_task_runtime_cycles(t);
}

/* Copy what the files show while the task list lock is held. */
static int task_snap(u64 pid, struct task_snap *s)
{
	memset(s, 0, sizeof(*s));
	if (pid > 0xffffffffu)
		return -ENOENT;
	s->tid = (u32)pid;
	sched_for_each_task(snap_one, s);
	if (!s->found)
		return -ENOENT;
	s->runtime_ns = procfs_cycles_to_ns(s->runtime_ns);
	return 0;
}

static const char *task_state_name(enum task_state st)
{
	switch (st) {
	case TASK_RUNNABLE: return "R (running)";
	case TASK_SLEEPING: return "S (sleeping)";
	case TASK_UNINTERRUPTIBLE: return "D (disk sleep)";
	case TASK_DEAD: return "X (dead)";
	}
	return "? (unknown)";
}

static int pid_stat_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;
	int err = task_snap(n->num, &s);

	if (err)
		return err;
	/* The 52 fields of proc(5), 1-based: 1 pid, 2 comm, 3 state, 4 ppid,
	 * 5 pgrp, 6 session, 7 tty_nr, 8 tpgid, 9 flags, 10-13 faults,
	 * 14 utime, 15 stime, 16-17 children's, 18 priority, 19 nice,
	 * 20 num_threads, 21 itrealvalue, 22 starttime, 23 vsize, 24 rss,
	 * 25 rsslim, 26-52 addresses, signals and the rest. */
	pfs_printf(b, "%u (%s) %c 0 0 0 0 -1 %u 0 0 0 0 0 %llu 0 0 20 0 1 0 0 0 0 "
		   "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 0 %u 0 0 0 0 0 "
		   "0 0 0 0 0 0 0 0\n",
		   s.tid, s.name, task_state_char(s.state), PROC_PF_KTHREAD,
		   (unsigned long long)procfs_ns_to_ticks(s.runtime_ns), s.cpu);
	return 0;
}

static int pid_status_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;
	int err = task_snap(n->num, &s);

	if (err)
		return err;
	pfs_printf(b, "Name:\t%s\nUmask:\t0000\nState:\t%s\nTgid:\t%u\nNgid:\t0\n"
		   "Pid:\t%u\nPPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n"
		   "Gid:\t0\t0\t0\t0\nFDSize:\t0\nGroups:\t\nThreads:\t1\n"
		   "Cpus_allowed_list:\t%u\n", s.name, task_state_name(s.state),
		   s.tid, s.tid, s.cpu);
	return 0;
}

static int pid_comm_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;
	int err = task_snap(n->num, &s);

	if (!err)
		pfs_printf(b, "%s\n", s.name);
	return err;
}

/* Kernel threads have no command line, environment or user mappings. */
static int pid_empty_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;

	(void)b;
	return task_snap(n->num, &s);
}

/* Kernel threads run no program: Linux's readlink of exe fails too. */
static int pid_exe_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;
	int err = task_snap(n->num, &s);

	(void)b;
	return err ? err : -ENOENT;
}

static int pid_cwd_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;
	int err = task_snap(n->num, &s);

	if (!err)
		pfs_printf(b, "/");
	return err;
}

static int pid_mounts_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct task_snap s;
	int err = task_snap(n->num, &s);

	return err ? err : procfs_show_mounts(b);
}

static int pid_fd_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct task_snap s;

	(void)l;
	return task_snap(dir->num, &s);
}

static const struct pfs_ops pid_stat_ops = { .show = pid_stat_show };
static const struct pfs_ops pid_status_ops = { .show = pid_status_show };
static const struct pfs_ops pid_comm_ops = { .show = pid_comm_show };
static const struct pfs_ops pid_empty_ops = { .show = pid_empty_show };
static const struct pfs_ops pid_exe_ops = { .show = pid_exe_show };
static const struct pfs_ops pid_cwd_ops = { .show = pid_cwd_show };
static const struct pfs_ops pid_mounts_ops = { .show = pid_mounts_show };
static const struct pfs_ops pid_fd_ops = { .list = pid_fd_list };

static const struct {
	const char *name;
	const struct pfs_ops *ops;
	u32 mode;
} pid_entries[] = {
	{ "cmdline", &pid_empty_ops, S_IFREG | 0444 },
	{ "comm", &pid_comm_ops, S_IFREG | 0444 },
	{ "cwd", &pid_cwd_ops, S_IFLNK | 0777 },
	{ "environ", &pid_empty_ops, S_IFREG | 0400 },
	{ "exe", &pid_exe_ops, S_IFLNK | 0777 },
	{ "fd", &pid_fd_ops, S_IFDIR | 0500 },
	{ "maps", &pid_empty_ops, S_IFREG | 0444 },
	{ "mounts", &pid_mounts_ops, S_IFREG | 0444 },
	{ "stat", &pid_stat_ops, S_IFREG | 0444 },
	{ "status", &pid_status_ops, S_IFREG | 0444 },
};

static int pid_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct task_snap s;
	int err = task_snap(dir->num, &s);

	if (err)
		return err;
	for (size_t i = 0; i < sizeof(pid_entries) / sizeof(pid_entries[0]); i++) {
		struct pfs_node n = {
			.ops = pid_entries[i].ops, .mode = pid_entries[i].mode,
			.num = dir->num,
		};

		if (!pfs_emit(l, pid_entries[i].name, &n))
			break;
	}
	return 0;
}

const struct pfs_ops procfs_pid_dir_ops = { .list = pid_dir_list };

/* ---- the pids in the root directory ------------------------------------------ */

struct pid_walk {
	u32 *pids;
	u32 n, max;
};

static void pid_collect(const struct task *t, void *arg)
{
	struct pid_walk *w = arg;

	if (!sched_task_is_idle(t) && w->n < w->max)
		w->pids[w->n++] = t->tid;
}

int procfs_list_pids(struct pfs_lister *l)
{
	u32 total;
	struct pid_walk w;
	char name[12];

	procfs_nr_active(&total, NULL);
	/* Room for tasks started between the count and the walk. */
	w.max = total + 16;
	w.n = 0;
	w.pids = kmalloc(w.max * sizeof(*w.pids), GFP_KERNEL);
	if (!w.pids)
		return -ENOMEM;
	sched_for_each_task(pid_collect, &w);
	for (u32 i = 0; i < w.n; i++) {
		struct pfs_node n = {
			.ops = &procfs_pid_dir_ops, .mode = S_IFDIR | 0555,
			.num = w.pids[i],
		};

		ksnprintf(name, sizeof(name), "%u", w.pids[i]);
		if (!pfs_emit(l, name, &n))
			break;
	}
	kfree(w.pids);
	return 0;
}
