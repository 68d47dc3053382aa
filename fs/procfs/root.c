/*
 * The /proc directory and the "proc" file system type: the system-wide
 * files, /proc/self, and a directory per task (pid.c).
 */
#include "fs/procfs/internal.h"
#include "fs/procfs/procfs.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/sched.h"
#include <linux/magic.h>

static void proc_filesystems_one(const struct file_system_type *t, void *ctx)
{
	/* Linux's format: "nodev" marks a type that needs no device. */
	pfs_printf(ctx, "%s\t%s\n", t->fs_flags & FS_REQUIRES_DEV ? "" : "nodev",
		   t->name);
}

static int proc_filesystems_show(struct pfs_buf *b)
{
	vfs_for_each_fs(proc_filesystems_one, b);
	return 0;
}

static const struct {
	const char *name;
	int (*show)(struct pfs_buf *b);
} proc_files[] = {
	{ "cmdline", procfs_show_cmdline },
	{ "cpuinfo", procfs_show_cpuinfo },
	{ "filesystems", proc_filesystems_show },
	{ "interrupts", procfs_show_interrupts },
	{ "loadavg", procfs_show_loadavg },
	{ "meminfo", procfs_show_meminfo },
	{ "partitions", procfs_show_partitions },
	{ "stat", procfs_show_stat },
	{ "uptime", procfs_show_uptime },
	{ "version", procfs_show_version },
};

#define PROC_NFILES (sizeof(proc_files) / sizeof(proc_files[0]))

static int proc_file_show(const struct pfs_node *n, struct pfs_buf *b)
{
	return proc_files[n->num].show(b);
}

/* /proc/self: the reader's own pid (a kernel thread has none). */
static int proc_self_show(const struct pfs_node *n, struct pfs_buf *b)
{
	struct proc *p = current_proc();

	(void)n;
	if (!p)
		return -ENOENT;
	pfs_printf(b, "%u", p->pid);
	return 0;
}

/* /proc/mounts is Linux's symlink to self/mounts. */
static int proc_mounts_link_show(const struct pfs_node *n, struct pfs_buf *b)
{
	(void)n;
	pfs_printf(b, "self/mounts");
	return 0;
}

static const struct pfs_ops proc_file_ops = { .show = proc_file_show };
static const struct pfs_ops proc_self_ops = { .show = proc_self_show };
static const struct pfs_ops proc_mounts_link_ops = { .show = proc_mounts_link_show };

static int proc_root_list(const struct pfs_node *dir, struct pfs_lister *l)
{
	static const struct pfs_node self = { .ops = &proc_self_ops, .mode = S_IFLNK | 0777 };
	static const struct pfs_node mounts = {
		.ops = &proc_mounts_link_ops, .mode = S_IFLNK | 0777
	};

	(void)dir;
	for (u64 i = 0; i < PROC_NFILES; i++) {
		struct pfs_node n = { .ops = &proc_file_ops, .mode = S_IFREG | 0444, .num = i };

		if (!pfs_emit(l, proc_files[i].name, &n))
			return 0;
	}
	if (!pfs_emit(l, "mounts", &mounts) || !pfs_emit(l, "net", &procfs_net_dir) ||
	    !pfs_emit(l, "self", &self))
		return 0;
	return procfs_list_pids(l);
}

static const struct pfs_ops proc_root_ops = { .list = proc_root_list };
static const struct pfs_node proc_root = { .ops = &proc_root_ops, .mode = S_IFDIR | 0555 };
static const struct pfs_fs proc_fs = { .root = &proc_root, .magic = PROC_SUPER_MAGIC };

static int proc_fill_super(struct super_block *sb, struct block_device *bdev,
			   const char *data, u32 flags)
{
	(void)bdev;
	(void)data;
	(void)flags;
	return pfs_fill_super(sb, &proc_fs);
}

static struct file_system_type proc_fs_type = {
	.name = "proc",
	.fill_super = proc_fill_super,
};

int procfs_init(const char *cmdline)
{
	int err;

	procfs_set_cmdline(cmdline);
	err = vfs_register_fs(&proc_fs_type);
	if (err)
		pr_err("procfs: cannot register (%d)\n", err);
	return err;
}
