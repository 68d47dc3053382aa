/*
 * `bench=blk`: raw virtio-blk throughput on vda through the block layer
 * (bench/blk.md has the command line and the figures). Prints, does not
 * assert. Each run keeps `depth` requests in flight: every completion
 * (end_io, in the queue's interrupt) submits the next request until
 * `total` have been issued, so the queue depth stays constant.
 *
 * Output, one line per run:
 *   BENCH blk <name> bs=<bytes> qd=<depth> n=<requests> <MB/s> MB/s <IOPS> IOPS
 *         kicks/req <k> irqs/req <i> (queues <q>)
 */
#include "virtio/blk.h"
#include "kernel/block/block.h"
#include "kernel/lib/log.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/wait.h"
#include "kernel/time/clock.h"

#define BENCH_MAX_DEPTH 32

struct blk_bench {
	struct block_device *bd;
	u32 bs;                         /* bytes per request */
	bool random;
	u64 blocks;                     /* bs-sized blocks addressed */
	u32 total;                      /* requests to issue */
	u32 issued;                     /* atomic: completions on several CPUs */
	u32 done;                       /* atomic */
	int err;                        /* first error, or 0 */
	struct completion finished;
	struct blk_request rqs[BENCH_MAX_DEPTH];
};

/* A well-mixed 64-bit hash of the request number (splitmix64's finalizer),
 * so random offsets need no shared generator state. */
static u64 bench_mix(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Claim the next request number and aim rq at its block; false when all
 * have been issued. */
static bool bench_next(struct blk_bench *b, struct blk_request *rq)
{
	u32 n = __atomic_fetch_add(&b->issued, 1, __ATOMIC_RELAXED);
	u64 block;

	if (n >= b->total)
		return false;
	block = b->random ? bench_mix(n) % b->blocks : n % b->blocks;
	rq->sector = block * (b->bs >> SECTOR_SHIFT);
	return true;
}

static void bench_end_io(struct blk_request *rq)
{
	struct blk_bench *b = rq->private;
	int err;

	if (rq->status && !b->err)
		b->err = rq->status;
	if (!b->err && bench_next(b, rq)) {
		err = block_submit(rq);
		if (!err)
			return;
		b->err = err;
	}
	/* This slot is retired; the last one to retire ends the run. Count
	 * each slot once: a slot retires when it issues nothing more. */
	if (__atomic_add_fetch(&b->done, 1, __ATOMIC_ACQ_REL) == BENCH_MAX_DEPTH)
		complete(&b->finished);
}

static void bench_sum(struct block_device *bd, struct virtio_blk_queue_stats *sum)
{
	struct virtio_blk_queue_stats s;

	*sum = (struct virtio_blk_queue_stats){ 0 };
	for (unsigned q = 0; virtio_blk_queue_stats(bd, q, &s) == 0; q++) {
		sum->requests += s.requests;
		sum->kicks += s.kicks;
		sum->interrupts += s.interrupts;
	}
}

static void bench_run(struct block_device *bd, const char *name, u32 bs,
		      u32 depth, bool random, u32 total, u8 *bufs)
{
	static struct blk_bench b;
	struct virtio_blk_queue_stats s0, s1;
	u64 t0, ns, reqs, bytes;

	b = (struct blk_bench){ .bd = bd, .bs = bs, .random = random,
				.total = total };
	b.blocks = bd->nr_sectors / (bs >> SECTOR_SHIFT);
	completion_init(&b.finished);
	/* Slots beyond depth never run: count them retired up front. */
	b.done = BENCH_MAX_DEPTH - depth;

	bench_sum(bd, &s0);
	t0 = ktime_get();
	for (u32 i = 0; i < depth; i++) {
		struct blk_request *rq = &b.rqs[i];

		*rq = (struct blk_request){ .bdev = bd, .op = BLK_OP_READ,
					    .buf = bufs + (size_t)i * bs, .len = bs,
					    .end_io = bench_end_io, .private = &b };
		if (!bench_next(&b, rq) || block_submit(rq)) {
			if (__atomic_add_fetch(&b.done, 1, __ATOMIC_ACQ_REL) ==
			    BENCH_MAX_DEPTH)
				complete(&b.finished);
		}
	}
	wait_for_completion(&b.finished);
	ns = ktime_get() - t0;
	bench_sum(bd, &s1);

	if (b.err) {
		pr_info("BENCH blk %s failed: %d\n", name, b.err);
		return;
	}
	reqs = s1.requests - s0.requests;
	bytes = reqs * bs;
	pr_info("BENCH blk %s bs=%u qd=%u n=%lu %lu.%01lu MB/s %lu IOPS kicks/req %lu.%02lu "
		"irqs/req %lu.%02lu (queues %u)\n", name, bs, depth, (unsigned long)reqs,
		(unsigned long)(bytes * 1000 / ns),
		(unsigned long)(bytes * 10000 / ns % 10),
		(unsigned long)(reqs * 1000000000ULL / ns),
		(unsigned long)((s1.kicks - s0.kicks) / reqs),
		(unsigned long)((s1.kicks - s0.kicks) * 100 / reqs % 100),
		(unsigned long)((s1.interrupts - s0.interrupts) / reqs),
		(unsigned long)((s1.interrupts - s0.interrupts) * 100 / reqs % 100),
		bd->nr_queues);
}

void virtio_blk_bench(void)
{
	struct block_device *bd = block_get("vda");
	u32 seq_bs = 128 * 1024;
	u8 *bufs;

	if (!bd || !virtio_blk_is(bd)) {
		pr_info("BENCH blk: no virtio-blk vda (attach a disk)\n");
		block_put(bd);
		return;
	}
	seq_bs = MIN(seq_bs, bd->max_bytes);
	bufs = kmalloc(MAX((size_t)4 * seq_bs, (size_t)BENCH_MAX_DEPTH * 4096), GFP_KERNEL);
	if (!bufs) {
		pr_info("BENCH blk: out of memory\n");
		block_put(bd);
		return;
	}
	/* Warm-up: the host page cache, and first-touch costs in QEMU. */
	bench_run(bd, "warmup", 4096, 1, true, 200, bufs);
	bench_run(bd, "seq-read", seq_bs, 1, false,
		  (u32)(bd->nr_sectors / (seq_bs >> SECTOR_SHIFT)), bufs);
	bench_run(bd, "seq-read", seq_bs, 4, false,
		  (u32)(bd->nr_sectors / (seq_bs >> SECTOR_SHIFT)), bufs);
	bench_run(bd, "rand-read", 4096, 1, true, 5000, bufs);
	bench_run(bd, "rand-read", 4096, 32, true, 20000, bufs);
	kfree(bufs);
	block_put(bd);
}
