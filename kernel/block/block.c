/*
 * The block layer: the registry of block devices, request validation and
 * accounting, and the synchronous wrappers (see block.h for the contract).
 *
 * Locking:
 *   block_lock     the device list, each device's refs and reg_seq;
 *   bd->lock       bd->gone and bd->stats (taken from completion
 *                  interrupts too, so always with interrupts off).
 * Neither is held while a driver's submit or a request's end_io runs: a
 * driver takes its own queue locks, and end_io may submit again.
 */
#include "kernel/block/block.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/page.h"
#include "kernel/sched/wait.h"
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/x86.h"

static struct spinlock block_lock = SPINLOCK_INIT("block");
static struct list_node block_devices = LIST_INIT(block_devices);
static u64 block_next_seq = 1;          /* block_lock */
/* Woken when a device's last reference goes (block_wait_unused). */
static struct wait_queue block_unused_wq = WAIT_QUEUE_INIT(block_unused_wq, "block-unused");

/* ---- the registry ------------------------------------------------------------ */

/* A registered device by name, or NULL. block_lock held. */
static struct block_device *block_find_locked(const char *name)
{
	struct block_device *bd;

	list_for_each_entry(bd, &block_devices, node)
		if (!strcmp(bd->name, name))
			return bd;
	return NULL;
}

int block_register(struct block_device *bd)
{
	unsigned long f;
	u32 lbs = bd->logical_block_size;

	if (!bd->name[0] || !bd->ops || !bd->ops->submit ||
	    lbs < SECTOR_SIZE || (lbs & (lbs - 1)))
		return -EINVAL;
	bd->lock = (struct spinlock)SPINLOCK_INIT("block_device");
	memset(&bd->stats, 0, sizeof(bd->stats));
	bd->gone = false;
	bd->refs = 0;

	f = spin_lock_irqsave(&block_lock);
	if (block_find_locked(bd->name)) {
		spin_unlock_irqrestore(&block_lock, f);
		return -EEXIST;
	}
	bd->reg_seq = block_next_seq++;
	list_add_tail(&bd->node, &block_devices);
	spin_unlock_irqrestore(&block_lock, f);
	return 0;
}

void block_unregister(struct block_device *bd)
{
	unsigned long f = spin_lock_irqsave(&bd->lock);

	/* First refuse new requests, then leave the namespace: whoever sees
	 * the name gone also sees block_submit() fail. A request that passed
	 * the check just before is the driver's to finish or fail. */
	bd->gone = true;
	spin_unlock_irqrestore(&bd->lock, f);

	f = spin_lock_irqsave(&block_lock);
	list_del(&bd->node);
	spin_unlock_irqrestore(&block_lock, f);
}

void block_wait_unused(struct block_device *bd)
{
	wait_event(&block_unused_wq, READ_ONCE(bd->refs) == 0);
}

struct block_device *block_get(const char *name)
{
	unsigned long f = spin_lock_irqsave(&block_lock);
	struct block_device *bd = block_find_locked(name);

	if (bd)
		bd->refs++;
	spin_unlock_irqrestore(&block_lock, f);
	return bd;
}

void block_put(struct block_device *bd)
{
	unsigned long f;
	bool last;

	if (!bd)
		return;
	f = spin_lock_irqsave(&block_lock);
	BUG_ON(bd->refs == 0);
	last = --bd->refs == 0;
	spin_unlock_irqrestore(&block_lock, f);
	if (last)
		wake_up(&block_unused_wq);
}

struct block_device *block_next(struct block_device *prev)
{
	unsigned long f = spin_lock_irqsave(&block_lock);
	u64 after = prev ? prev->reg_seq : 0;
	struct block_device *bd, *found = NULL;

	/* By sequence number, not by prev's list links: prev may have been
	 * unregistered (and taken off the list) since it was handed out. */
	list_for_each_entry(bd, &block_devices, node)
		if (bd->reg_seq > after) {
			found = bd;
			break;
		}
	if (found)
		found->refs++;
	spin_unlock_irqrestore(&block_lock, f);
	return found;
}

/* ---- submission ----------------------------------------------------------------- */

/*
 * Request times for the statistics come from the TSC, not ktime_get():
 * where the clocksource is the HPET (TCG has no invariant TSC), each
 * ktime_get() is an MMIO read that traps to the hypervisor, twice per
 * request. A duration needs no more than the TSC, whose rate is
 * calibrated; a completion on another CPU may read a TSC a little behind
 * the submitter's, which counts as 0.
 */
static u64 block_stamp(void)
{
	return rdtsc() | 1;                     /* never 0: "accounted" */
}

static u64 block_elapsed_ns(u64 stamp)
{
	u64 now = rdtsc(), khz = clock_tsc_khz(), d;

	if (now <= stamp || !khz)
		return 0;
	d = now - stamp;
	/* In two parts, so that no product overflows. */
	return d / khz * 1000000u + d % khz * 1000000u / khz;
}

/* The buffer is one the driver can hand to a device (see block.h). */
static bool block_buf_ok(const void *buf, u32 len)
{
	uintptr_t a = (uintptr_t)buf;

	if (a >= KERNEL_VMA)
		return a + len - 1 >= a;
	return a >= DIRECT_MAP_BASE && a - DIRECT_MAP_BASE < DIRECT_MAP_SIZE &&
	       len <= DIRECT_MAP_SIZE - (a - DIRECT_MAP_BASE);
}

/* A segment is RAM the frame allocator knows (its first and last frame
 * have descriptors): a device is never pointed at MMIO or a hole. */
static bool block_seg_in_ram(const struct blk_seg *s)
{
	u64 last = s->phys + s->len - 1;

	return last >= s->phys && pfn_to_page(s->phys >> PAGE_SHIFT) &&
	       pfn_to_page(last >> PAGE_SHIFT);
}

/* The scatter vector of a read or write (see block.h). */
static int block_check_segs(const struct blk_request *rq)
{
	const struct block_device *bd = rq->bdev;
	u64 total = 0;

	if (rq->buf || !rq->segs || !rq->nr_segs ||
	    (bd->max_segments && rq->nr_segs > bd->max_segments))
		return -EINVAL;
	for (u32 i = 0; i < rq->nr_segs; i++) {
		const struct blk_seg *s = &rq->segs[i];

		if (!s->len || s->len % bd->logical_block_size ||
		    (bd->max_segment_size && s->len > bd->max_segment_size))
			return -EINVAL;
		if (!block_seg_in_ram(s))
			return -EFAULT;
		total += s->len;
	}
	return total == rq->len ? 0 : -EINVAL;
}

static int block_check(const struct blk_request *rq)
{
	const struct block_device *bd = rq->bdev;
	u64 nr_sectors = READ_ONCE(bd->nr_sectors);     /* a resize may change it */
	u32 lbs = bd->logical_block_size;

	switch (rq->op) {
	case BLK_OP_WRITE:
		if (bd->read_only)
			return -EROFS;
		/* fall through */
	case BLK_OP_READ:
		if (!rq->len || rq->len % lbs || (rq->sector << SECTOR_SHIFT) % lbs)
			return -EINVAL;
		if (bd->max_bytes && rq->len > bd->max_bytes)
			return -EINVAL;
		/* Written so that sector + count cannot overflow. */
		if (rq->sector > nr_sectors ||
		    (rq->len >> SECTOR_SHIFT) > nr_sectors - rq->sector)
			return -ERANGE;
		break;
	case BLK_OP_FLUSH:
		if (rq->len)
			return -EINVAL;
		return 0;
	case BLK_OP_GET_ID:
		if (!rq->len)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (rq->segs || rq->nr_segs) {
		if (rq->op != BLK_OP_READ && rq->op != BLK_OP_WRITE)
			return -EINVAL;
		return block_check_segs(rq);
	}
	return block_buf_ok(rq->buf, rq->len) ? 0 : -EFAULT;
}

int block_submit(struct blk_request *rq)
{
	struct block_device *bd = rq->bdev;
	unsigned long f;
	int err;

	if (!bd || !rq->end_io)
		return -EINVAL;
	err = block_check(rq);
	if (err)
		return err;

	f = spin_lock_irqsave(&bd->lock);
	if (bd->gone) {
		spin_unlock_irqrestore(&bd->lock, f);
		return -ENODEV;
	}
	bd->stats.in_flight++;
	spin_unlock_irqrestore(&bd->lock, f);
	rq->status = 0;
	rq->submit_tsc = block_stamp();

	/* §5.2.6.3: without VIRTIO_BLK_F_FLUSH (and in general, without a
	 * volatile cache) writes are durable when they complete: a flush has
	 * nothing to do. */
	if (rq->op == BLK_OP_FLUSH && !bd->has_flush) {
		blk_request_done(rq);
		return 0;
	}
	err = bd->ops->submit(bd, rq);
	if (err) {
		f = spin_lock_irqsave(&bd->lock);
		bd->stats.in_flight--;
		bd->stats.errors++;
		spin_unlock_irqrestore(&bd->lock, f);
	}
	return err;
}

void blk_request_done(struct blk_request *rq)
{
	struct block_device *bd = rq->bdev;
	struct block_stats *st = &bd->stats;
	unsigned long f;
	int dir = rq->op == BLK_OP_WRITE;

	if (rq->submit_tsc) {
		u64 ns = block_elapsed_ns(rq->submit_tsc);

		f = spin_lock_irqsave(&bd->lock);
		st->in_flight--;
		if (rq->status) {
			st->errors++;
		} else if (rq->op == BLK_OP_READ || rq->op == BLK_OP_WRITE) {
			st->ios[dir]++;
			st->sectors[dir] += rq->len >> SECTOR_SHIFT;
			st->ticks_ns[dir] += ns;
		} else if (rq->op == BLK_OP_FLUSH) {
			st->flushes++;
		}
		spin_unlock_irqrestore(&bd->lock, f);
	}
	rq->end_io(rq);
}

void block_get_stats(struct block_device *bd, struct block_stats *out)
{
	unsigned long f = spin_lock_irqsave(&bd->lock);

	*out = bd->stats;
	spin_unlock_irqrestore(&bd->lock, f);
}

/* ---- synchronous I/O ------------------------------------------------------------- */

static void block_sync_end_io(struct blk_request *rq)
{
	complete(rq->private);
}

/* Submit rq (filled in but for its completion) and wait for it. */
static int block_wait_rq(struct blk_request *rq, size_t len)
{
	struct completion done;
	int err;

	if (len > 0xffffffffu)
		return -EINVAL;
	rq->len = (u32)len;
	rq->end_io = block_sync_end_io;
	rq->private = &done;
	completion_init(&done);
	err = block_submit(rq);
	if (err)
		return err;
	/* end_io runs exactly once, and complete() is its last touch of
	 * `done`, so the stack frame may go once we are through. */
	wait_for_completion(&done);
	return rq->status;
}

int block_rw(struct block_device *bd, enum blk_op op, u64 sector, void *buf,
	     size_t len)
{
	struct blk_request rq = { .bdev = bd, .op = op, .sector = sector, .buf = buf };

	return block_wait_rq(&rq, len);
}

int block_rw_segs(struct block_device *bd, enum blk_op op, u64 sector,
		  const struct blk_seg *segs, u32 nr_segs, size_t len)
{
	struct blk_request rq = {
		.bdev = bd, .op = op, .sector = sector, .segs = segs, .nr_segs = nr_segs,
	};

	return block_wait_rq(&rq, len);
}

int block_flush(struct block_device *bd)
{
	return block_rw(bd, BLK_OP_FLUSH, 0, NULL, 0);
}
