/*
 * Block device files read and written with O_DIRECT from user memory
 * (tests/integration/test_blkdev_direct.py makes the disks and checks the
 * scratch one on the host afterwards):
 *
 *   t_blkdev PATTERN SCRATCH
 *
 * PATTERN: sector s holds 64 copies of the little-endian u64 pattern(s)
 * (as in tests/integration/test_blk.py); read whole, at offsets inside a
 * page, byte-unaligned, by concurrent readers, into copy-on-write pages
 * and into memory that cannot take it. Prints its FNV-1a hash for the
 * host to compare with the image.
 * SCRATCH: zero-filled; the ranges written here (scratch_writes below,
 * mirrored by the host side) hold pattern(s) ^ XOR afterwards, and
 * nothing else changes.
 *
 * Runs the same on Linux (O_DIRECT needs block-aligned buffers there,
 * which is all that is used with it here).
 */
#include "check.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEQ_BS (128u << 10)
#define XOR 0x5a5a5a5a5a5a5a5aULL
#define READERS 8
#define READS_PER_READER 200
#define KERNEL_PTR ((void *)0xffff800000001000UL)

static uint64_t pattern(uint64_t s)
{
	return s * 0x9e3779b97f4a7c15ULL + 0x0123456789abcdefULL;
}

/* The first sector in [sector, sector + n) that buf does not match, or -1. */
static long mismatch(const void *buf, uint64_t sector, uint32_t n, uint64_t x)
{
	const uint64_t *w = buf;

	for (uint32_t s = 0; s < n; s++)
		for (int i = 0; i < 64; i++)
			if (w[s * 64 + i] != (pattern(sector + s) ^ x))
				return (long)(sector + s);
	return -1;
}

static void fill(void *buf, uint64_t sector, uint32_t n, uint64_t x)
{
	uint64_t *w = buf;

	for (uint32_t s = 0; s < n; s++)
		for (int i = 0; i < 64; i++)
			w[s * 64 + i] = pattern(sector + s) ^ x;
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t rnd(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* The whole device front to back in 128 KiB O_DIRECT reads, checked. */
static void read_whole(int fd, uint64_t size, void *buf)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	long bad = -1;

	for (uint64_t off = 0; off < size; off += SEQ_BS) {
		size_t n = size - off < SEQ_BS ? size - off : SEQ_BS;
		ssize_t r = pread(fd, buf, n, (off_t)off);

		CHECK(r == (ssize_t)n);
		if (r != (ssize_t)n)
			return;
		if (bad < 0)
			bad = mismatch(buf, off / 512, n / 512, 0);
		h = fnv1a(h, buf, n);
	}
	CHECK(bad < 0);
	if (bad >= 0)
		printf("t_blkdev: sector %ld differs\n", bad);
	printf("t_blkdev: pattern fnv1a=%016llx bytes=%llu\n",
	       (unsigned long long)h, (unsigned long long)size);
}

/* Reads at random sectors into buffers that start inside a page (direct:
 * a partial first and last page) and at odd bytes (through the bounce
 * buffer), and at byte offsets that are not block-aligned. */
static void read_offsets(int fd, int fd_plain, uint64_t sectors, unsigned char *buf)
{
	uint64_t st = 0x9e3779b9;

	for (int i = 0; i < 200; i++) {
		uint32_t n = 1 + rnd(&st) % 64;
		uint64_t s = rnd(&st) % (sectors - n);
		unsigned char *at = buf + (i % 2 ? (rnd(&st) % 8) * 512 : 1 + rnd(&st) % 511);

		memset(at, 0xee, n * 512);
		CHECK(pread(i % 2 ? fd : fd_plain, at, n * 512, (off_t)(s * 512)) ==
		      (ssize_t)(n * 512));
		CHECK(mismatch(at, s, n, 0) < 0);
	}
	/* 100 bytes from byte 1000: the tail of sector 1, the head of 2. */
	memset(buf, 0, 4096);
	CHECK(pread(fd_plain, buf + 7, 100, 1000) == 100);
	for (int i = 0; i < 100; i++) {
		uint64_t s = (1000 + i) / 512, w = pattern(s);

		CHECK(buf[7 + i] == (unsigned char)(w >> (8 * ((1000 + i) % 8))));
	}
}

/* Memory the device may not write (or read) gives EFAULT, never a crash;
 * a buffer that runs into a hole is filled up to the hole. */
static void bad_buffers(int fd, int wfd)
{
	unsigned char *ro, *two;

	CHECK_ERR(pread(fd, (void *)16, 4096, 0), EFAULT);
	CHECK_ERR(pread(fd, KERNEL_PTR, 4096, 0), EFAULT);
	CHECK_ERR(pwrite(wfd, (void *)16, 4096, 1000 * 512), EFAULT);
	CHECK_ERR(pwrite(wfd, KERNEL_PTR, 4096, 1000 * 512), EFAULT);
	/* A read-only mapping: the device must not write it. */
	ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	CHECK_ERR(pread(fd, ro, 8192, 0), EFAULT);
	CHECK(ro[0] == 0 && ro[8191] == 0);
	/* A page, then a hole. */
	two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	CHECK(munmap(two + 4096, 4096) == 0);
	{
		ssize_t r = pread(fd, two, 8192, 8 * 512);

		CHECK(r == 4096 || (r == -1 && errno == EFAULT));
		if (r == 4096)
			CHECK(mismatch(two, 8, 8, 0) < 0);
	}
	munmap(two, 4096);
	munmap(ro, 8192);
}

/* A read into a page shared copy-on-write with a child lands in the
 * reader's copy only; the child still sees the old bytes. */
static void cow(int fd, unsigned char *buf)
{
	int go[2], status;
	pid_t pid;
	char c;

	memset(buf, 0xab, SEQ_BS);
	CHECK(pipe(go) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(3);
		for (size_t i = 0; i < SEQ_BS; i++)
			if (buf[i] != 0xab)
				_exit(1);
		/* And the child's own read breaks its side. */
		if (pread(fd, buf, SEQ_BS, 0) != SEQ_BS || mismatch(buf, 0, SEQ_BS / 512, 0) >= 0)
			_exit(2);
		_exit(0);
	}
	close(go[0]);
	CHECK(pread(fd, buf, SEQ_BS, 64 * 512) == SEQ_BS);
	CHECK(mismatch(buf, 64, SEQ_BS / 512, 0) < 0);
	close(go[1]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(mismatch(buf, 64, SEQ_BS / 512, 0) < 0);
}

/* in_flight of /sys/block/NAME/stat (field 9), or -1. */
static long in_flight(const char *name)
{
	char path[64], text[256];
	unsigned long long v[9];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/block/%s/stat", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = (int)read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = 0;
	if (sscanf(text, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) != 9)
		return -1;
	return (long)v[8];
}

/* READERS processes reading 4 KiB and 128 KiB blocks at once, each
 * checking what it gets; meanwhile this one watches the device's
 * requests in flight: readers must not wait for each other. */
static void concurrent(int fd, uint64_t sectors, const char *name)
{
	pid_t pids[READERS];
	int go[2], left = READERS;
	long most = 0;

	CHECK(pipe(go) == 0);
	for (int r = 0; r < READERS; r++) {
		pids[r] = fork();
		CHECK(pids[r] >= 0);
		if (pids[r] == 0) {
			unsigned char *b;
			uint64_t st = 0x1234567 + (uint64_t)r * 7919;
			char c;

			close(go[1]);
			if (posix_memalign((void **)&b, 4096, SEQ_BS) || read(go[0], &c, 1) != 0)
				_exit(3);
			for (int i = 0; i < READS_PER_READER; i++) {
				uint32_t n = i % 10 ? 8 : SEQ_BS / 512;
				uint64_t s = (rnd(&st) % (sectors - n)) & ~7ULL;

				if (pread(fd, b, n * 512, (off_t)(s * 512)) != (ssize_t)(n * 512) ||
				    mismatch(b, s, n, 0) >= 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);
	while (left) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		long f = in_flight(name);

		if (f > most)
			most = f;
		if (pid > 0) {
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			left--;
		} else {
			usleep(200);    /* sample, don't spin a CPU away */
		}
	}
	printf("t_blkdev: %d readers, at most %ld requests in flight seen\n", READERS, most);
	CHECK(most >= 2);
}

/* The ranges written to the scratch disk: (first sector, sectors, offset
 * of the buffer in its page in bytes). */
static const struct { uint32_t sector, n, off; } scratch_writes[] = {
	{ 0, 256, 0 },          /* 128 KiB, page-aligned */
	{ 300, 24, 512 },       /* inside a page: partial first and last page */
	{ 2048, 520, 0 },       /* more than one request takes */
};

static void write_scratch(int wfd, unsigned char *buf)
{
	unsigned char *big = NULL;

	CHECK(posix_memalign((void **)&big, 4096, 520 * 512 + 4096) == 0);
	if (!big)
		return;
	for (size_t i = 0; i < sizeof(scratch_writes) / sizeof(scratch_writes[0]); i++) {
		uint32_t s = scratch_writes[i].sector, n = scratch_writes[i].n;
		unsigned char *at = big + scratch_writes[i].off;

		fill(at, s, n, XOR);
		CHECK(pwrite(wfd, at, n * 512, (off_t)s * 512) == (ssize_t)(n * 512));
		memset(at, 0, n * 512);
		CHECK(pread(wfd, at, n * 512, (off_t)s * 512) == (ssize_t)(n * 512));
		CHECK(mismatch(at, s, n, XOR) < 0);
	}
	/* Writing from a page shared copy-on-write with a child only reads
	 * it: the child keeps its copy. */
	fill(buf, 4000, 8, XOR);
	{
		pid_t pid = fork();
		int status;

		if (pid == 0)
			_exit(mismatch(buf, 4000, 8, XOR) < 0 ? 0 : 1);
		CHECK(pwrite(wfd, buf, 4096, 4000 * 512) == 4096);
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0);
	}
	CHECK(fsync(wfd) == 0);
	free(big);
}

int main(int argc, char **argv)
{
	const char *pat = argc > 1 ? argv[1] : "/dev/vdb";
	const char *scr = argc > 2 ? argv[2] : "/dev/vda";
	uint64_t size = 0;
	unsigned char *buf = NULL;
	int fd, fd_plain, wfd;

	check_name = "t_blkdev";
	mkdir("/sys", 0755);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	fd = open(pat, O_RDONLY | O_DIRECT);
	fd_plain = open(pat, O_RDONLY);
	wfd = open(scr, O_RDWR | O_DIRECT);
	CHECK(fd >= 0 && fd_plain >= 0 && wfd >= 0);
	size = fd >= 0 ? (uint64_t)lseek(fd, 0, SEEK_END) : 0;
	CHECK(size >= (1 << 20) && size % SEQ_BS == 0);
	CHECK(posix_memalign((void **)&buf, 4096, SEQ_BS + 4096) == 0);
	if (fd < 0 || fd_plain < 0 || wfd < 0 || size < (1 << 20) || !buf)
		test_done();

	read_whole(fd, size, buf);
	read_offsets(fd, fd_plain, size / 512, buf);
	bad_buffers(fd, wfd);
	cow(fd, buf);
	concurrent(fd, size / 512, strrchr(pat, '/') + 1);
	write_scratch(wfd, buf);
	test_done();
}
