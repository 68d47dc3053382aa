// uses: tests/unit/kshim.c vfs/buffer.c
/*
 * The buffer cache on a file-backed device: sharing, LRU eviction under a
 * byte limit, write-back (sync writes then FLUSHes; age-based write-back
 * leaves young buffers alone), and concurrent writers, a syncer and
 * eviction on the same blocks without losing an update.
 */
#define _GNU_SOURCE
#include "tests/unit/unit.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "tests/unit/kshim.h"
/* The kernel's sched_yield() is not glibc's; neither is used here. */
#define sched_yield kernel_sched_yield
#include "vfs/buffer.h"
#undef sched_yield
#include "kernel/lib/err.h"

#define DISK_BLOCKS 512
#define BS 1024

static struct block_device *make_disk(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	static u8 blk[BS];

	for (u32 i = 0; i < DISK_BLOCKS; i++) {
		memset(blk, (u8)i, sizeof(blk));
		if (write(fd, blk, BS) != BS)
			abort();
	}
	close(fd);
	return kshim_bdev_file(path, false);
}

static u8 disk_byte(const char *path, u64 off)
{
	int fd = open(path, O_RDONLY);
	u8 b = 0;

	if (pread(fd, &b, 1, off) != 1)
		abort();
	close(fd);
	return b;
}

UNIT_TEST(buffers_are_shared_and_read_once)
{
	struct block_device *bd = make_disk("build/unit/bc-shared.img");
	struct bcache_stats s0, s1;
	struct buffer *a, *b;

	bcache_get_stats(&s0);
	a = bcache_read(bd, 7, BS);
	b = bcache_read(bd, 7, BS);
	EXPECT(!IS_ERR(a) && a == b);
	EXPECT_EQ(a->data[0], 7);
	bcache_get_stats(&s1);
	EXPECT_EQ(s1.reads - s0.reads, 1);
	EXPECT_EQ(s1.hits - s0.hits, 1);
	bcache_release(a);
	bcache_release(b);
	EXPECT(IS_ERR(bcache_read(bd, DISK_BLOCKS, BS)));       /* past the end */
	EXPECT(IS_ERR(bcache_read(bd, 0, 1000)));               /* not a sector multiple */
	EXPECT_EQ(bcache_invalidate(bd), 0);
	kshim_bdev_free(bd);
}

UNIT_TEST(lru_eviction_keeps_recent_blocks_under_the_limit)
{
	struct block_device *bd = make_disk("build/unit/bc-lru.img");
	struct bcache_stats s0, s1;
	struct buffer *b;

	bcache_set_limit(64 * BS);
	bcache_get_stats(&s0);
	for (u32 i = 0; i < 300; i++) {
		b = bcache_read(bd, i, BS);
		EXPECT(!IS_ERR(b));
		bcache_release(b);
		/* Keep block 0 recently used. */
		b = bcache_read(bd, 0, BS);
		bcache_release(b);
	}
	bcache_get_stats(&s1);
	EXPECT(s1.bytes <= 64 * BS);
	EXPECT(s1.evictions - s0.evictions >= 300 - 64);
	b = bcache_read(bd, 0, BS);             /* still cached */
	bcache_release(b);
	b = bcache_read(bd, 1, BS);             /* long evicted: read again */
	bcache_release(b);
	bcache_get_stats(&s0);
	EXPECT_EQ(s0.reads - s1.reads, 1);
	EXPECT_EQ(bcache_invalidate(bd), 0);
	bcache_set_limit(16u << 20);
	kshim_bdev_free(bd);
}

UNIT_TEST(sync_writes_dirty_buffers_then_flushes)
{
	const char *path = "build/unit/bc-sync.img";
	struct block_device *bd = make_disk(path);
	struct buffer *b = bcache_read(bd, 3, BS);
	u64 flushes = kshim_bdev_flushes(bd);

	b->data[10] = 0xab;
	bcache_mark_dirty(b);
	bcache_release(b);
	/* Young: age-based write-back leaves it. */
	EXPECT_EQ(bcache_writeback_old(60ull * 1000000000u), 0);
	EXPECT_EQ(disk_byte(path, 3 * BS + 10), 3);
	EXPECT_EQ(bcache_sync(bd), 0);
	EXPECT_EQ(disk_byte(path, 3 * BS + 10), 0xab);
	EXPECT_EQ(kshim_bdev_flushes(bd), flushes + 1);
	/* Old enough: written without a sync. */
	b = bcache_read(bd, 4, BS);
	b->data[0] = 0xcd;
	bcache_mark_dirty(b);
	bcache_release(b);
	EXPECT_EQ(bcache_writeback_old(0), 0);
	EXPECT_EQ(disk_byte(path, 4 * BS), 0xcd);
	/* A dirty buffer is written back before it is evicted. */
	b = bcache_read(bd, 5, BS);
	b->data[0] = 0xef;
	bcache_mark_dirty(b);
	bcache_release(b);
	EXPECT_EQ(bcache_invalidate(bd), 0);
	EXPECT_EQ(disk_byte(path, 5 * BS), 0xef);
	kshim_bdev_free(bd);
}

#define WRITERS 4
#define ROUNDS 300
#define SHARED_BLOCKS 32

static struct block_device *conc_bd;
static volatile int conc_stop;

/* Writer w owns bytes [w*4, w*4+4) of every shared block. */
static void *writer(void *arg)
{
	u32 w = (u32)(uintptr_t)arg;

	for (u32 r = 1; r <= ROUNDS; r++) {
		struct buffer *b = bcache_read(conc_bd, (r * 7 + w) % SHARED_BLOCKS, BS);

		if (IS_ERR(b))
			abort();
		memcpy(b->data + w * 4, &r, 4);
		bcache_mark_dirty(b);
		bcache_release(b);
	}
	return NULL;
}

static void *syncer(void *arg)
{
	while (!conc_stop) {
		if (bcache_sync(conc_bd))
			abort();
		bcache_set_limit(8 * BS);       /* evict what is clean */
		bcache_set_limit(16u << 20);
	}
	return NULL;
}

UNIT_TEST(concurrent_writers_sync_and_eviction_lose_nothing)
{
	const char *path = "build/unit/bc-conc.img";
	pthread_t t[WRITERS], s;
	u32 last[WRITERS][SHARED_BLOCKS] = { 0 };
	int fd;

	conc_bd = make_disk(path);
	conc_stop = 0;
	pthread_create(&s, NULL, syncer, NULL);
	for (uintptr_t i = 0; i < WRITERS; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	conc_stop = 1;
	pthread_join(s, NULL);
	EXPECT_EQ(bcache_sync(conc_bd), 0);

	for (u32 w = 0; w < WRITERS; w++)
		for (u32 r = 1; r <= ROUNDS; r++)
			last[w][(r * 7 + w) % SHARED_BLOCKS] = r;
	fd = open(path, O_RDONLY);
	for (u32 blk = 0; blk < SHARED_BLOCKS; blk++) {
		for (u32 w = 0; w < WRITERS; w++) {
			u32 v = 0;

			EXPECT_EQ(pread(fd, &v, 4, blk * BS + w * 4), 4);
			if (v != last[w][blk]) {
				printf("# block %u writer %u: %u on disk, want %u\n", blk, w, v,
				       last[w][blk]);
				EXPECT(0);
			}
		}
	}
	close(fd);
	EXPECT_EQ(bcache_invalidate(conc_bd), 0);
	kshim_bdev_free(conc_bd);
}
