/*
 * /proc/PID: one directory per process, from the process layer's table
 * (proc_info_get), in the formats busybox ps and top parse (proc(5)).
 * Every file looks its process up by pid when it is opened, and holds the
 * address space, descriptor table or fs_struct only while formatting: a
 * process that has gone is -ENOENT, one that has exited but is not reaped
 * (a zombie) shows state Z and nothing it owned.
 *
 * Kernel threads are not processes here: they have task ids, not pids,
 * and the two number spaces overlap, so they are not listed (Linux's
 * kernel threads have pids; Vireo's do not).
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/vm.h"
#include "kernel/sched/sched.h"
#include <asm-generic/mman-common.h>
#include <linux/resource.h>

void procfs_reader_ctx(struct vfs_ctx *ctx)
{
	if (current_proc())
		proc_vfs_ctx(ctx);
	else
		*ctx = *vfs_kernel_ctx();
}

static const char *state_name(char st)
{
	switch (st) {
	case 'R': return "R (running)";
	case 'S': return "S (sleeping)";
	case 'D': return "D (disk sleep)";
	case 'T': return "T (stopped)";
	case 'Z': return "Z (zombie)";
	}
	return "X (dead)";
}

static u64 pid_rss_pages(const struct proc_info *pi)
{
	return pi->mm ? mm_resident_pages(pi->mm) : 0;
}

static u64 cycles_to_ticks(u64 cycles)
{
	return procfs_ns_to_ticks(procfs_cycles_to_ns(cycles));
}

static int pid_stat_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	int err = proc_info_get((u32)n->num, &pi);
	const struct mm *mm;
	u64 vsize;

	if (err)
		return err;
	mm = pi.mm;
	vsize = pi.mm ? mm_virtual_size(pi.mm) : 0;
	/* The 52 fields of proc(5), 1-based: 1 pid, 2 comm, 3 state, 4 ppid,
	 * 5 pgrp, 6 session, 7 tty_nr, 8 tpgid, 9 flags, 10-13 faults,
	 * 14 utime, 15 stime, 16-17 children's, 18 priority, 19 nice,
	 * 20 num_threads, 21 itrealvalue, 22 starttime (ticks after boot),
	 * 23 vsize (bytes), 24 rss (pages), 25 rsslim, 26-28 code and stack,
	 * 29-30 esp/eip, 31-34 signal masks, 35 wchan, 36-37 nswap,
	 * 38 exit_signal, 39 processor, 40 rt_priority, 41 policy,
	 * 42 blkio ticks, 43-44 guest time, 45-47 data and brk,
	 * 48-51 arguments and environment, 52 exit_code. */
	pfs_printf(b, "%u (%s) %c %u %u %u 0 -1 0 0 0 0 0 %llu %llu %llu %llu 20 0 1 0 %llu "
		   "%llu %llu %llu 0 0 0 0 0 %llu %llu %llu %llu 0 0 0 %d %u 0 0 0 0 0 "
		   "0 0 %llu %llu %llu %llu %llu 0\n",
		   pi.pid, pi.comm, pi.state, pi.ppid, pi.pgid, pi.sid,
		   (unsigned long long)cycles_to_ticks(pi.user_cycles),
		   (unsigned long long)cycles_to_ticks(pi.sys_cycles),
		   (unsigned long long)cycles_to_ticks(pi.child_user_cycles),
		   (unsigned long long)cycles_to_ticks(pi.child_sys_cycles),
		   (unsigned long long)procfs_ns_to_ticks(pi.start_ns),
		   (unsigned long long)vsize, (unsigned long long)pid_rss_pages(&pi),
		   (unsigned long long)RLIM_INFINITY,
		   (unsigned long long)pi.sigpending, (unsigned long long)pi.sigmask,
		   (unsigned long long)pi.sigignored, (unsigned long long)pi.sigcaught,
		   pi.exit_signal, pi.cpu,
		   (unsigned long long)(mm ? mm->brk_start : 0),
		   (unsigned long long)(mm ? mm->arg_start : 0),
		   (unsigned long long)(mm ? mm->arg_end : 0),
		   (unsigned long long)(mm ? mm->env_start : 0),
		   (unsigned long long)(mm ? mm->env_end : 0));
	proc_info_put(&pi);
	return 0;
}

/* The CPUs pid may run on, as Linux's status shows them: a hex mask of
 * one digit per four CPUs in 32-bit groups, high group first ("3"), then
 * the list ("0-1"). */
static void status_cpus(struct pfs_buf *b, u32 pid)
{
	u32 words = sched_cpumask_words(), n = cpu_count();
	u64 *m = kzalloc(words * sizeof(u64), GFP_KERNEL);
	const char *sep = "";

	if (!m || proc_get_affinity((int)pid, m)) {
		kfree(m);
		return;
	}
	pfs_printf(b, "Cpus_allowed:\t");
	for (int g = (int)((n + 31) / 32) - 1; g >= 0; g--) {
		u32 bits = (u32)(m[g / 2] >> (g % 2 * 32));
		u32 width = (u32)g == (n - 1) / 32 ? ((n - 1) % 32 + 4) / 4 : 8;

		pfs_printf(b, "%s%0*x", g == (int)(n - 1) / 32 ? "" : ",", (int)width, bits);
	}
	pfs_printf(b, "\nCpus_allowed_list:\t");
	for (u32 id = 0; id < n; id++) {
		u32 end = id;

		if (!(m[id / 64] >> (id % 64) & 1))
			continue;
		while (end + 1 < n && (m[(end + 1) / 64] >> ((end + 1) % 64) & 1))
			end++;
		if (end == id)
			pfs_printf(b, "%s%u", sep, id);
		else
			pfs_printf(b, "%s%u-%u", sep, id, end);
		sep = ",";
		id = end;
	}
	pfs_printf(b, "\n");
	kfree(m);
}

static int pid_status_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	pfs_printf(b, "Name:\t%s\nState:\t%s\nTgid:\t%u\nNgid:\t0\n"
		   "Pid:\t%u\nPPid:\t%u\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\n"
		   "Gid:\t%u\t%u\t%u\t%u\nGroups:\t\n",
		   pi.comm, state_name(pi.state), pi.pid, pi.pid, pi.ppid,
		   pi.uid, pi.euid, pi.suid, pi.euid, pi.gid, pi.egid, pi.sgid,
		   pi.egid);
	if (pi.mm)
		pfs_printf(b, "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\n",
			   (unsigned long long)(mm_virtual_size(pi.mm) / 1024),
			   (unsigned long long)(pid_rss_pages(&pi) * (PAGE_SIZE / 1024)));
	pfs_printf(b, "Threads:\t1\nSigPnd:\t%016llx\nSigBlk:\t%016llx\n"
		   "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		   (unsigned long long)pi.sigpending, (unsigned long long)pi.sigmask,
		   (unsigned long long)pi.sigignored, (unsigned long long)pi.sigcaught);
	proc_info_put(&pi);
	status_cpus(b, (u32)n->num);
	return 0;
}

static int pid_comm_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	pfs_printf(b, "%s\n", pi.comm);
	proc_info_put(&pi);
	return 0;
}

/* cmdline and environ: the strings exec left in the process's memory,
 * as they are now (obj2 set: environ). */
enum { PID_ARGS, PID_ENV };

static int pid_strings_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	int err = proc_info_get((u32)n->num, &pi);
	uintptr_t start, end;
	char *dst;

	if (err)
		return err;
	if (pi.mm) {
		start = n->obj2 ? pi.mm->env_start : pi.mm->arg_start;
		end = n->obj2 ? pi.mm->env_end : pi.mm->arg_end;
		if (end > start && end - start <= PFS_BUF_MAX / 2 &&
		    (dst = pfs_reserve(b, end - start)))
			pfs_commit(b, vm_read_direct(pi.mm, start, dst, end - start));
	}
	proc_info_put(&pi);
	return 0;
}

/* A file as Linux's fd and map_files links name it: its path from the
 * reader's root, or a kind and inode number for files outside the
 * namespace (pipes, sockets). */
static void show_file(struct pfs_buf *b, struct file *f)
{
	struct vfs_ctx ctx;
	char *dst;
	int len;

	if (!f->f_path.dentry) {
		u32 mode = f->f_inode->i_mode;

		pfs_printf(b, "%s:[%llu]", S_ISFIFO(mode) ? "pipe" :
			   S_ISSOCK(mode) ? "socket" : "anon_inode",
			   (unsigned long long)f->f_inode->i_ino);
		return;
	}
	procfs_reader_ctx(&ctx);
	dst = pfs_reserve(b, PATH_MAX);
	if (!dst)
		return;
	len = vfs_path_name(&ctx, &f->f_path, dst, PATH_MAX);
	if (len < 0)
		b->err = len;
	else
		pfs_commit(b, (size_t)len);
}

static int first_file_area(const struct vm_area *a, void *ctx)
{
	struct file **out = ctx;

	if (!a->file)
		return 0;
	*out = file_get(a->file);
	return 1;
}

/* The program's file is the lowest file mapping: exec maps the ELF's
 * segments first, below everything mmap hands out later. */
static int pid_exe_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	struct file *f = NULL;
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	if (pi.mm)
		vm_for_each_area(pi.mm, first_file_area, &f);
	proc_info_put(&pi);
	if (!f)
		return -ENOENT;
	show_file(b, f);
	file_put(f);
	return 0;
}

/* cwd: the process's working directory, named from the reader's root. */
static int pid_cwd_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	struct vfs_ctx ctx;
	int err = proc_info_get((u32)n->num, &pi);
	char *dst;

	if (err)
		return err;
	if (!pi.fs) {
		proc_info_put(&pi);
		return -ENOENT;
	}
	dst = pfs_reserve(b, PATH_MAX);
	if (dst) {
		procfs_reader_ctx(&ctx);
		ctx.fs = pi.fs;
		err = vfs_getcwd(&ctx, dst, PATH_MAX);
		/* getcwd counts the NUL. */
		if (err > 0)
			pfs_commit(b, (size_t)err - 1);
		err = err < 0 ? err : 0;
	}
	proc_info_put(&pi);
	return err;
}

static int pid_mounts_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	proc_info_put(&pi);
	return procfs_show_mounts(b);
}

/* ---- maps --------------------------------------------------------------- */

struct maps_walk {
	struct pfs_buf *b;
	uintptr_t brk_start, brk;
};

static int maps_one(const struct vm_area *a, void *arg)
{
	struct maps_walk *w = arg;
	struct pfs_buf *b = w->b;
	dev_t dev = 0;
	u64 ino = 0;
	size_t line_start = b->len;

	if (a->file && a->file->f_path.dentry) {
		dev = a->file->f_inode->i_sb->s_dev;
		ino = a->file->f_inode->i_ino;
	}
	pfs_printf(b, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %llu ",
		   (unsigned long)a->start, (unsigned long)a->end,
		   (a->prot & PROT_READ) ? 'r' : '-', (a->prot & PROT_WRITE) ? 'w' : '-',
		   (a->prot & PROT_EXEC) ? 'x' : '-', (a->flags & VMA_SHARED) ? 's' : 'p',
		   (unsigned long long)a->off, MAJOR(dev), MINOR(dev),
		   (unsigned long long)ino);
	if (a->file || (a->flags & (VMA_HEAP | VMA_STACK))) {
		/* Linux pads the name to column 73 (25 + 6 * sizeof(void *)). */
		while (!b->err && b->len - line_start < 73)
			pfs_write(b, " ", 1);
		if (a->file)
			show_file(b, a->file);
		else
			pfs_printf(b, "%s", (a->flags & VMA_HEAP) ? "[heap]" : "[stack]");
	}
	pfs_write(b, "\n", 1);
	return b->err;
}

static int pid_maps_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	struct maps_walk w = { .b = b };
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	if (pi.mm)
		err = vm_for_each_area(pi.mm, maps_one, &w);
	proc_info_put(&pi);
	return err;
}

/* ---- statm -------------------------------------------------------------- */

struct statm_walk {
	u64 size, text, data;           /* bytes */
};

static int statm_one(const struct vm_area *a, void *arg)
{
	struct statm_walk *w = arg;
	u64 len = a->end - a->start;

	w->size += len;
	/* proc(5): text is the program's code, data its data and stack
	 * (private writable memory). */
	if (a->file && (a->prot & PROT_EXEC))
		w->text += len;
	else if ((a->prot & PROT_WRITE) && !(a->flags & VMA_SHARED))
		w->data += len;
	return 0;
}

static int pid_statm_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	struct statm_walk w = { 0 };
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	if (pi.mm)
		vm_for_each_area(pi.mm, statm_one, &w);
	/* size resident shared text lib data dt, in pages; Vireo does not
	 * count shared resident pages apart (0), lib and dt are always 0. */
	pfs_printf(b, "%llu %llu 0 %llu 0 %llu 0\n",
		   (unsigned long long)(w.size / PAGE_SIZE),
		   (unsigned long long)pid_rss_pages(&pi),
		   (unsigned long long)(w.text / PAGE_SIZE),
		   (unsigned long long)(w.data / PAGE_SIZE));
	proc_info_put(&pi);
	return 0;
}

/* ---- fd/ ---------------------------------------------------------------- */

static int fd_of(const struct pfs_node *n)
{
	unsigned long long fd;

	return kstrtoull(n->key, 10, &fd) || fd > 0x7fffffffu ? -EBADF : (int)fd;
}

static int pid_fd_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc_info pi;
	struct file *f = ERR_PTR(-ENOENT);
	int err = proc_info_get((u32)n->num, &pi);

	if (err)
		return err;
	if (pi.files)
		f = fd_get(pi.files, fd_of(n));
	proc_info_put(&pi);
	if (IS_ERR(f))
		return -ENOENT;
	show_file(b, f);
	file_put(f);
	return 0;
}

static const struct pfs_ops pid_fd_link_ops = { .show = pid_fd_show };

static int pid_fd_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct proc_info pi;
	int err = proc_info_get((u32)dir->num, &pi);

	if (err)
		return err;
	for (int fd = pi.files ? fd_next(pi.files, 0) : -EBADF; fd >= 0;
	     fd = fd_next(pi.files, fd + 1)) {
		struct pfs_node n = {
			.ops = &pid_fd_link_ops, .mode = S_IFLNK | 0700, .num = dir->num,
		};

		ksnprintf(n.key, sizeof(n.key), "%d", fd);
		if (!pfs_emit(l, n.key, &n))
			break;
	}
	proc_info_put(&pi);
	return 0;
}

/* ---- the directory ------------------------------------------------------ */

static const struct pfs_ops pid_stat_ops = { .show = pid_stat_show };
static const struct pfs_ops pid_status_ops = { .show = pid_status_show };
static const struct pfs_ops pid_statm_ops = { .show = pid_statm_show };
static const struct pfs_ops pid_comm_ops = { .show = pid_comm_show };
static const struct pfs_ops pid_strings_ops = { .show = pid_strings_show };
static const struct pfs_ops pid_exe_ops = { .show = pid_exe_show };
static const struct pfs_ops pid_cwd_ops = { .show = pid_cwd_show };
static const struct pfs_ops pid_maps_ops = { .show = pid_maps_show };
static const struct pfs_ops pid_mounts_ops = { .show = pid_mounts_show };
static const struct pfs_ops pid_fd_ops = { .list = pid_fd_list };

/* obj2 non-NULL: environ rather than cmdline. */
static const char pid_alt;

static const struct {
	const char *name;
	const struct pfs_ops *ops;
	u32 mode;
	const void *obj2;
} pid_entries[] = {
	{ "cmdline", &pid_strings_ops, S_IFREG | 0444, NULL },
	{ "comm", &pid_comm_ops, S_IFREG | 0444, NULL },
	{ "cwd", &pid_cwd_ops, S_IFLNK | 0777, NULL },
	{ "environ", &pid_strings_ops, S_IFREG | 0400, &pid_alt },
	{ "exe", &pid_exe_ops, S_IFLNK | 0777, NULL },
	{ "fd", &pid_fd_ops, S_IFDIR | 0500, NULL },
	{ "maps", &pid_maps_ops, S_IFREG | 0444, NULL },
	{ "mounts", &pid_mounts_ops, S_IFREG | 0444, NULL },
	{ "stat", &pid_stat_ops, S_IFREG | 0444, NULL },
	{ "statm", &pid_statm_ops, S_IFREG | 0444, NULL },
	{ "status", &pid_status_ops, S_IFREG | 0444, NULL },
};

static int pid_dir_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	struct proc_info pi;
	int err = proc_info_get((u32)dir->num, &pi);

	if (err)
		return err;
	proc_info_put(&pi);
	for (size_t i = 0; i < sizeof(pid_entries) / sizeof(pid_entries[0]); i++) {
		struct pfs_node n = {
			.ops = pid_entries[i].ops, .mode = pid_entries[i].mode,
			.obj2 = pid_entries[i].obj2, .num = dir->num,
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

static void pid_collect(u32 pid, char state, void *arg)
{
	struct pid_walk *w = arg;

	(void)state;
	if (w->n < w->max)
		w->pids[w->n++] = pid;
}

int procfs_list_pids(struct pfs_lister *l)
{
	struct pid_walk w = { .max = proc_count() + 16 };
	char name[12];

	/* The walk cannot allocate (proc_lock): if more processes appeared
	 * than there was room for, walk again with twice the room. */
	for (;;) {
		w.n = 0;
		w.pids = kmalloc(w.max * sizeof(*w.pids), GFP_KERNEL);
		if (!w.pids)
			return -ENOMEM;
		proc_for_each(pid_collect, &w);
		if (w.n < w.max)
			break;
		kfree(w.pids);
		w.max *= 2;
	}
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
