/*
 * The buffer cache's merged I/O: read-ahead and write-back turn runs of
 * consecutive blocks into one request each, within the device's limits,
 * and every block still ends up with its own data. The test device is in
 * memory, records each request's shape and completes before submit
 * returns (block.h allows that).
 */
#include "vfs/buffer.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/test/ktest.h"

#define BT_BLOCKS 256
#define BT_BS 4096u

struct bt_disk {
	struct block_device bd;
	u8 *data;
	u32 requests, scattered, writes;
	u32 max_blocks;                 /* longest request seen, in blocks */
	bool fail_reads;
};

static u8 bt_byte(u64 blk, u32 off)
{
	return (u8)(blk * 31 + off / 64);
}

/* Copy between the disk at off and memory, one segment (or buf). */
static void bt_copy(struct bt_disk *d, enum blk_op op, u64 off, void *p, u32 len)
{
	if (op == BLK_OP_READ)
		memcpy(p, d->data + off, len);
	else
		memcpy(d->data + off, p, len);
}

static int bt_submit(struct block_device *bd, struct blk_request *rq)
{
	struct bt_disk *d = bd->driver_data;
	u64 off = rq->sector << SECTOR_SHIFT;

	if (rq->op != BLK_OP_READ && rq->op != BLK_OP_WRITE)
		return -EOPNOTSUPP;
	d->requests++;
	d->writes += rq->op == BLK_OP_WRITE;
	d->scattered += rq->segs != NULL;
	d->max_blocks = MAX(d->max_blocks, rq->len / BT_BS);
	rq->status = 0;
	if (rq->op == BLK_OP_READ && d->fail_reads) {
		rq->status = -EIO;
	} else if (rq->segs) {
		for (u32 i = 0; i < rq->nr_segs; i++) {
			bt_copy(d, rq->op, off, phys_to_virt(rq->segs[i].phys), rq->segs[i].len);
			off += rq->segs[i].len;
		}
	} else {
		bt_copy(d, rq->op, off, rq->buf, rq->len);
	}
	blk_request_done(rq);
	return 0;
}

static const struct block_device_ops bt_ops = { .submit = bt_submit };

static struct bt_disk *bt_new(void)
{
	struct bt_disk *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return NULL;
	d->data = kmalloc(BT_BLOCKS * BT_BS, GFP_KERNEL);
	if (!d->data) {
		kfree(d);
		return NULL;
	}
	for (u64 b = 0; b < BT_BLOCKS; b++)
		for (u32 i = 0; i < BT_BS; i++)
			d->data[b * BT_BS + i] = bt_byte(b, i);
	strlcpy(d->bd.name, "ktbc0", sizeof(d->bd.name));
	d->bd.nr_sectors = BT_BLOCKS * (BT_BS >> SECTOR_SHIFT);
	d->bd.logical_block_size = SECTOR_SIZE;
	d->bd.physical_block_size = SECTOR_SIZE;
	/* Runs of at most 8 blocks: 8 segments, 64 KiB. */
	d->bd.max_segments = 8;
	d->bd.max_bytes = 16 * BT_BS;
	d->bd.ops = &bt_ops;
	d->bd.driver_data = d;
	return d;
}

/* Is block blk cached with the disk's original contents? (No I/O if the
 * read-ahead brought it in.) */
static bool bt_cached_ok(struct bt_disk *d, u64 blk)
{
	struct buffer *b = bcache_read(&d->bd, blk, BT_BS);
	bool ok;

	if (IS_ERR(b))
		return false;
	ok = true;
	for (u32 i = 0; i < BT_BS && ok; i += 64)
		ok = b->data[i] == bt_byte(blk, i);
	bcache_release(b);
	return ok;
}

static void bt_run(struct ktest_ctx *kt, struct bt_disk *d)
{
	u64 blocks[32];
	u32 n = 0, reqs;

	/* 10..29 (20 blocks: runs of 8, 8 and 4), 40..41, 50 alone. */
	for (u64 b = 10; b < 30; b++)
		blocks[n++] = b;
	blocks[n++] = 40;
	blocks[n++] = 41;
	blocks[n++] = 50;
	bcache_readahead(&d->bd, blocks, n, BT_BS);
	KT_ASSERT_EQ(d->requests, 5);
	KT_ASSERT_EQ(d->scattered, 4);
	KT_ASSERT_EQ(d->max_blocks, 8);
	for (u32 i = 0; i < n; i++)
		KT_ASSERT(bt_cached_ok(d, blocks[i]));
	KT_ASSERT_EQ(d->requests, 5);

	/* Cached blocks split nothing but are not read again: 28..31 reads
	 * only 30..31, as one request. */
	for (u32 i = 0; i < 4; i++)
		blocks[i] = 28 + i;
	bcache_readahead(&d->bd, blocks, 4, BT_BS);
	KT_ASSERT_EQ(d->requests, 6);
	KT_ASSERT(bt_cached_ok(d, 30) && bt_cached_ok(d, 31));
	KT_ASSERT_EQ(d->requests, 6);

	/* A failed run fails each of its blocks, which a later read then
	 * reads again by itself. */
	d->fail_reads = true;
	for (u32 i = 0; i < 4; i++)
		blocks[i] = 100 + i;
	bcache_readahead(&d->bd, blocks, 4, BT_BS);
	KT_ASSERT_EQ(d->requests, 7);
	d->fail_reads = false;
	for (u32 i = 0; i < 4; i++)
		KT_ASSERT(bt_cached_ok(d, 100 + i));
	KT_ASSERT_EQ(d->requests, 11);

	/* Write-back: blocks 200..209 dirtied in reverse order go out as
	 * 200..207 and 208..209. */
	reqs = d->requests;
	for (u64 blk = 209; blk >= 200; blk--) {
		struct buffer *b = bcache_get(&d->bd, blk, BT_BS);

		KT_ASSERT(!IS_ERR(b));
		memset(b->data, (int)(blk & 0xff), BT_BS);
		bcache_mark_dirty(b);
		bcache_release(b);
	}
	KT_ASSERT_EQ(bcache_sync(&d->bd), 0);
	KT_ASSERT_EQ(d->requests - reqs, 2);
	KT_ASSERT_EQ(d->writes, 2);
	for (u64 blk = 200; blk < 210; blk++)
		for (u32 i = 0; i < BT_BS; i += 512)
			KT_ASSERT_EQ(d->data[blk * BT_BS + i], blk & 0xff);
}

KTEST(bcache_readahead_and_writeback_merge_runs)
{
	struct bt_disk *d = bt_new();
	u32 held = 0;

	KT_ASSERT(d);
	if (block_register(&d->bd)) {
		ktest_fail(kt, __FILE__, __LINE__, "cannot register ktbc0");
	} else {
		bt_run(kt, d);
		held = bcache_invalidate(&d->bd);
		block_unregister(&d->bd);
		block_wait_unused(&d->bd);
	}
	kfree(d->data);
	kfree(d);
	KT_ASSERT_EQ(held, 0);
}
