/*
 * The Linux guest's side of bench/blk.py: raw reads from a block device
 * with O_DIRECT (no page cache) and Linux native AIO, keeping a fixed
 * number of requests in flight, the same workload as Vireo's bench=blk.
 *
 *   blkread DEVICE BLOCK_BYTES DEPTH COUNT seq|rand
 *
 * prints "<name> bs=<bytes> qd=<depth> n=<count> <MB/s> MB/s <IOPS> IOPS".
 * Built static with musl-gcc; the AIO ABI and BLKGETSIZE64 come from
 * linux-libc-dev (<linux/aio_abi.h>, which includes <linux/fs.h>).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 64

/* The same request-number hash as virtio/blk_bench.c (splitmix64). */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct iocb cbs[MAX_DEPTH], *one[1];
	unsigned free_slots[MAX_DEPTH], nr_free;
	struct io_event ev[MAX_DEPTH];
	aio_context_t ctx = 0;
	uint64_t size, blocks, issued = 0, done = 0, count;
	unsigned bs, depth;
	int fd, random;
	char *buf;
	double t0, t;

	if (argc != 6) {
		fprintf(stderr, "usage: blkread DEV BS DEPTH COUNT seq|rand\n");
		return 2;
	}
	bs = atoi(argv[2]);
	depth = atoi(argv[3]);
	count = strtoull(argv[4], NULL, 0);
	random = !strcmp(argv[5], "rand");
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) || depth > MAX_DEPTH ||
	    posix_memalign((void **)&buf, 4096, (size_t)bs * depth) ||
	    syscall(SYS_io_setup, depth, &ctx)) {
		perror("blkread setup");
		return 1;
	}
	blocks = size / bs;
	if (!count)
		count = blocks;
	/* Requests complete in any order: a stack of free iocb slots. */
	for (nr_free = 0; nr_free < depth; nr_free++)
		free_slots[nr_free] = nr_free;

	t0 = now();
	while (done < count) {
		/* Top the queue up to depth, then reap what finished. */
		while (issued < count && nr_free) {
			unsigned slot = free_slots[--nr_free];
			uint64_t block = random ? mix(issued) % blocks : issued % blocks;

			memset(&cbs[slot], 0, sizeof(cbs[slot]));
			cbs[slot].aio_fildes = fd;
			cbs[slot].aio_lio_opcode = IOCB_CMD_PREAD;
			cbs[slot].aio_buf = (uintptr_t)(buf + (size_t)slot * bs);
			cbs[slot].aio_nbytes = bs;
			cbs[slot].aio_offset = block * bs;
			one[0] = &cbs[slot];
			if (syscall(SYS_io_submit, ctx, 1, one) != 1) {
				perror("io_submit");
				return 1;
			}
			issued++;
		}
		long n = syscall(SYS_io_getevents, ctx, 1, depth, ev, NULL);

		if (n < 0) {
			perror("io_getevents");
			return 1;
		}
		for (long i = 0; i < n; i++) {
			if (ev[i].res != bs) {
				fprintf(stderr, "short read: %lld\n", (long long)ev[i].res);
				return 1;
			}
			free_slots[nr_free++] = (struct iocb *)(uintptr_t)ev[i].obj - cbs;
		}
		done += n;
	}
	t = now() - t0;
	printf("%s bs=%u qd=%u n=%llu %.1f MB/s %.0f IOPS\n",
	       random ? "rand-read" : "seq-read", bs, depth,
	       (unsigned long long)count, count * (double)bs / t / 1e6, count / t);
	return 0;
}
