/*
 * What the files of fs/procfs share: the generators, one per /proc file,
 * each formatting the kernel's current state into a pfs_buf in Linux's
 * format (proc(5)), which busybox ps, top, free, mount and uptime parse.
 * A generator returns 0 or a negative errno; buffer errors are the
 * caller's to check (b->err).
 */
#ifndef VIREO_FS_PROCFS_INTERNAL_H
#define VIREO_FS_PROCFS_INTERNAL_H

#include "fs/pseudofs/buf.h"
#include "fs/pseudofs/pseudofs.h"
#include "kernel/lib/types.h"

/* Linux's USER_HZ: the unit of the clock-tick columns of stat files. */
#define PROC_USER_HZ 100u

struct task;

int procfs_show_meminfo(struct pfs_buf *b);
int procfs_show_cpuinfo(struct pfs_buf *b);
int procfs_show_uptime(struct pfs_buf *b);
int procfs_show_loadavg(struct pfs_buf *b);
int procfs_show_stat(struct pfs_buf *b);
int procfs_show_interrupts(struct pfs_buf *b);
int procfs_show_version(struct pfs_buf *b);
int procfs_show_cmdline(struct pfs_buf *b);
int procfs_show_mounts(struct pfs_buf *b);
int procfs_show_partitions(struct pfs_buf *b);

/* /proc/net (net.c). */
extern const struct pfs_node procfs_net_dir;

/* /proc/PID directories (pid.c): emit one per task. */
int procfs_list_pids(struct pfs_lister *l);
extern const struct pfs_ops procfs_pid_dir_ops;

/* TSC cycles to clock ticks (USER_HZ) and to nanoseconds. */
u64 procfs_cycles_to_ns(u64 cycles);
static inline u64 procfs_ns_to_ticks(u64 ns)
{
	return ns / (1000000000u / PROC_USER_HZ);
}

/* The 1, 5 and 15 minute load averages, brought up to date, in Linux's
 * fixed point (PROCFS_LOAD_FSHIFT fraction bits). */
#define PROCFS_LOAD_FSHIFT 11
void procfs_load_averages(u64 avg[3]);

/* Tasks runnable or in uninterruptible sleep now, idle tasks not counted. */
u32 procfs_nr_active(u32 *nr_total, u32 *last_pid);

/* Who is reading (pid.c): the current process's identity and root, or
 * the kernel's for a kernel thread; the paths procfs shows start there. */
struct vfs_ctx;
void procfs_reader_ctx(struct vfs_ctx *ctx);

/* The boot command line, kept by procfs_init. */
const char *procfs_boot_cmdline(void);

#endif
