/*
 * ext2 through the file system: mount DEV (an empty ext2 image) on /mnt and
 *
 *   ext2_create  N empty files in one directory (open O_CREAT|O_EXCL,
 *                close), then sync: files/s
 *   ext2_write   one MIB MiB file in 64 KiB writes, fsync included: MB/s
 *   ext2_read    the same file, cold: after umount and mount (which drops
 *                the cached blocks on both kernels), 64 KiB reads: MB/s
 *
 * Each 64 KiB chunk starts with its own offset, checked on the way back.
 * The file system is unmounted at the end, so the host can e2fsck it.
 *
 *   ext2 DEV [FILES] [MIB]
 */
#include "bench.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (64u << 10)
#define MNT "/mnt"

static double mb_per_s(uint64_t bytes, uint64_t t0)
{
	return (double)bytes / ((double)(bench_now_ns() - t0) / 1e3);
}

static int create_files(long n)
{
	char path[64];

	if (mkdir(MNT "/files", 0755))
		return -errno;
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), MNT "/files/f%06ld", i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	sync();
	return 0;
}

static int write_file(char *buf, uint64_t size)
{
	int fd = open(MNT "/big", O_WRONLY | O_CREAT | O_EXCL, 0644), err = 0;

	if (fd < 0)
		return -errno;
	for (uint64_t off = 0; off < size && !err; off += CHUNK) {
		memcpy(buf, &off, sizeof(off));
		if (write(fd, buf, CHUNK) != CHUNK)
			err = -(errno ? errno : EIO);
	}
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

static int read_file(char *buf, uint64_t size)
{
	int fd = open(MNT "/big", O_RDONLY), err = 0;
	uint64_t off = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	while ((r = read(fd, buf, CHUNK)) == CHUNK) {
		if (memcmp(buf, &off, sizeof(off))) {
			err = -EILSEQ;
			break;
		}
		off += CHUNK;
	}
	if (!err && (r < 0 || off != size))
		err = r < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/vdc";
	long files = argc > 2 ? atol(argv[2]) : 1000;
	uint64_t size = (uint64_t)(argc > 3 ? atol(argv[3]) : 32) << 20, t0;
	char *buf = malloc(CHUNK);
	int err;

	mkdir(MNT, 0755);
	if (!buf || mount(dev, MNT, "ext2", 0, NULL)) {
		err = buf ? errno : ENOMEM;
		bench_na("ext2_create", "mount %s ext2: %s", dev, strerror(err));
		bench_na("ext2_write", "mount %s ext2: %s", dev, strerror(err));
		bench_na("ext2_read", "mount %s ext2: %s", dev, strerror(err));
		return 1;
	}
	memset(buf, 0x5a, CHUNK);

	t0 = bench_now_ns();
	err = create_files(files);
	if (err)
		bench_na("ext2_create", "%s", strerror(-err));
	else
		bench_result("ext2_create", (double)files / ((double)(bench_now_ns() - t0) / 1e9),
			     "files/s", "");

	t0 = bench_now_ns();
	err = write_file(buf, size);
	if (err)
		bench_na("ext2_write", "%s", strerror(-err));
	else
		bench_result("ext2_write", mb_per_s(size, t0), "MB/s", "");

	if (umount(MNT) || mount(dev, MNT, "ext2", 0, NULL)) {
		bench_na("ext2_read", "remount %s: %s", dev, strerror(errno));
		return 1;
	}
	if (err) {
		bench_na("ext2_read", "nothing to read: the write failed");
		return 1;
	}
	t0 = bench_now_ns();
	err = read_file(buf, size);
	if (err)
		bench_na("ext2_read", "%s", strerror(-err));
	else
		bench_result("ext2_read", mb_per_s(size, t0), "MB/s", "");
	if (umount(MNT)) {
		printf("ext2: umount: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
