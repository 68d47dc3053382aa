/*
 * Raw virtio-blk reads through the block device file, O_DIRECT (no page
 * cache on Linux; Vireo has none for device files):
 *
 *   blk_seq        the whole disk front to back in 128 KiB preads, MB/s
 *   blk_rand_qd1   4 KiB preads at hashed offsets, one at a time, IOPS
 *   blk_rand_qd32  the same from 32 forked readers at once, IOPS
 *
 * Queue depth 32 comes from 32 processes each with one read in flight, so
 * neither kernel needs asynchronous I/O and both run the same method. A
 * pass over the whole disk first warms the host's page cache and QEMU.
 *
 *   blk DEV [RAND_READS]
 */
#define _GNU_SOURCE
#include "bench.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#define SEQ_BS (128u << 10)
#define RAND_BS 4096u
#define QD 32

static const char *const names[] = { "blk_seq", "blk_rand_qd1", "blk_rand_qd32" };

static int read_all(int fd, void *buf, uint64_t size, uint64_t *bytes)
{
	*bytes = 0;
	for (uint64_t off = 0; off < size; off += SEQ_BS) {
		ssize_t r = pread(fd, buf, SEQ_BS, (off_t)off);

		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		*bytes += (uint64_t)r;
	}
	return 0;
}

/* Reads number first .. first+count-1 of the hashed sequence. */
static int read_random(int fd, void *buf, uint64_t blocks, long first, long count)
{
	for (long i = first; i < first + count; i++) {
		off_t off = (off_t)(bench_mix((uint64_t)i) % blocks * RAND_BS);

		if (pread(fd, buf, RAND_BS, off) != RAND_BS)
			return -(errno ? errno : EIO);
	}
	return 0;
}

/* QD readers, released together by closing a pipe; the IOPS of all. */
static int read_random_qd(int fd, uint64_t blocks, long n, double *iops)
{
	long per = n / QD;
	int go[2], err = 0;
	pid_t pids[QD];
	uint64_t t0;
	int started = 0;

	if (pipe(go))
		return -errno;
	for (; started < QD; started++) {
		pid_t pid = fork();

		if (pid < 0) {
			err = -errno;
			break;
		}
		if (pid == 0) {
			void *buf;
			char c;

			close(go[1]);
			if (posix_memalign(&buf, 4096, RAND_BS))
				_exit(2);
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			_exit(read_random(fd, buf, blocks, (long)started * per, per) ? 1 : 0);
		}
		pids[started] = pid;
	}
	close(go[0]);
	t0 = bench_now_ns();
	close(go[1]);
	for (int i = 0; i < started; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) != pids[i] || status)
			err = err ? err : -EIO;
	}
	*iops = (double)(per * QD) / ((double)(bench_now_ns() - t0) / 1e9);
	return err;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/vdb";
	long n = argc > 2 ? atol(argv[2]) : 4000;
	uint64_t size = 0, bytes, t0;
	double iops = 0;
	void *buf;
	int fd, err;

	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		for (int i = 0; i < 3; i++)
			bench_na(names[i], "open %s O_DIRECT: %s", dev, strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKGETSIZE64, &size) || size < SEQ_BS ||
	    posix_memalign(&buf, 4096, SEQ_BS)) {
		for (int i = 0; i < 3; i++)
			bench_na(names[i], "%s: no size (BLKGETSIZE64: %s)", dev, strerror(errno));
		return 1;
	}
	size -= size % SEQ_BS;

	err = read_all(fd, buf, size, &bytes);
	if (!err) {
		t0 = bench_now_ns();
		err = read_all(fd, buf, size, &bytes);
	}
	if (err)
		bench_na(names[0], "pread %s: %s", dev, strerror(-err));
	else
		bench_result(names[0], (double)bytes / ((double)(bench_now_ns() - t0) / 1e3),
			     "MB/s", "");

	t0 = bench_now_ns();
	err = read_random(fd, buf, size / RAND_BS, 0, n);
	if (err)
		bench_na(names[1], "pread %s: %s", dev, strerror(-err));
	else
		bench_result(names[1], (double)n / ((double)(bench_now_ns() - t0) / 1e9),
			     "IOPS", "");

	err = read_random_qd(fd, size / RAND_BS, n * 4, &iops);
	if (err)
		bench_na(names[2], "%d readers: %s", QD, strerror(-err));
	else
		bench_result(names[2], iops, "IOPS", "");
	return 0;
}
