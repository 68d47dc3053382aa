/*
 * /proc through the VFS: contents against the kernel's objects, snapshot
 * consistency of chunked reads, refused writes, /proc/self and the pid
 * directories; and interrupt counts growing under disk I/O (KTEST_MANUAL,
 * booted with a disk by tests/integration/test_procfs.py).
 */
#include "fs/procfs/internal.h"
#include "fs/pseudofs/ktest_util.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/block/block.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/proc.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include "virtio/virtio.h"
#include "vfs/vfs.h"
#include <linux/magic.h>

#define PROC_BUF 16384

static char *proc_buf(void)
{
	char *b = kmalloc(PROC_BUF, GFP_KERNEL);

	if (b && pfs_kt_mount("proc", "/proc", PROC_SUPER_MAGIC))
		return kfree(b), NULL;
	return b;
}

/* The number after key in text, or ~0. */
static u64 proc_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	u64 v = 0;

	if (!p)
		return ~0ull;
	for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
		;
	if (*p < '0' || *p > '9')
		return ~0ull;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (u64)(*p++ - '0');
	return v;
}

KTEST(procfs_meminfo_through_vfs)
{
	char *buf = proc_buf();

	KT_ASSERT(buf);
	KT_ASSERT(pfs_kt_read("/proc/meminfo", buf, PROC_BUF, PROC_BUF) > 0);
	KT_ASSERT_EQ(proc_field(buf, "MemTotal:"), pmm_total_count() * 4);
	KT_ASSERT(proc_field(buf, "MemFree:") <= pmm_total_count() * 4);
	kfree(buf);
}

/* One open file read in 1-byte chunks, with interrupts arriving between
 * the reads, is the same text as a pread of the whole of it: a snapshot. */
KTEST(procfs_chunked_reads_are_one_snapshot)
{
	char *a = proc_buf(), *b = kmalloc(PROC_BUF, GFP_KERNEL);
	struct file *f = vfs_open(vfs_kernel_ctx(), NULL, "/proc/interrupts", O_RDONLY, 0);
	u64 pos = 0;
	size_t len = 0;
	ssize_t n;
	u8 rnd[8];

	KT_ASSERT(a && b && !IS_ERR(f));
	while (len + 1 < PROC_BUF && (n = vfs_read(f, VFS_KBUF(a + len), 1, NULL)) > 0) {
		len += (size_t)n;
		if (len % 256 == 0)
			virtio_rng_read(rnd, sizeof(rnd), 100000);
	}
	a[len] = 0;
	n = vfs_read(f, VFS_KBUF(b), PROC_BUF - 1, &pos);
	KT_ASSERT_EQ(n, (ssize_t)len);
	KT_ASSERT(!memcmp(a, b, len));
	KT_ASSERT_STR_CONTAINS(a, "LOC:");
	file_put(f);
	kfree(a);
	kfree(b);
}

KTEST(procfs_files_refuse_writes)
{
	char *buf = proc_buf();

	KT_ASSERT(buf);
	KT_ASSERT_EQ(pfs_kt_write("/proc/meminfo", "1"), -EACCES);
	KT_ASSERT_EQ(pfs_kt_write("/proc/interrupts", "1"), -EACCES);
	KT_ASSERT_EQ(pfs_kt_write("/proc/nonesuch", "1"), -ENOENT);
	kfree(buf);
}

struct pid_seen {
	u32 count;
	bool all_numeric;
};

static void count_pids(const char *name, void *arg)
{
	struct pid_seen *s = arg;

	if (*name < '0' || *name > '9')
		return;
	s->count++;
	for (; *name; name++)
		s->all_numeric &= *name >= '0' && *name <= '9';
}

/* Kernel threads are not processes: /proc/self names nothing for them, and
 * /proc lists exactly the processes (the busybox half of this, with real
 * processes, is tests/integration/test_procfs.py). */
KTEST(procfs_self_and_pid_directories)
{
	char *buf = proc_buf();
	struct pid_seen seen = { .all_numeric = true };

	KT_ASSERT(buf);
	KT_ASSERT_EQ(pfs_kt_readlink("/proc/self", buf, PROC_BUF), -ENOENT);
	KT_ASSERT(pfs_kt_list("/proc", count_pids, &seen) > 0);
	KT_ASSERT_EQ(seen.count, proc_count());
	KT_ASSERT(seen.all_numeric);
	KT_ASSERT(!pfs_kt_exists("/proc/4000000000"));
	KT_ASSERT(!pfs_kt_exists("/proc/1/stat"));
	kfree(buf);
}

KTEST(procfs_mounts_lists_itself)
{
	char *buf = proc_buf();

	struct pfs_buf b;

	KT_ASSERT(buf);
	/* Linux's link to the reader's own table (a process's: this kernel
	 * thread has none, so the table is read from the generator). */
	KT_ASSERT(pfs_kt_readlink("/proc/mounts", buf, PROC_BUF) > 0);
	KT_ASSERT(!strcmp(buf, "self/mounts"));
	pfs_buf_init(&b);
	KT_ASSERT_EQ(procfs_show_mounts(&b), 0);
	pfs_printf(&b, "%c", 0);
	KT_ASSERT_EQ(b.err, 0);
	KT_ASSERT_STR_CONTAINS(b.data, "proc /proc proc rw,noatime 0 0\n");
	pfs_buf_free(&b);
	KT_ASSERT(pfs_kt_read("/proc/version", buf, PROC_BUF, PROC_BUF) > 0);
	KT_ASSERT(!strncmp(buf, "Vireo ", 6));
	KT_ASSERT(pfs_kt_read("/proc/cmdline", buf, PROC_BUF, PROC_BUF) > 0);
	KT_ASSERT_STR_CONTAINS(buf, "test");
	kfree(buf);
}

/* The vectors of dev's rows in /proc/interrupts, summed over rows and CPUs. */
static u64 interrupts_for(const char *text, const char *dev_name)
{
	u64 sum = 0;
	size_t nlen = strlen(dev_name);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *end = strchr(line, '\n'), *name;
		const char *p = line;

		if (!end)
			break;
		/* The requester's name ends the row: "virtioN.Q". */
		for (name = end; name > line && name[-1] != ' '; name--)
			;
		if ((size_t)(end - name) <= nlen || memcmp(name, dev_name, nlen) ||
		    name[nlen] != '.')
			continue;
		while (*p != ':')
			p++;
		for (p++; p < name; ) {
			u64 v = 0;
			bool digits = false;

			while (*p == ' ')
				p++;
			while (*p >= '0' && *p <= '9') {
				v = v * 10 + (u64)(*p++ - '0');
				digits = true;
			}
			if (!digits)
				break;
			sum += v;
		}
	}
	return sum;
}

KTEST_MANUAL(procfs_interrupts_grow_with_disk_io)
{
	char *buf = proc_buf();
	struct block_device *bd = block_get("vda");
	u8 *data = kmalloc(4096, GFP_KERNEL);
	char want[48];
	u64 before, after;

	KT_ASSERT(buf && bd && data && bd->dev);
	KT_ASSERT(pfs_kt_read("/proc/interrupts", buf, PROC_BUF, PROC_BUF) > 0);
	before = interrupts_for(buf, bd->dev->name);
	for (int i = 0; i < 64; i++)
		KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, (u64)i * 8, data, 4096), 0);
	KT_ASSERT(pfs_kt_read("/proc/interrupts", buf, PROC_BUF, PROC_BUF) > 0);
	after = interrupts_for(buf, bd->dev->name);
	pr_info("PROCTEST %s interrupts %llu -> %llu\n", bd->dev->name,
		(unsigned long long)before, (unsigned long long)after);
	KT_ASSERT(after > before);
	KT_ASSERT_STR_CONTAINS(buf, "PCI-MSIX-");
	/* partitions: the disk, in 1 KiB blocks. */
	KT_ASSERT(pfs_kt_read("/proc/partitions", buf, PROC_BUF, PROC_BUF) > 0);
	ksnprintf(want, sizeof(want), " %10llu vda\n",
		  (unsigned long long)(bd->nr_sectors / 2));
	KT_ASSERT_STR_CONTAINS(buf, want);
	block_put(bd);
	kfree(data);
	kfree(buf);
}

/* Generated from the VFS's registered types, in Linux's format. */
KTEST(procfs_filesystems_lists_registered_types)
{
	char *buf = proc_buf();

	KT_ASSERT(buf);
	KT_ASSERT(pfs_kt_read("/proc/filesystems", buf, PROC_BUF, PROC_BUF) > 0);
	KT_ASSERT_STR_CONTAINS(buf, "\text2\n");
	KT_ASSERT(!strstr(buf, "nodev\text2\n"));
	KT_ASSERT_STR_CONTAINS(buf, "nodev\ttmpfs\n");
	KT_ASSERT_STR_CONTAINS(buf, "nodev\tproc\n");
	KT_ASSERT_STR_CONTAINS(buf, "nodev\tsysfs\n");
	kfree(buf);
}
