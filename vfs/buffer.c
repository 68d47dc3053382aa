/*
 * The buffer cache (see buffer.h for the contract).
 *
 * Locks, outermost first:
 *   bc_wb_lock  one write-back batch at a time (sync, flusher, eviction),
 *               so a batch may hold several buffer locks without
 *               deadlocking against another batch;
 *   b->lock     the task doing I/O on b (a reader holds only one);
 *   bc_lock     the hash, the LRU and dirty lists, refs, flags,
 *               dirty_since and the statistics. Never held across I/O.
 * Completion callbacks run in interrupt context and take none of them:
 * they store the status, fire b->io_done and, as their last touch of the
 * buffer, set b->io_ended; the waiter (or, for a read-ahead nobody waited
 * for, the next user of the buffer) moves the result into b->flags under
 * bc_lock (bc_settle). Only once io_ended is seen may an unheld buffer be
 * freed.
 *
 * Read-ahead and write-back go to the device in runs: consecutive blocks
 * of one device become one request (struct bc_run) with a segment per
 * physically contiguous piece of their data, up to BC_RUN_MAX blocks and
 * the device's limits.
 */
#include "vfs/buffer.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/x86.h"

#define BC_HASH_BITS 10
#define BC_HASH_SIZE (1u << BC_HASH_BITS)
#define BC_BATCH 128                    /* buffers per write-back batch */
#define BC_RUN_MAX 128                  /* blocks per read-ahead/write-back request */
#define BC_MAX_SIZE 65536u

/* One request over a run of consecutive blocks: their buffers in block
 * order and the segments of their data. Allocated by bc_submit_run,
 * freed by its completion. */
struct bc_run {
	struct blk_request rq;
	u32 n;
	struct buffer *bufs[BC_RUN_MAX];
	struct blk_seg segs[BC_RUN_MAX];
};

static struct mutex bc_lock = MUTEX_INIT(bc_lock, "bcache");
static struct mutex bc_wb_lock = MUTEX_INIT(bc_wb_lock, "bcache_wb");
/* All under bc_lock. */
static struct list_node bc_hash[BC_HASH_SIZE];
static bool bc_hash_ready;
static struct list_node bc_lru = LIST_INIT(bc_lru);     /* unheld, LRU first */
static struct list_node bc_dirty = LIST_INIT(bc_dirty); /* DIRTY or WRITING */
static u64 bc_limit = 16u << 20;
static struct bcache_stats bc_stats;

static struct list_node *bc_bucket(struct block_device *bd, u64 blocknr)
{
	u64 h = ((uintptr_t)bd >> 4) ^ (blocknr * 0x9e3779b97f4a7c15ull);

	if (!bc_hash_ready) {
		for (u32 i = 0; i < BC_HASH_SIZE; i++)
			list_init(&bc_hash[i]);
		bc_hash_ready = true;
	}
	return &bc_hash[(h ^ (h >> 29)) & (BC_HASH_SIZE - 1)];
}

static struct buffer *bc_lookup(struct block_device *bd, u64 blocknr, u32 size)
{
	struct list_node *head = bc_bucket(bd, blocknr);
	struct buffer *b;

	list_for_each_entry(b, head, hash_node)
		if (b->bdev == bd && b->blocknr == blocknr && b->size == size)
			return b;
	return NULL;
}

/* Fold a finished read-ahead into the flags (bc_lock held). */
static void bc_settle(struct buffer *b)
{
	if ((b->flags & BUF_READING) &&
	    __atomic_load_n(&b->io_ended, __ATOMIC_ACQUIRE)) {
		b->flags &= ~BUF_READING;
		if (!b->io_status)
			b->flags |= BUF_UPTODATE;
	}
}

static void bc_hold(struct buffer *b)
{
	if (!b->refs++)
		list_del(&b->lru_node);
}

static void bc_free(struct buffer *b)
{
	kfree(b->data);
	kfree(b);
}

/* Unlink unheld idle buffers, oldest first, until the cache is at most
 * target bytes; they go on *out to be freed outside bc_lock. */
static void bc_shrink_locked(u64 target, struct list_node *out)
{
	struct buffer *b, *tmp;

	list_for_each_entry_safe(b, tmp, &bc_lru, lru_node) {
		if (bc_stats.bytes <= target)
			break;
		bc_settle(b);
		if (b->flags & (BUF_DIRTY | BUF_READING | BUF_WRITING))
			continue;
		list_del(&b->lru_node);
		list_del(&b->hash_node);
		bc_stats.bytes -= b->size;
		bc_stats.evictions++;
		list_add_tail(&b->lru_node, out);
	}
}

static void bc_free_list(struct list_node *l)
{
	struct buffer *b, *tmp;

	list_for_each_entry_safe(b, tmp, l, lru_node)
		bc_free(b);
}

static void bc_shrink(u64 target)
{
	struct list_node dead = LIST_INIT(dead);

	mutex_lock(&bc_lock);
	bc_shrink_locked(target, &dead);
	mutex_unlock(&bc_lock);
	bc_free_list(&dead);
}

static struct buffer *bc_alloc(struct block_device *bd, u64 blocknr, u32 size)
{
	struct buffer *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return NULL;
	b->data = kmalloc(size, GFP_KERNEL);
	if (!b->data) {
		kfree(b);
		return NULL;
	}
	b->bdev = bd;
	b->blocknr = blocknr;
	b->size = size;
	b->refs = 1;
	list_init(&b->hash_node);
	list_init(&b->lru_node);
	list_init(&b->dirty_node);
	mutex_init(&b->lock, "buffer");
	completion_init(&b->io_done);
	return b;
}

/* The cached buffer for (bd, blocknr, size), held; created empty if absent. */
static struct buffer *bc_getblk(struct block_device *bd, u64 blocknr, u32 size)
{
	struct list_node dead = LIST_INIT(dead);
	struct buffer *b, *nb;

	if (!size || size > BC_MAX_SIZE || size % bd->logical_block_size ||
	    blocknr >= block_size_bytes(bd) / size)
		return ERR_PTR(-EINVAL);
	mutex_lock(&bc_lock);
	b = bc_lookup(bd, blocknr, size);
	if (b) {
		bc_hold(b);
		mutex_unlock(&bc_lock);
		return b;
	}
	mutex_unlock(&bc_lock);

	nb = bc_alloc(bd, blocknr, size);
	if (!nb) {
		/* Memory pressure: give back what the cache can and retry. */
		bcache_writeback_old(0);
		bc_shrink(0);
		nb = bc_alloc(bd, blocknr, size);
		if (!nb)
			return ERR_PTR(-ENOMEM);
	}
	mutex_lock(&bc_lock);
	b = bc_lookup(bd, blocknr, size);
	if (b) {
		/* Another task created it meanwhile. */
		bc_hold(b);
		mutex_unlock(&bc_lock);
		bc_free(nb);
		return b;
	}
	list_add(&nb->hash_node, bc_bucket(bd, blocknr));
	bc_stats.bytes += size;
	if (bc_stats.bytes > bc_limit)
		bc_shrink_locked(bc_limit, &dead);
	mutex_unlock(&bc_lock);
	bc_free_list(&dead);
	return nb;
}

/* b's I/O finished with status. Interrupt context. */
static void bc_finish(struct buffer *b, int status)
{
	b->io_status = status;
	complete_all(&b->io_done);
	/* Last: from here b may be settled and freed (bc_settle). */
	__atomic_store_n(&b->io_ended, 1, __ATOMIC_RELEASE);
}

/* Re-arm b for an I/O of the caller's (its owner for that I/O). */
static void bc_io_start(struct buffer *b)
{
	completion_init(&b->io_done);
	__atomic_store_n(&b->io_ended, 0, __ATOMIC_RELAXED);
}

/* Wait for the I/O in flight on b to end. io_ended follows io_done within
 * the completion handler, so the spin is at most that long. */
static void bc_wait_io(struct buffer *b)
{
	wait_for_completion(&b->io_done);
	while (!__atomic_load_n(&b->io_ended, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void bc_end_io(struct blk_request *rq)
{
	bc_finish(rq->private, rq->status);
}

/* Start op on b's block alone; io_done fires when it finishes. The
 * caller re-armed it (bc_io_start). */
static int bc_submit(struct buffer *b, enum blk_op op)
{
	b->rq = (struct blk_request){
		.bdev = b->bdev,
		.op = op,
		.sector = b->blocknr * (b->size >> SECTOR_SHIFT),
		.buf = b->data,
		.len = b->size,
		.end_io = bc_end_io,
		.private = b,
	};
	list_init(&b->rq.node);
	return block_submit(&b->rq);
}

static void bc_run_end_io(struct blk_request *rq)
{
	struct bc_run *r = rq->private;

	for (u32 i = 0; i < r->n; i++)
		bc_finish(r->bufs[i], rq->status);
	kfree(r);
}

/* How many blocks of size bytes one request to bd may cover. */
static u32 bc_run_limit(const struct block_device *bd, u32 size)
{
	u32 n = BC_RUN_MAX;

	if (bd->max_segment_size && size > bd->max_segment_size)
		return 1;               /* the driver cuts each block up */
	if (bd->max_segments)
		n = MIN(n, bd->max_segments);
	if (bd->max_bytes)
		n = MIN(n, bd->max_bytes / size);
	return MAX(n, 1u);
}

/* Can b follow run[n - 1] in a run of at most limit blocks? */
static bool bc_run_extends(struct buffer *const *run, u32 n, u32 limit,
			   const struct buffer *b)
{
	const struct buffer *last = run[n - 1];

	return n < limit && last->bdev == b->bdev && last->size == b->size &&
	       last->blocknr + 1 == b->blocknr;
}

/*
 * Start op on run[0..n): consecutive blocks of one device within
 * bc_run_limit, each re-armed for this I/O by the caller. One request
 * when there is memory for its descriptor, else one per block. Whatever
 * cannot be submitted finishes at once with the error, so every buffer's
 * io_done fires exactly once either way.
 */
static void bc_submit_run(struct buffer *const *run, u32 n, enum blk_op op)
{
	struct block_device *bd = run[0]->bdev;
	u32 seg_max = bd->max_segment_size ? bd->max_segment_size : ~0u;
	/* Write-back runs for memory (it holds bc_wb_lock and buffer
	 * locks): it must not wait for reclaim, which may write back. */
	gfp_t gfp = op == BLK_OP_WRITE ? GFP_ATOMIC : GFP_KERNEL;
	struct bc_run *r = n > 1 ? kmalloc(sizeof(*r), gfp) : NULL;
	int err;

	if (r) {
		u32 nr = 0;

		/* Blocks whose data lie back to back in memory share a
		 * segment: fewer descriptors for the device to walk. */
		for (u32 i = 0; i < n; i++) {
			u64 addr = blk_seg_addr(run[i]->data);
			struct blk_seg *last = nr ? &r->segs[nr - 1] : NULL;

			r->bufs[i] = run[i];
			if (last && last->phys + last->len == addr &&
			    last->len + run[i]->size <= seg_max)
				last->len += run[i]->size;
			else
				r->segs[nr++] = (struct blk_seg){ addr, run[i]->size };
		}
		r->n = n;
		r->rq = (struct blk_request){
			.bdev = bd,
			.op = op,
			.sector = run[0]->blocknr * (run[0]->size >> SECTOR_SHIFT),
			.segs = r->segs,
			.nr_segs = nr,
			.len = n * run[0]->size,
			.end_io = bc_run_end_io,
			.private = r,
		};
		list_init(&r->rq.node);
		if (!block_submit(&r->rq))
			return;
		kfree(r);
	}
	for (u32 i = 0; i < n; i++) {
		err = bc_submit(run[i], op);
		if (err)
			bc_finish(run[i], err);
	}
}

/* Read b in synchronously; b->lock held. */
static int bc_read_sync(struct buffer *b)
{
	int err;

	bc_io_start(b);
	err = bc_submit(b, BLK_OP_READ);
	if (err)
		return err;
	bc_wait_io(b);
	return b->io_status;
}

/* A lookup found b uptodate (bc_lock held). */
static void bc_count_hit(struct buffer *b)
{
	bc_stats.hits++;
	if (b->flags & BUF_RA) {
		b->flags &= ~BUF_RA;
		bc_stats.ra_hits++;
	}
}

struct buffer *bcache_read(struct block_device *bd, u64 blocknr, u32 size)
{
	struct buffer *b = bc_getblk(bd, blocknr, size);
	bool uptodate, reading;
	int err = 0;

	if (IS_ERR(b))
		return b;
	mutex_lock(&bc_lock);
	bc_settle(b);
	uptodate = b->flags & BUF_UPTODATE;
	if (uptodate)
		bc_count_hit(b);
	mutex_unlock(&bc_lock);
	if (uptodate)
		return b;

	mutex_lock(&b->lock);
	mutex_lock(&bc_lock);
	bc_settle(b);
	reading = b->flags & BUF_READING;
	uptodate = b->flags & BUF_UPTODATE;
	mutex_unlock(&bc_lock);
	if (reading) {
		bc_wait_io(b);
		mutex_lock(&bc_lock);
		bc_settle(b);
		uptodate = b->flags & BUF_UPTODATE;
		if (uptodate)
			bc_count_hit(b);
		mutex_unlock(&bc_lock);
	}
	if (!uptodate) {
		err = bc_read_sync(b);
		mutex_lock(&bc_lock);
		if (!err) {
			b->flags |= BUF_UPTODATE;
			bc_stats.reads++;
		}
		bc_stats.misses++;
		mutex_unlock(&bc_lock);
	} else if (!reading) {
		mutex_lock(&bc_lock);
		bc_count_hit(b);
		mutex_unlock(&bc_lock);
	}
	mutex_unlock(&b->lock);
	if (err) {
		pr_err("bcache: %s: read error on block %lu (%u bytes): %d\n",
		       bd->name, (unsigned long)blocknr, size, err);
		bcache_release(b);
		return ERR_PTR(err < 0 ? err : -EIO);
	}
	return b;
}

struct buffer *bcache_get(struct block_device *bd, u64 blocknr, u32 size)
{
	struct buffer *b = bc_getblk(bd, blocknr, size);

	if (IS_ERR(b))
		return b;
	/* A read-ahead still in flight would overwrite the caller's data. */
	mutex_lock(&b->lock);
	mutex_lock(&bc_lock);
	bc_settle(b);
	if (b->flags & BUF_READING) {
		mutex_unlock(&bc_lock);
		bc_wait_io(b);
		mutex_lock(&bc_lock);
		bc_settle(b);
	}
	if (!(b->flags & BUF_UPTODATE)) {
		memset(b->data, 0, size);
		b->flags |= BUF_UPTODATE;
	}
	mutex_unlock(&bc_lock);
	mutex_unlock(&b->lock);
	return b;
}

bool bcache_cached(struct block_device *bd, u64 blocknr, u32 size)
{
	bool cached;

	mutex_lock(&bc_lock);
	cached = bc_lookup(bd, blocknr, size) != NULL;
	mutex_unlock(&bc_lock);
	return cached;
}

void bcache_readahead(struct block_device *bd, const u64 *blocks, u32 n, u32 size)
{
	struct buffer *run[BC_RUN_MAX];
	u32 nr = 0, limit;

	if (!size || size > BC_MAX_SIZE)
		return;
	limit = bc_run_limit(bd, size);
	for (u32 i = 0; i < n; i++) {
		struct buffer *b = bc_getblk(bd, blocks[i], size);
		bool start;

		if (IS_ERR(b))
			continue;
		/* Only a buffer nobody else knows about yet: then nothing
		 * else can be using io_done while it is re-armed. Until the
		 * run is submitted, a reader that finds it waits on io_done. */
		mutex_lock(&bc_lock);
		start = b->refs == 1 && !b->flags;
		if (start) {
			bc_io_start(b);
			b->flags |= BUF_READING | BUF_RA;
			bc_stats.readahead++;
		}
		mutex_unlock(&bc_lock);
		if (!start) {
			bcache_release(b);
			continue;
		}
		if (nr && !bc_run_extends(run, nr, limit, b)) {
			bc_submit_run(run, nr, BLK_OP_READ);
			while (nr)
				bcache_release(run[--nr]);
		}
		run[nr++] = b;
	}
	if (nr) {
		bc_submit_run(run, nr, BLK_OP_READ);
		while (nr)
			bcache_release(run[--nr]);
	}
}

void bcache_mark_dirty(struct buffer *b)
{
	mutex_lock(&bc_lock);
	if (!(b->flags & BUF_DIRTY)) {
		b->flags |= BUF_DIRTY | BUF_UPTODATE;
		b->dirty_since = ktime_get();
		bc_stats.dirty++;
		if (!(b->flags & BUF_WRITING))
			list_add_tail(&b->dirty_node, &bc_dirty);
	}
	mutex_unlock(&bc_lock);
}

void bcache_release(struct buffer *b)
{
	struct list_node dead = LIST_INIT(dead);

	mutex_lock(&bc_lock);
	BUG_ON(!b->refs);
	if (!--b->refs) {
		list_add_tail(&b->lru_node, &bc_lru);
		if (bc_stats.bytes > bc_limit)
			bc_shrink_locked(bc_limit, &dead);
	}
	mutex_unlock(&bc_lock);
	bc_free_list(&dead);
}

void bcache_forget(struct buffer *b)
{
	bool drop;

	mutex_lock(&bc_lock);
	BUG_ON(!b->refs);
	if (b->flags & BUF_DIRTY) {
		b->flags &= ~BUF_DIRTY;
		bc_stats.dirty--;
		if (!(b->flags & BUF_WRITING))
			list_del(&b->dirty_node);
	}
	bc_settle(b);
	drop = !--b->refs && !(b->flags & (BUF_READING | BUF_WRITING));
	if (drop) {
		list_del(&b->hash_node);
		bc_stats.bytes -= b->size;
	} else if (!b->refs) {
		list_add_tail(&b->lru_node, &bc_lru);
	}
	mutex_unlock(&bc_lock);
	if (drop)
		bc_free(b);
}

void bcache_discard(struct block_device *bd, u64 blocknr, u32 size)
{
	struct buffer *b;
	bool drop = false;

	mutex_lock(&bc_lock);
	b = bc_lookup(bd, blocknr, size);
	if (b) {
		bc_settle(b);
		drop = !b->refs && !(b->flags & (BUF_READING | BUF_WRITING));
	}
	if (drop) {
		if (b->flags & BUF_DIRTY) {
			bc_stats.dirty--;
			list_del(&b->dirty_node);
		}
		list_del(&b->lru_node);
		list_del(&b->hash_node);
		bc_stats.bytes -= b->size;
	}
	mutex_unlock(&bc_lock);
	if (drop)
		bc_free(b);
}

/* v in device, size and block order, so that runs are adjacent. */
static bool bc_before(const struct buffer *a, const struct buffer *b)
{
	if (a->bdev != b->bdev)
		return (uintptr_t)a->bdev < (uintptr_t)b->bdev;
	if (a->size != b->size)
		return a->size < b->size;
	return a->blocknr < b->blocknr;
}

static void bc_sort(struct buffer **v, u32 n)
{
	for (u32 i = 1; i < n; i++) {
		struct buffer *b = v[i];
		u32 j = i;

		for (; j && bc_before(b, v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = b;
	}
}

/*
 * Write v[0..n) (held by the caller; the holds are dropped here) and wait
 * for all of them. Requests are all submitted before the first wait so
 * the device sees a batch, consecutive blocks as one request. bc_wb_lock
 * held.
 */
static int bc_write_batch(struct buffer **v, u32 n)
{
	bool submitted[BC_BATCH];
	struct buffer *run[BC_RUN_MAX];
	u32 nr = 0, limit = 1;
	int err = 0;

	bc_sort(v, n);
	for (u32 i = 0; i < n; i++) {
		struct buffer *b = v[i];

		submitted[i] = false;
		mutex_lock(&b->lock);
		mutex_lock(&bc_lock);
		if (!(b->flags & BUF_DIRTY)) {
			mutex_unlock(&bc_lock);
			continue;
		}
		/* Cleared before the write starts: a change made while it is
		 * in flight dirties the buffer again. */
		b->flags = (b->flags & ~BUF_DIRTY) | BUF_WRITING;
		bc_stats.dirty--;
		mutex_unlock(&bc_lock);
		bc_io_start(b);
		submitted[i] = true;
		if (nr && !bc_run_extends(run, nr, limit, b)) {
			bc_submit_run(run, nr, BLK_OP_WRITE);
			nr = 0;
		}
		if (!nr)
			limit = bc_run_limit(b->bdev, b->size);
		run[nr++] = b;
	}
	if (nr)
		bc_submit_run(run, nr, BLK_OP_WRITE);
	for (u32 i = 0; i < n; i++) {
		struct buffer *b = v[i];

		if (submitted[i]) {
			bc_wait_io(b);
			mutex_lock(&bc_lock);
			b->flags &= ~BUF_WRITING;
			if (b->io_status) {
				/* Keep the data: a later write may succeed. */
				if (!(b->flags & BUF_DIRTY)) {
					b->flags |= BUF_DIRTY;
					bc_stats.dirty++;
				}
				if (!err)
					err = b->io_status < 0 ? b->io_status : -EIO;
			} else {
				bc_stats.writes++;
			}
			if (!(b->flags & BUF_DIRTY))
				list_del(&b->dirty_node);
			mutex_unlock(&bc_lock);
			if (b->io_status)
				pr_err("bcache: %s: write error on block %lu: %d\n",
				       b->bdev->name, (unsigned long)b->blocknr,
				       b->io_status);
		}
		mutex_unlock(&b->lock);
		bcache_release(b);
	}
	return err;
}

/*
 * Write back dirty buffers of bd (NULL: all) that became dirty at or
 * before `before` (ktime_get() ns), batch by batch. A buffer written here
 * and dirtied again meanwhile has a later dirty_since, so this ends.
 */
static int bc_writeback(struct block_device *bd, u64 before)
{
	struct buffer *v[BC_BATCH];
	int err = 0;

	mutex_lock(&bc_wb_lock);
	for (;;) {
		struct buffer *b;
		u32 n = 0;

		mutex_lock(&bc_lock);
		list_for_each_entry(b, &bc_dirty, dirty_node) {
			if ((bd && b->bdev != bd) || !(b->flags & BUF_DIRTY) ||
			    b->dirty_since > before)
				continue;
			bc_hold(b);
			v[n++] = b;
			if (n == BC_BATCH)
				break;
		}
		mutex_unlock(&bc_lock);
		if (!n)
			break;
		err = bc_write_batch(v, n);
		if (err)
			break;
	}
	mutex_unlock(&bc_wb_lock);
	return err;
}

int bcache_sync(struct block_device *bd)
{
	int err, ferr;

	if (!bd) {
		struct block_device *d = NULL;

		err = 0;
		while ((d = block_next(d))) {
			int e = bcache_sync(d);

			if (e && !err)
				err = e;
		}
		return err;
	}
	err = bc_writeback(bd, ktime_get());
	ferr = block_flush(bd);
	mutex_lock(&bc_lock);
	bc_stats.flushes++;
	mutex_unlock(&bc_lock);
	return err ? err : ferr;
}

int bcache_writeback_old(u64 age_ns)
{
	u64 now = ktime_get();

	return bc_writeback(NULL, now > age_ns ? now - age_ns : 0);
}

/* Wait for bd's read-aheads in flight, one at a time. */
static void bc_wait_readahead(struct block_device *bd)
{
	for (;;) {
		struct buffer *b, *found = NULL;

		mutex_lock(&bc_lock);
		for (u32 i = 0; bc_hash_ready && i < BC_HASH_SIZE && !found; i++) {
			list_for_each_entry(b, &bc_hash[i], hash_node) {
				bc_settle(b);
				if (b->bdev == bd && (b->flags & BUF_READING)) {
					bc_hold(b);
					found = b;
					break;
				}
			}
		}
		mutex_unlock(&bc_lock);
		if (!found)
			return;
		bc_wait_io(found);
		bcache_release(found);
	}
}

u32 bcache_invalidate(struct block_device *bd)
{
	struct list_node dead = LIST_INIT(dead);
	struct buffer *b, *tmp;
	u32 held = 0;

	bc_writeback(bd, ktime_get());
	bc_wait_readahead(bd);
	mutex_lock(&bc_lock);
	for (u32 i = 0; bc_hash_ready && i < BC_HASH_SIZE; i++) {
		list_for_each_entry_safe(b, tmp, &bc_hash[i], hash_node) {
			if (b->bdev != bd)
				continue;
			bc_settle(b);
			if (b->refs || (b->flags & (BUF_DIRTY | BUF_READING | BUF_WRITING))) {
				held++;
				continue;
			}
			list_del(&b->lru_node);
			list_del(&b->hash_node);
			bc_stats.bytes -= b->size;
			list_add_tail(&b->lru_node, &dead);
		}
	}
	mutex_unlock(&bc_lock);
	bc_free_list(&dead);
	return held;
}

void bcache_set_limit(u64 bytes)
{
	mutex_lock(&bc_lock);
	bc_limit = bytes;
	mutex_unlock(&bc_lock);
	bc_shrink(bytes);
}

void bcache_get_stats(struct bcache_stats *s)
{
	mutex_lock(&bc_lock);
	*s = bc_stats;
	mutex_unlock(&bc_lock);
}
