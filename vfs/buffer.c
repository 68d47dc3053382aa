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
 * they store the status and fire b->io_done; the waiter (or, for a
 * read-ahead nobody waited for, the next user of the buffer) moves the
 * result into b->flags under bc_lock (bc_settle).
 */
#include "vfs/buffer.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/time/clock.h"

#define BC_HASH_BITS 10
#define BC_HASH_SIZE (1u << BC_HASH_BITS)
#define BC_BATCH 32                     /* buffers per write-back batch */
#define BC_MAX_SIZE 65536u

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
	    __atomic_load_n(&b->ra_done, __ATOMIC_ACQUIRE)) {
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

static void bc_end_io(struct blk_request *rq)
{
	struct buffer *b = rq->private;

	b->io_status = rq->status;
	__atomic_store_n(&b->ra_done, 1, __ATOMIC_RELEASE);
	complete_all(&b->io_done);
}

/* Start op on b's block; io_done fires when it finishes. The caller
 * re-armed io_done. */
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

/* Read b in synchronously; b->lock held. */
static int bc_read_sync(struct buffer *b)
{
	int err;

	completion_init(&b->io_done);
	__atomic_store_n(&b->ra_done, 0, __ATOMIC_RELAXED);
	err = bc_submit(b, BLK_OP_READ);
	if (err)
		return err;
	wait_for_completion(&b->io_done);
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
		wait_for_completion(&b->io_done);
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
		wait_for_completion(&b->io_done);
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

void bcache_readahead(struct block_device *bd, const u64 *blocks, u32 n, u32 size)
{
	for (u32 i = 0; i < n; i++) {
		struct buffer *b = bc_getblk(bd, blocks[i], size);
		bool start;

		if (IS_ERR(b))
			continue;
		/* Only a buffer nobody else knows about yet: then nothing
		 * else can be using io_done while it is re-armed. */
		mutex_lock(&bc_lock);
		start = b->refs == 1 && !b->flags;
		if (start) {
			completion_init(&b->io_done);
			__atomic_store_n(&b->ra_done, 0, __ATOMIC_RELAXED);
			b->flags |= BUF_READING | BUF_RA;
			bc_stats.readahead++;
		}
		mutex_unlock(&bc_lock);
		if (start && bc_submit(b, BLK_OP_READ)) {
			mutex_lock(&bc_lock);
			b->flags &= ~BUF_READING;
			mutex_unlock(&bc_lock);
		}
		bcache_release(b);
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

/*
 * Write v[0..n) (held by the caller; the holds are dropped here) and wait
 * for all of them. Requests are all submitted before the first wait so
 * the device sees a batch. bc_wb_lock held.
 */
static int bc_write_batch(struct buffer **v, u32 n)
{
	bool submitted[BC_BATCH];
	int err = 0;

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
		completion_init(&b->io_done);
		if (bc_submit(b, BLK_OP_WRITE)) {
			b->io_status = -EIO;
			complete_all(&b->io_done);
		}
		submitted[i] = true;
	}
	for (u32 i = 0; i < n; i++) {
		struct buffer *b = v[i];

		if (submitted[i]) {
			wait_for_completion(&b->io_done);
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
		wait_for_completion(&found->io_done);
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
