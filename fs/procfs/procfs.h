/*
 * procfs: /proc, generated from the task list, the allocators, the
 * interrupt layer, the mount table and the block devices, in the formats
 * of Linux's proc(5).
 */
#ifndef VIREO_FS_PROCFS_PROCFS_H
#define VIREO_FS_PROCFS_PROCFS_H

/* Register the "proc" file system type and keep the boot command line
 * for /proc/cmdline (kmain, after vfs_init). */
int procfs_init(const char *cmdline);
void procfs_set_cmdline(const char *cmdline);

/* sysinfo(2)'s load averages and buffer RAM, as /proc/loadavg and
 * /proc/meminfo show them; the caller has set mem_unit (non-zero). */
struct sysinfo;
void procfs_fill_sysinfo(struct sysinfo *s);

#endif
