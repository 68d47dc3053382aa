/*
 * Block-layer tests on a memory-backed test device: the registry, request
 * validation, accounting and the synchronous wrappers. The device's submit
 * copies at once and completes before it returns (block.h allows that);
 * virtio-blk's asynchronous path is tested against QEMU in
 * virtio/blk_test.c.
 */
#include "kernel/block/block.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/test/ktest.h"

#define MEMDISK_SECTORS 64

struct memdisk {
	struct block_device bd;
	u8 *data;
	u32 submits;                    /* requests that reached the driver */
	u32 flushes;
};

/* Copy len bytes between the disk at `at` and memory at p. */
static void memdisk_copy(const struct blk_request *rq, u8 *at, void *p, u32 len)
{
	if (rq->op == BLK_OP_READ)
		memcpy(p, at, len);
	else
		memcpy(at, p, len);
}

static int memdisk_submit(struct block_device *bd, struct blk_request *rq)
{
	struct memdisk *m = bd->driver_data;
	u8 *at = m->data + (rq->sector << SECTOR_SHIFT);

	m->submits++;
	if ((rq->op == BLK_OP_READ || rq->op == BLK_OP_WRITE) && rq->segs) {
		for (u32 i = 0; i < rq->nr_segs; i++) {
			memdisk_copy(rq, at, phys_to_virt(rq->segs[i].phys), rq->segs[i].len);
			at += rq->segs[i].len;
		}
	} else if (rq->op == BLK_OP_READ || rq->op == BLK_OP_WRITE)
		memdisk_copy(rq, at, rq->buf, rq->len);
	else if (rq->op == BLK_OP_FLUSH)
		m->flushes++;
	else
		return -EOPNOTSUPP;
	rq->status = 0;
	blk_request_done(rq);
	return 0;
}

static const struct block_device_ops memdisk_ops = { .submit = memdisk_submit };

static struct memdisk *memdisk_new(const char *name, u32 lbs)
{
	struct memdisk *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return NULL;
	m->data = kzalloc(MEMDISK_SECTORS * SECTOR_SIZE, GFP_KERNEL);
	if (!m->data) {
		kfree(m);
		return NULL;
	}
	strlcpy(m->bd.name, name, sizeof(m->bd.name));
	m->bd.nr_sectors = MEMDISK_SECTORS;
	m->bd.logical_block_size = lbs;
	m->bd.physical_block_size = lbs;
	m->bd.ops = &memdisk_ops;
	m->bd.driver_data = m;
	return m;
}

static void memdisk_free(struct memdisk *m)
{
	kfree(m->data);
	kfree(m);
}

static void count_end_io(struct blk_request *rq)
{
	(*(u32 *)rq->private)++;
}

KTEST(block_registry_get_next_unregister)
{
	struct memdisk *a = memdisk_new("ktmem0", SECTOR_SIZE);
	struct memdisk *b = memdisk_new("ktmem1", SECTOR_SIZE);
	struct memdisk *dup = memdisk_new("ktmem0", SECTOR_SIZE);
	struct block_device *bd, *prev;
	bool seen_a = false, seen_b_after_a = false;

	KT_ASSERT(a && b && dup);
	KT_ASSERT_EQ(block_register(&a->bd), 0);
	KT_ASSERT_EQ(block_register(&dup->bd), -EEXIST);
	KT_ASSERT_EQ(block_register(&b->bd), 0);

	bd = block_get("ktmem0");
	KT_ASSERT(bd == &a->bd);
	KT_ASSERT_EQ(bd->refs, 1);
	block_put(bd);
	KT_ASSERT(!block_get("ktmem9"));

	/* Registration order; each device handed out is held. */
	for (bd = block_next(NULL); bd; prev = bd, bd = block_next(prev), block_put(prev)) {
		if (bd == &a->bd)
			seen_a = true;
		if (bd == &b->bd && seen_a)
			seen_b_after_a = true;
		KT_ASSERT(bd->refs >= 1);
	}
	KT_ASSERT(seen_a && seen_b_after_a);

	/* Unregistered while held: gone from the namespace, new requests
	 * refused, and block_next still continues past it. */
	bd = block_get("ktmem0");
	block_unregister(&a->bd);
	KT_ASSERT(!block_get("ktmem0"));
	KT_ASSERT_EQ(block_rw(bd, BLK_OP_READ, 0, a->data, SECTOR_SIZE), -ENODEV);
	prev = block_next(bd);
	KT_ASSERT(prev == &b->bd || (prev && prev->reg_seq > bd->reg_seq));
	block_put(prev);
	block_put(bd);
	block_wait_unused(&a->bd);
	KT_ASSERT_EQ(a->submits, 0);

	block_unregister(&b->bd);
	block_wait_unused(&b->bd);
	/* The name is free again. */
	KT_ASSERT_EQ(block_register(&dup->bd), 0);
	block_unregister(&dup->bd);
	memdisk_free(a);
	memdisk_free(b);
	memdisk_free(dup);
}

KTEST(block_submit_validates)
{
	struct memdisk *m = memdisk_new("ktmem2", 4096);
	struct blk_request rq = { 0 };
	u32 ends = 0;
	u8 *buf = kmalloc(8192, GFP_KERNEL);

	KT_ASSERT(m && buf);
	KT_ASSERT_EQ(block_register(&m->bd), 0);
	rq.bdev = &m->bd;
	rq.end_io = count_end_io;
	rq.private = &ends;
	rq.op = BLK_OP_READ;
	rq.buf = buf;

	/* Alignment to the 4 KiB logical block: length and start. */
	rq.len = 512;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.len = 4096;
	rq.sector = 1;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.len = 0;
	rq.sector = 0;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	/* Range: the last block is fine, one past it and a huge sector are
	 * not (no overflow of sector + count). */
	rq.len = 4096;
	rq.sector = MEMDISK_SECTORS - 8;
	KT_ASSERT_EQ(block_submit(&rq), 0);
	rq.sector = MEMDISK_SECTORS;
	KT_ASSERT_EQ(block_submit(&rq), -ERANGE);
	rq.sector = ~0ULL & ~7ULL;
	KT_ASSERT_EQ(block_submit(&rq), -ERANGE);
	/* Kernel stacks and ioremap windows are not in the direct map: a
	 * device could not be given their physical address by arithmetic. */
	rq.sector = 0;
	rq.buf = (void *)KSTACK_AREA_BASE;
	KT_ASSERT_EQ(block_submit(&rq), -EFAULT);
	rq.buf = (void *)IOREMAP_BASE;
	KT_ASSERT_EQ(block_submit(&rq), -EFAULT);
	rq.buf = buf;
	rq.op = BLK_OP_FLUSH;
	rq.len = 4096;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.op = (enum blk_op)42;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);

	/* Only the one valid request reached the driver and ended. */
	KT_ASSERT_EQ(m->submits, 1);
	KT_ASSERT_EQ(ends, 1);

	/* Read-only: writes refused, reads and flushes still go. */
	m->bd.read_only = true;
	KT_ASSERT_EQ(block_rw(&m->bd, BLK_OP_WRITE, 0, buf, 4096), -EROFS);
	KT_ASSERT_EQ(block_rw(&m->bd, BLK_OP_READ, 0, buf, 4096), 0);
	KT_ASSERT_EQ(m->submits, 2);

	block_unregister(&m->bd);
	block_wait_unused(&m->bd);
	memdisk_free(m);
	kfree(buf);
}

KTEST(block_rw_roundtrip_and_stats)
{
	struct memdisk *m = memdisk_new("ktmem3", SECTOR_SIZE);
	struct block_stats st;
	u8 *w = kmalloc(3 * SECTOR_SIZE, GFP_KERNEL);
	u8 *r = kzalloc(3 * SECTOR_SIZE, GFP_KERNEL);

	KT_ASSERT(m && w && r);
	KT_ASSERT_EQ(block_register(&m->bd), 0);
	for (u32 i = 0; i < 3 * SECTOR_SIZE; i++)
		w[i] = (u8)(i * 7 + 1);
	KT_ASSERT_EQ(block_rw(&m->bd, BLK_OP_WRITE, 5, w, 3 * SECTOR_SIZE), 0);
	KT_ASSERT_EQ(memcmp(m->data + 5 * SECTOR_SIZE, w, 3 * SECTOR_SIZE), 0);
	KT_ASSERT_EQ(block_rw(&m->bd, BLK_OP_READ, 5, r, 3 * SECTOR_SIZE), 0);
	KT_ASSERT_EQ(memcmp(r, w, 3 * SECTOR_SIZE), 0);

	/* No volatile cache: the flush completes without the driver. */
	KT_ASSERT_EQ(block_flush(&m->bd), 0);
	KT_ASSERT_EQ(m->flushes, 0);
	m->bd.has_flush = true;
	KT_ASSERT_EQ(block_flush(&m->bd), 0);
	KT_ASSERT_EQ(m->flushes, 1);

	/* The driver's own error reaches the caller and the error count. */
	KT_ASSERT_EQ(block_rw(&m->bd, BLK_OP_GET_ID, 0, r, 20), -EOPNOTSUPP);

	block_get_stats(&m->bd, &st);
	KT_ASSERT_EQ(st.ios[0], 1);
	KT_ASSERT_EQ(st.ios[1], 1);
	KT_ASSERT_EQ(st.sectors[0], 3);
	KT_ASSERT_EQ(st.sectors[1], 3);
	KT_ASSERT_EQ(st.flushes, 2);
	KT_ASSERT_EQ(st.errors, 1);
	KT_ASSERT_EQ(st.in_flight, 0);

	block_unregister(&m->bd);
	block_wait_unused(&m->bd);
	memdisk_free(m);
	kfree(w);
	kfree(r);
}

/* Scatter vectors: validated whole before the driver sees them, and a
 * valid one moves the data of every segment, in order, as one request. */
KTEST(block_submit_validates_segments)
{
	struct memdisk *m = memdisk_new("ktmem4", 1024);
	u8 *a = kmalloc(4096, GFP_KERNEL), *b = kmalloc(4096, GFP_KERNEL);
	struct blk_seg segs[3];
	struct blk_request rq = { 0 };
	u32 ends = 0;

	KT_ASSERT(m && a && b);
	m->bd.max_segments = 2;
	m->bd.max_segment_size = 2048;
	m->bd.max_bytes = 4096;
	KT_ASSERT_EQ(block_register(&m->bd), 0);
	for (u32 i = 0; i < MEMDISK_SECTORS * SECTOR_SIZE; i++)
		m->data[i] = (u8)(i * 13 + i / 512);
	rq = (struct blk_request){ .bdev = &m->bd, .op = BLK_OP_READ, .sector = 2,
				   .segs = segs, .end_io = count_end_io, .private = &ends };
	segs[0] = (struct blk_seg){ virt_to_phys(b + 1024), 1024 };
	segs[1] = (struct blk_seg){ virt_to_phys(a), 2048 };
	segs[2] = (struct blk_seg){ virt_to_phys(a + 2048), 1024 };

	/* Lengths must add up to len, each a multiple of the 1 KiB block. */
	rq.nr_segs = 2;
	rq.len = 2048;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	segs[0].len = 1536;
	segs[1].len = 512;
	rq.len = 2048;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	segs[0].len = 1024;
	segs[1].len = 2048;
	/* More segments than the device takes, a segment longer than its
	 * segment size, a request longer than max_bytes. */
	rq.nr_segs = 3;
	rq.len = 4096;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.nr_segs = 2;
	segs[1].len = 3072;
	rq.len = 4096;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	segs[1].len = 2048;
	m->bd.max_bytes = 2048;
	rq.len = 3072;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	m->bd.max_bytes = 4096;
	/* Empty vectors, a buf as well, a segment that is not RAM, and
	 * anything but a read or a write. */
	rq.nr_segs = 0;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.nr_segs = 2;
	rq.buf = a;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.buf = NULL;
	segs[1].phys = ~0ULL & ~1023ULL;
	KT_ASSERT_EQ(block_submit(&rq), -EFAULT);
	segs[1].phys = virt_to_phys(a);
	rq.op = BLK_OP_GET_ID;
	KT_ASSERT_EQ(block_submit(&rq), -EINVAL);
	rq.op = BLK_OP_READ;
	KT_ASSERT_EQ(m->submits, 0);
	KT_ASSERT_EQ(ends, 0);

	/* Valid: sectors 2..7 land in b[1024..2048) then a[0..2048). */
	memset(a, 0, 4096);
	memset(b, 0, 4096);
	KT_ASSERT_EQ(block_submit(&rq), 0);
	KT_ASSERT_EQ(ends, 1);
	KT_ASSERT_EQ(m->submits, 1);
	KT_ASSERT_EQ(memcmp(b + 1024, m->data + 2 * SECTOR_SIZE, 1024), 0);
	KT_ASSERT_EQ(memcmp(a, m->data + 4 * SECTOR_SIZE, 2048), 0);
	KT_ASSERT_EQ(b[0], 0);
	KT_ASSERT_EQ(a[2048], 0);

	/* And back: a synchronous write of the two segments swapped. */
	segs[0] = (struct blk_seg){ virt_to_phys(a), 2048 };
	segs[1] = (struct blk_seg){ virt_to_phys(b + 1024), 1024 };
	KT_ASSERT_EQ(block_rw_segs(&m->bd, BLK_OP_WRITE, 10, segs, 2, 3072), 0);
	KT_ASSERT_EQ(memcmp(m->data + 10 * SECTOR_SIZE, a, 2048), 0);
	KT_ASSERT_EQ(memcmp(m->data + 14 * SECTOR_SIZE, b + 1024, 1024), 0);
	m->bd.read_only = true;
	KT_ASSERT_EQ(block_rw_segs(&m->bd, BLK_OP_WRITE, 10, segs, 2, 3072), -EROFS);
	KT_ASSERT_EQ(m->submits, 2);

	block_unregister(&m->bd);
	block_wait_unused(&m->bd);
	memdisk_free(m);
	kfree(a);
	kfree(b);
}
