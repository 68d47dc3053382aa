/*
 * virtio-blk against QEMU's device. Manual tests (they need disks), run by
 * tests/integration/test_blk.py, which generates the disks and checks the
 * written one on the host afterwards. Conventions shared with it:
 *   vda  the pattern disk: sector s holds 64 copies of the little-endian
 *        u64 blk_pattern(s);
 *   vdb  the scratch disk, zero-filled; blk_write_verify writes
 *        blk_pattern(s) ^ BLK_WRITE_XOR into the sectors it picks.
 * Lines starting with "BLKTEST" are read by the host side.
 */
#include "virtio/blk.h"
#include "kernel/block/block.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/device/device.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/lib/err.h"
#include "kernel/sched/kthread.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/wait.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define BLK_WRITE_XOR 0x5a5a5a5a5a5a5a5aULL
#define T_STACK 8192
#define T_MAX_CPUS 8

static u64 blk_pattern(u64 sector)
{
	return sector * 0x9e3779b97f4a7c15ULL + 0x0123456789abcdefULL;
}

/* Does buf hold the pattern (xor x) of sectors [sector, sector + n)? */
static bool blk_check(const void *buf, u64 sector, u32 n, u64 x)
{
	const u64 *w = buf;

	for (u32 s = 0; s < n; s++)
		for (u32 i = 0; i < SECTOR_SIZE / 8; i++)
			if (w[s * (SECTOR_SIZE / 8) + i] != (blk_pattern(sector + s) ^ x))
				return false;
	return true;
}

static void blk_fill(void *buf, u64 sector, u32 n, u64 x)
{
	u64 *w = buf;

	for (u32 s = 0; s < n; s++)
		for (u32 i = 0; i < SECTOR_SIZE / 8; i++)
			w[s * (SECTOR_SIZE / 8) + i] = blk_pattern(sector + s) ^ x;
}

/* Deterministic pseudo-random numbers (xorshift64), same on every run. */
static u64 t_rand(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static void blk_describe(struct block_device *bd)
{
	pr_info("BLKTEST %s sectors=%lu queues=%u ro=%d flush=%d serial=\"%s\"\n",
		bd->name, (unsigned long)bd->nr_sectors, bd->nr_queues,
		bd->read_only, bd->has_flush, bd->serial);
}

/* Per-queue counters, for the host's check that every queue's own MSI-X
 * vector took interrupts. */
static void blk_print_queues(struct block_device *bd)
{
	struct virtio_blk_queue_stats s;

	for (unsigned q = 0; virtio_blk_queue_stats(bd, q, &s) == 0; q++)
		pr_info("BLKTEST %s queue %u requests=%lu kicks=%lu irqs=%lu pended=%lu max_in_flight=%u\n",
			bd->name, q, (unsigned long)s.requests, (unsigned long)s.kicks,
			(unsigned long)s.interrupts, (unsigned long)s.pended,
			s.max_in_flight);
}

/* Requests the device was given on all of bd's queues so far. */
static u64 blk_requests(struct block_device *bd)
{
	struct virtio_blk_queue_stats s;
	u64 n = 0;

	for (unsigned q = 0; virtio_blk_queue_stats(bd, q, &s) == 0; q++)
		n += s.requests;
	return n;
}

#define BLK_SCATTER_PAGES 6

/* One scattered read into pages[]: in reverse order, the first and last
 * only partly, as one request (one descriptor chain). */
static void blk_scatter_check(struct ktest_ctx *kt, struct block_device *bd,
			      u8 *const *pages)
{
	struct blk_seg segs[BLK_SCATTER_PAGES];
	u32 head = 1024, tail = 2048, len = 0, lbs = bd->logical_block_size;
	u64 sector = 24, before;

	KT_ASSERT(lbs <= head);
	for (int i = 0; i < BLK_SCATTER_PAGES; i++) {
		u8 *p = pages[BLK_SCATTER_PAGES - 1 - i];
		u32 off = i == 0 ? PAGE_SIZE - head : 0;
		u32 n = i == 0 ? head : i == BLK_SCATTER_PAGES - 1 ? tail : PAGE_SIZE;

		memset(p, 0xee, PAGE_SIZE);
		segs[i] = (struct blk_seg){ virt_to_phys(p + off), n };
		len += n;
	}
	before = blk_requests(bd);
	KT_ASSERT_EQ(block_rw_segs(bd, BLK_OP_READ, sector, segs, BLK_SCATTER_PAGES, len), 0);
	KT_ASSERT_EQ(blk_requests(bd) - before, 1);
	for (int i = 0; i < BLK_SCATTER_PAGES; i++) {
		u32 n = segs[i].len >> SECTOR_SHIFT;

		KT_ASSERT(blk_check(phys_to_virt(segs[i].phys), sector, n, 0));
		sector += n;
	}
	/* Nothing around the segments was touched. */
	KT_ASSERT_EQ(pages[BLK_SCATTER_PAGES - 1][PAGE_SIZE - head - 1], 0xee);
	KT_ASSERT_EQ(pages[0][tail], 0xee);
}

static void blk_scatter_read(struct ktest_ctx *kt, struct block_device *bd)
{
	u8 *pages[BLK_SCATTER_PAGES] = { 0 };
	bool ok = true;

	for (int i = 0; i < BLK_SCATTER_PAGES; i++)
		ok = (pages[i] = kmalloc(PAGE_SIZE, GFP_KERNEL)) && ok;
	if (ok)
		blk_scatter_check(kt, bd, pages);
	else
		ktest_fail(kt, __FILE__, __LINE__, "out of memory");
	for (int i = 0; i < BLK_SCATTER_PAGES; i++)
		kfree(pages[i]);
}

/* ---- reads of the pattern disk ---------------------------------------------------- */

KTEST_MANUAL(blk_pattern_read)
{
	struct block_device *bd = block_get("vda");
	const u32 chunk = 64 * 1024;
	u8 *buf = kmalloc(chunk + PAGE_SIZE, GFP_KERNEL);
	u64 rng = 0x1234567;
	u32 lbs_sectors;

	KT_ASSERT(bd && buf);
	KT_ASSERT(virtio_blk_is(bd));
	blk_describe(bd);
	lbs_sectors = bd->logical_block_size >> SECTOR_SHIFT;

	/* The whole disk, front to back, in 64 KiB requests. */
	for (u64 s = 0; s < bd->nr_sectors; s += chunk >> SECTOR_SHIFT) {
		u32 n = (u32)MIN((u64)(chunk >> SECTOR_SHIFT), bd->nr_sectors - s);

		KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, s, buf, n << SECTOR_SHIFT), 0);
		KT_ASSERT(blk_check(buf, s, n, 0));
	}
	/* Many offsets and lengths (1..64 sectors), into buffers that start
	 * anywhere in a page and cross page boundaries. */
	for (int i = 0; i < 400; i++) {
		u32 n = ALIGN_UP((u32)(t_rand(&rng) % 64) + 1, lbs_sectors);
		u64 s = ALIGN_DOWN(t_rand(&rng) % (bd->nr_sectors - n + 1), (u64)lbs_sectors);
		u8 *at = buf + (t_rand(&rng) % 8) * SECTOR_SIZE;

		memset(at, 0xee, n << SECTOR_SHIFT);
		KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, s, at, n << SECTOR_SHIFT), 0);
		if (!blk_check(at, s, n, 0)) {
			ktest_fail(kt, __FILE__, __LINE__, "sectors %lu+%u differ",
				   (unsigned long)s, n);
			goto out;
		}
	}
	/* The last block, and one past it. */
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, bd->nr_sectors - lbs_sectors, buf,
			      bd->logical_block_size), 0);
	KT_ASSERT(blk_check(buf, bd->nr_sectors - lbs_sectors, lbs_sectors, 0));
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, bd->nr_sectors, buf,
			      bd->logical_block_size), -ERANGE);
	blk_scatter_read(kt, bd);
out:
	kfree(buf);
	block_put(bd);
}

/* ---- writes to the scratch disk --------------------------------------------------- */

/* The ranges blk_write_verify writes; tests/integration/test_blk.py
 * computes the same ones to check the image. */
static void blk_write_range(int k, u64 nr_sectors, u64 *sector, u32 *n)
{
	*n = (u32)(1 + (k * 13) % 64);
	*sector = ((u64)k * 7919 + (u64)k * k * 31) % (nr_sectors - *n);
}

#define BLK_WRITES 200

KTEST_MANUAL(blk_write_verify)
{
	struct block_device *bd = block_get("vdb");
	u8 *w = kmalloc(64 * SECTOR_SIZE, GFP_KERNEL);
	u8 *r = kmalloc(64 * SECTOR_SIZE, GFP_KERNEL);
	struct block_stats st;

	KT_ASSERT(bd && w && r);
	blk_describe(bd);
	KT_ASSERT(!bd->read_only);
	KT_ASSERT_EQ(bd->logical_block_size, SECTOR_SIZE);
	for (int k = 0; k < BLK_WRITES; k++) {
		u64 s;
		u32 n;

		blk_write_range(k, bd->nr_sectors, &s, &n);
		blk_fill(w, s, n, BLK_WRITE_XOR);
		if (k % 2 && n >= 2) {
			/* Every other range as two segments, tail first in
			 * memory: the device must write them in list order. */
			u32 h = n / 2;
			struct blk_seg segs[2] = {
				{ virt_to_phys(r), h << SECTOR_SHIFT },
				{ virt_to_phys(w + (h << SECTOR_SHIFT)), (n - h) << SECTOR_SHIFT },
			};

			memcpy(r, w, h << SECTOR_SHIFT);
			KT_ASSERT_EQ(block_rw_segs(bd, BLK_OP_WRITE, s, segs, 2,
						   n << SECTOR_SHIFT), 0);
		} else {
			KT_ASSERT_EQ(block_rw(bd, BLK_OP_WRITE, s, w, n << SECTOR_SHIFT), 0);
		}
		memset(r, 0, n << SECTOR_SHIFT);
		KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, s, r, n << SECTOR_SHIFT), 0);
		KT_ASSERT(blk_check(r, s, n, BLK_WRITE_XOR));
	}
	/* The device has a write cache (QEMU's default): flush it so the
	 * host sees everything when QEMU exits. */
	KT_ASSERT_EQ(block_flush(bd), 0);
	block_get_stats(bd, &st);
	KT_ASSERT(st.ios[1] >= BLK_WRITES && st.ios[0] >= BLK_WRITES);
	KT_ASSERT(!bd->has_flush || st.flushes >= 1);
	KT_ASSERT_EQ(st.errors, 0);
	pr_info("BLKTEST %s wrote %d ranges\n", bd->name, BLK_WRITES);
	kfree(w);
	kfree(r);
	block_put(bd);
}

/* ---- many requests at once -------------------------------------------------------- */

#define BLK_CONCURRENT 512

struct blk_batch {
	struct completion all;
	u32 left;                       /* atomic: ends run on several CPUs */
	u32 failed;                     /* atomic */
};

static void batch_end_io(struct blk_request *rq)
{
	struct blk_batch *b = rq->private;

	if (rq->status)
		__atomic_add_fetch(&b->failed, 1, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&b->left, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->all);
}

struct blk_burst {
	struct block_device *bd;
	struct blk_request *rqs;
	u8 *bufs;
	struct blk_batch *b;
	int submit_err;
};

/* Submit every request in one burst with interrupts off. The thread runs
 * on the CPU that takes its queue's interrupt (the queue's affinity), so
 * nothing is collected until the burst is in: more requests than ring
 * entries means the ring fills and the rest must wait on the pending
 * list, whatever the device's speed. */
static void blk_burst_submit(void *arg)
{
	struct blk_burst *s = arg;
	u64 rng = 42;

	irq_disable();
	for (int i = 0; i < BLK_CONCURRENT; i++) {
		struct blk_request *rq = &s->rqs[i];

		rq->bdev = s->bd;
		rq->op = BLK_OP_READ;
		rq->sector = ALIGN_DOWN(t_rand(&rng) % (s->bd->nr_sectors - 7), 8ULL);
		rq->buf = s->bufs + (size_t)i * 4096;
		rq->len = 4096;
		rq->end_io = batch_end_io;
		rq->private = s->b;
		s->submit_err = block_submit(rq);
		if (s->submit_err) {
			/* The rest will never complete: count them off. */
			if (__atomic_sub_fetch(&s->b->left, BLK_CONCURRENT - i,
					       __ATOMIC_ACQ_REL) == 0)
				complete(&s->b->all);
			break;
		}
	}
	irq_enable();
}

KTEST_MANUAL(blk_concurrent)
{
	struct block_device *bd = block_get("vda");
	struct blk_request *rqs = kzalloc(sizeof(*rqs) * BLK_CONCURRENT, GFP_KERNEL);
	u8 *bufs = kmalloc((size_t)BLK_CONCURRENT * 4096, GFP_KERNEL);
	struct virtio_blk_queue_stats before, after;
	struct blk_batch b = { .left = BLK_CONCURRENT };
	struct blk_burst burst = { .bd = bd, .rqs = rqs, .bufs = bufs, .b = &b };
	struct task *t;
	unsigned q;
	int bad = 0;

	KT_ASSERT(bd && rqs && bufs);
	KT_ASSERT(bd->nr_sectors >= 8);
	completion_init(&b.all);
	/* Queue q is used by CPU q (q < nr_queues <= CPUs) and, through its
	 * affinity, interrupts CPU q. */
	q = 0;
	KT_ASSERT_EQ(virtio_blk_queue_stats(bd, q, &before), 0);
	t = kthread_create(blk_burst_submit, &burst, "blk-burst", q);
	KT_ASSERT(!IS_ERR(t));
	kthread_join(t);
	wait_for_completion(&b.all);
	KT_ASSERT_EQ(burst.submit_err, 0);
	KT_ASSERT_EQ(b.failed, 0);
	for (int i = 0; i < BLK_CONCURRENT; i++)
		bad += !blk_check(rqs[i].buf, rqs[i].sector, 8, 0);
	KT_ASSERT_EQ(bad, 0);

	KT_ASSERT_EQ(virtio_blk_queue_stats(bd, q, &after), 0);
	pr_info("BLKTEST %s concurrent %d: queue %u max_in_flight=%u pended=%lu\n",
		bd->name, BLK_CONCURRENT, q, after.max_in_flight,
		(unsigned long)(after.pended - before.pended));
	KT_ASSERT(after.max_in_flight >= 64);
	/* More requests than ring entries: some waited for room, and went
	 * on when completions freed it. */
	KT_ASSERT(after.pended > before.pended);
	KT_ASSERT(after.requests - before.requests >= BLK_CONCURRENT);
	blk_print_queues(bd);
	kfree(rqs);
	kfree(bufs);
	block_put(bd);
}

/* ---- read-only device ---------------------------------------------------------- */

KTEST_MANUAL(blk_readonly)
{
	struct block_device *bd = block_get("vda");
	u8 *buf = kzalloc(4096, GFP_KERNEL);
	struct blk_request rq = { 0 };

	KT_ASSERT(bd && buf);
	blk_describe(bd);
	KT_ASSERT(bd->read_only);
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_WRITE, 0, buf, 4096), -EROFS);
	rq.bdev = bd;
	rq.op = BLK_OP_WRITE;
	rq.buf = buf;
	rq.len = 4096;
	rq.end_io = batch_end_io;
	KT_ASSERT_EQ(block_submit(&rq), -EROFS);
	/* Reads still work, and the refused write changed nothing. */
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, 0, buf, 4096), 0);
	KT_ASSERT(blk_check(buf, 0, 8, 0));
	kfree(buf);
	block_put(bd);
}

/* ---- every queue, from every CPU -------------------------------------------------- */

static struct task mq_tasks[T_MAX_CPUS];
static u8 mq_stacks[T_MAX_CPUS][T_STACK] __aligned(16);
static u32 mq_errors;                   /* atomic */

static void mq_worker(void *arg)
{
	struct block_device *bd = arg;
	u8 *buf = kmalloc(4096, GFP_KERNEL);
	u64 rng = 77 + this_cpu()->id;

	if (!buf) {
		__atomic_add_fetch(&mq_errors, 1, __ATOMIC_RELAXED);
		return;
	}
	for (int i = 0; i < 100; i++) {
		u64 s = ALIGN_DOWN(t_rand(&rng) % (bd->nr_sectors - 7), 8ULL);

		if (block_rw(bd, BLK_OP_READ, s, buf, 4096) || !blk_check(buf, s, 8, 0))
			__atomic_add_fetch(&mq_errors, 1, __ATOMIC_RELAXED);
	}
	kfree(buf);
}

KTEST_MANUAL(blk_mq)
{
	struct block_device *bd = block_get("vda");
	u32 cpus = MIN(cpu_count(), (u32)T_MAX_CPUS);
	struct virtio_blk_queue_stats s;

	KT_ASSERT(bd);
	blk_describe(bd);
	mq_errors = 0;
	for (u32 c = 0; c < cpus; c++)
		KT_ASSERT_EQ(task_start(&mq_tasks[c], "blk-mq", mq_worker, bd,
					mq_stacks[c], T_STACK, c), 0);
	for (u32 c = 0; c < cpus; c++)
		task_join(&mq_tasks[c]);
	KT_ASSERT_EQ(mq_errors, 0);
	blk_print_queues(bd);
	/* A queue per CPU (as far as the device has them), each used by the
	 * CPUs that map to it, each completing on its own vector. */
	KT_ASSERT(bd->nr_queues >= 1 && bd->nr_queues <= cpus);
	for (unsigned q = 0; q < bd->nr_queues; q++) {
		KT_ASSERT_EQ(virtio_blk_queue_stats(bd, q, &s), 0);
		KT_ASSERT(s.requests >= 100);
		KT_ASSERT(s.interrupts >= 1);
	}
	block_put(bd);
}

/* ---- capacity change ----------------------------------------------------------- */

KTEST_MANUAL(blk_resize)
{
	struct block_device *bd = block_get("vdb");
	u64 old, deadline = ktime_get() + 30000000000ULL;
	u8 *buf = kmalloc(SECTOR_SIZE, GFP_KERNEL);

	KT_ASSERT(bd && buf);
	old = bd->nr_sectors;
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, old, buf, SECTOR_SIZE), -ERANGE);
	/* The host resizes the drive (QMP block_resize) when it sees this. */
	pr_info("BLKTEST %s waiting for resize from %lu sectors\n", bd->name,
		(unsigned long)old);
	while (READ_ONCE(bd->nr_sectors) == old && ktime_get() < deadline)
		msleep(10);
	pr_info("BLKTEST %s now %lu sectors\n", bd->name,
		(unsigned long)bd->nr_sectors);
	KT_ASSERT(bd->nr_sectors > old);
	/* The new space is there (the host extended the file with zeros). */
	memset(buf, 0xee, SECTOR_SIZE);
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, bd->nr_sectors - 1, buf, SECTOR_SIZE), 0);
	for (u32 i = 0; i < SECTOR_SIZE; i++)
		KT_ASSERT_EQ(buf[i], 0);
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, bd->nr_sectors, buf, SECTOR_SIZE), -ERANGE);
	kfree(buf);
	block_put(bd);
}

/* ---- unbind with requests in flight ------------------------------------------------- */

static struct task unbind_task;
static u8 unbind_stack[T_STACK] __aligned(16);

static void unbind_worker(void *arg)
{
	device_unbind(arg);
}

#define UNBIND_REQS 64

KTEST_MANUAL(blk_unbind)
{
	struct block_device *bd = block_get("vdb"), *again;
	struct blk_request *rqs = kzalloc(sizeof(*rqs) * UNBIND_REQS, GFP_KERNEL);
	u8 *bufs = kmalloc((size_t)UNBIND_REQS * 4096, GFP_KERNEL);
	struct blk_batch b = { .left = UNBIND_REQS };
	struct device *dev;
	struct device_driver *drv;
	u64 deadline;

	KT_ASSERT(bd && rqs && bufs);
	dev = bd->dev;
	drv = dev->driver;
	KT_ASSERT(dev && drv);
	completion_init(&b.all);
	for (int i = 0; i < UNBIND_REQS; i++) {
		rqs[i] = (struct blk_request){ .bdev = bd, .op = BLK_OP_READ,
			.sector = (u64)i * 8, .buf = bufs + (size_t)i * 4096,
			.len = 4096, .end_io = batch_end_io, .private = &b };
		KT_ASSERT_EQ(block_submit(&rqs[i]), 0);
	}
	/* Unbind from another thread: remove() waits for our reference. */
	KT_ASSERT_EQ(task_start(&unbind_task, "blk-unbind", unbind_worker, dev,
				unbind_stack, T_STACK, TASK_ANY_CPU), 0);
	deadline = ktime_get() + 10000000000ULL;
	while ((again = block_get("vdb")) && ktime_get() < deadline) {
		block_put(again);
		msleep(1);
	}
	KT_ASSERT(!again);
	/* Gone: new requests are refused; the ones in flight all ended
	 * (completed, or failed with -EIO), each exactly once. */
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, 0, bufs, 4096), -ENODEV);
	wait_for_completion(&b.all);
	KT_ASSERT_EQ(b.left, 0);
	for (int i = 0; i < UNBIND_REQS; i++)
		KT_ASSERT(rqs[i].status == 0 || rqs[i].status == -EIO);
	pr_info("BLKTEST unbind: %u of %d requests failed\n", b.failed, UNBIND_REQS);
	block_put(bd);          /* lets remove() finish and free bd */
	task_join(&unbind_task);
	KT_ASSERT(!dev->driver);

	/* Bind again: the name is free and comes back. */
	KT_ASSERT_EQ(device_bind(dev, drv), 0);
	again = block_get("vdb");
	KT_ASSERT(again);
	KT_ASSERT_EQ(block_rw(again, BLK_OP_READ, 0, bufs, 4096), 0);
	block_put(again);
	kfree(rqs);
	kfree(bufs);
}
