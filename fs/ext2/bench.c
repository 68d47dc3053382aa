/*
 * `bench=ext2`: ext2 through the VFS on /dev/vda (an empty ext2 image;
 * bench/ext2.py makes one and boots), printed as EXT2BENCH lines:
 *   create   empty files created per second (open O_CREAT + close),
 *            then synced;
 *   write    sequential MB/s writing BENCH_FILE_MB in 64 KiB calls,
 *            fsync included;
 *   read     sequential MB/s cold (after a remount emptied the buffer
 *            cache of the device) and cached (the same read again).
 */
#include "fs/ext2/ext2.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"
#include "vfs/buffer.h"
#include "vfs/vfs.h"

#define BENCH_DIR      "/mnt/bench"
#define BENCH_FILES    1000
#define BENCH_FILE_MB  32
#define BENCH_CHUNK    (64u << 10)

static int bench_mount(void)
{
	return vfs_mount(vfs_kernel_ctx(), "/dev/vda", BENCH_DIR, "ext2", 0, NULL);
}

/* MB/s as an integer and two decimals. */
static void bench_rate(const char *what, u64 bytes, u64 ns)
{
	u64 centi = ns ? bytes * 100 * 1000000000ull / ns / (1u << 20) : 0;

	pr_info("EXT2BENCH %s %lu.%02lu MB/s (%lu MiB in %lu ms)\n", what,
		(unsigned long)(centi / 100), (unsigned long)(centi % 100),
		(unsigned long)(bytes >> 20), (unsigned long)(ns / 1000000));
}

static int bench_creates(void)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	char name[64];
	u64 t0, ns;
	int err = vfs_mkdir(k, NULL, BENCH_DIR "/c", 0755);

	if (err)
		return err;
	t0 = ktime_get();
	for (u32 i = 0; i < BENCH_FILES; i++) {
		struct file *f;

		ksnprintf(name, sizeof(name), BENCH_DIR "/c/file-%05u", i);
		f = vfs_open(k, NULL, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (IS_ERR(f))
			return PTR_ERR(f);
		file_put(f);
	}
	vfs_sync_all();
	ns = ktime_get() - t0;
	pr_info("EXT2BENCH create %lu files/s (%u files in %lu ms, synced)\n",
		(unsigned long)(BENCH_FILES * 1000000000ull / (ns ? ns : 1)), BENCH_FILES,
		(unsigned long)(ns / 1000000));
	return 0;
}

static int bench_write(u8 *buf)
{
	struct file *f = vfs_open(vfs_kernel_ctx(), NULL, BENCH_DIR "/big",
				  O_WRONLY | O_CREAT | O_TRUNC, 0644);
	u64 t0 = ktime_get(), total = (u64)BENCH_FILE_MB << 20;
	int err = 0;

	if (IS_ERR(f))
		return PTR_ERR(f);
	memset(buf, 0xa5, BENCH_CHUNK);
	for (u64 done = 0; done < total && !err; done += BENCH_CHUNK)
		if (vfs_write(f, VFS_KBUF(buf), BENCH_CHUNK, NULL) != BENCH_CHUNK)
			err = -EIO;
	if (!err)
		err = vfs_fsync(f, false);
	file_put(f);
	if (!err)
		bench_rate("write (sequential, fsync'd)", total, ktime_get() - t0);
	return err;
}

static int bench_read(u8 *buf, const char *what)
{
	struct file *f = vfs_open(vfs_kernel_ctx(), NULL, BENCH_DIR "/big", O_RDONLY, 0);
	u64 t0 = ktime_get(), total = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	while ((n = vfs_read(f, VFS_KBUF(buf), BENCH_CHUNK, NULL)) > 0)
		total += n;
	file_put(f);
	if (n < 0 || total != (u64)BENCH_FILE_MB << 20)
		return -EIO;
	bench_rate(what, total, ktime_get() - t0);
	return 0;
}

void ext2_bench(void)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	struct bcache_stats s0, s1;
	u8 *buf = kmalloc(BENCH_CHUNK, GFP_KERNEL);
	int err;

	vfs_mkdir(k, NULL, "/mnt", 0755);
	vfs_mkdir(k, NULL, BENCH_DIR, 0755);
	err = buf ? bench_mount() : -ENOMEM;
	if (!err)
		err = bench_creates();
	if (!err)
		err = bench_write(buf);
	/* Remount: unmount writes back and drops the device's buffers. */
	if (!err)
		err = vfs_umount(k, BENCH_DIR, 0);
	if (!err)
		err = bench_mount();
	bcache_get_stats(&s0);
	if (!err)
		err = bench_read(buf, "read (sequential, cold)");
	bcache_get_stats(&s1);
	if (!err)
		pr_info("EXT2BENCH cold read: %lu blocks read on demand, %lu by read-ahead\n",
			(unsigned long)(s1.reads - s0.reads),
			(unsigned long)(s1.readahead - s0.readahead));
	if (!err)
		err = bench_read(buf, "read (sequential, cached)");
	if (!err)
		err = vfs_umount(k, BENCH_DIR, 0);
	kfree(buf);
	if (err)
		pr_err("EXT2BENCH failed: %d\n", err);
	else
		pr_info("EXT2BENCH done\n");
}
