/*
 * virtio-blk (virtio 1.2 §5.2), the device side: feature table, probe
 * (configuration, queues, serial number, registration as vdX), capacity
 * changes, and remove. Requests are blk_queue.c's.
 *
 * Queues: with VIRTIO_BLK_F_MQ one per CPU, as many as the device offers
 * (num_queues) and the transport has; a request goes on the submitting
 * CPU's queue. Each queue has its own MSI-X vector (the transport's).
 */
#include "virtio/blk_internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include <linux/virtio_ring.h>

#define VBLK_CFG(field) offsetof(struct virtio_blk_config, field)

/* Probe-time requests (the serial number) and remove()'s drain wait at
 * most this long for a device before giving up on it. */
#define VBLK_SYNC_TIMEOUT_MS 2000

/* What this driver implements (the core adds VIRTIO_F_VERSION_1). */
static const unsigned vblk_features[] = {
	VIRTIO_BLK_F_SIZE_MAX,
	VIRTIO_BLK_F_SEG_MAX,
	VIRTIO_BLK_F_BLK_SIZE,
	VIRTIO_BLK_F_FLUSH,
	VIRTIO_BLK_F_RO,
	VIRTIO_BLK_F_MQ,
	VIRTIO_RING_F_EVENT_IDX,
	VIRTIO_RING_F_INDIRECT_DESC,
};

static const struct block_device_ops vblk_ops = { .submit = vblk_submit };

/* Orders config-change interrupts against remove(): vd->priv is set and
 * cleared under it, and the handler uses the device only while holding it. */
static struct spinlock vblk_config_lock = SPINLOCK_INIT("virtio-blk config");

bool virtio_blk_is(const struct block_device *bd)
{
	return bd && bd->ops == &vblk_ops;
}

/* Linux's names: vda..vdz, vdaa..vdzz, ... (bijective base 26). */
static void vblk_name(u32 index, char *buf, size_t size)
{
	char tmp[8];
	int n = 0;

	index++;
	do {
		index--;
		tmp[n++] = (char)('a' + index % 26);
		index /= 26;
	} while (index && n < (int)sizeof(tmp));
	buf[0] = 'v';
	buf[1] = 'd';
	for (int i = 0; i < n && 2 + i + 1 < (int)size; i++)
		buf[2 + i] = tmp[n - 1 - i];
	buf[MIN((size_t)(2 + n), size - 1)] = '\0';
}

/* Capacity from config, in 512-byte sectors, rounded down to whole
 * logical blocks. */
static u64 vblk_read_capacity(struct vblk *vb)
{
	u64 cap;

	virtio_cread(vb->vd, VBLK_CFG(capacity), &cap, sizeof(cap));
	return ALIGN_DOWN(cap, (u64)(vb->bd.logical_block_size >> SECTOR_SHIFT));
}

/* Read the device limits into vb and vb->bd. */
static int vblk_read_config(struct vblk *vb)
{
	struct virtio_device *vd = vb->vd;
	u32 blk_size = SECTOR_SIZE, size_max = 0, seg_max = 1;
	u16 nq = 1;

	if (virtio_has_feature(vd, VIRTIO_BLK_F_BLK_SIZE)) {
		virtio_cread(vd, VBLK_CFG(blk_size), &blk_size, sizeof(blk_size));
		if (blk_size < SECTOR_SIZE || blk_size > 65536 ||
		    (blk_size & (blk_size - 1))) {
			pr_err("%s: unusable block size %u\n", vd->dev.name, blk_size);
			return -ENODEV;
		}
	}
	if (virtio_has_feature(vd, VIRTIO_BLK_F_SIZE_MAX))
		virtio_cread(vd, VBLK_CFG(size_max), &size_max, sizeof(size_max));
	/* §5.2.4: without SEG_MAX nothing is promised; one data segment is
	 * what every device takes. */
	if (virtio_has_feature(vd, VIRTIO_BLK_F_SEG_MAX))
		virtio_cread(vd, VBLK_CFG(seg_max), &seg_max, sizeof(seg_max));
	if (virtio_has_feature(vd, VIRTIO_BLK_F_MQ))
		virtio_cread(vd, VBLK_CFG(num_queues), &nq, sizeof(nq));

	vb->bd.logical_block_size = blk_size;
	vb->bd.physical_block_size = blk_size;
	vb->bd.nr_sectors = vblk_read_capacity(vb);
	vb->bd.read_only = virtio_has_feature(vd, VIRTIO_BLK_F_RO);
	vb->bd.has_flush = virtio_has_feature(vd, VIRTIO_BLK_F_FLUSH);
	vb->size_max = size_max;
	vb->max_segments = MIN(MAX(seg_max, 1u), (u32)VBLK_MAX_SEGS);
	vb->nr_queues = MAX(1u, MIN(MIN((unsigned)nq, cpu_count()),
				    vd->t->num_queues(vd)));
	return 0;
}

/* The per-request limits once the queues (and their sizes) are known. */
static void vblk_set_limits(struct vblk *vb)
{
	struct block_device *bd = &vb->bd;
	u32 ring = vb->queues[0].nr_slots;

	for (unsigned i = 1; i < vb->nr_queues; i++)
		ring = MIN(ring, (u32)vb->queues[i].nr_slots);
	/* Without indirect descriptors a request takes header + data +
	 * status ring entries; it must fit an empty ring. */
	if (ring >= 3)
		vb->max_segments = MIN(vb->max_segments, ring - 2);
	else
		vb->max_segments = 1;
	bd->max_segments = vb->max_segments;
	bd->max_segment_size = vb->size_max;
	/* §2.7.5.2: a chain is at most 2^32 - 1 bytes; without a segment size
	 * limit 1 GiB stays well inside that. */
	if (vb->size_max)
		bd->max_bytes = (u32)MIN((u64)vb->size_max * vb->max_segments, 1ULL << 30);
	else
		bd->max_bytes = 1u << 30;
	bd->max_bytes = ALIGN_DOWN(bd->max_bytes, bd->logical_block_size);
	if (!bd->max_bytes) {
		/* A size_max below the block size: one block per request, in
		 * as many segments as that takes. */
		bd->max_bytes = bd->logical_block_size;
	}
	bd->nr_queues = vb->nr_queues;
	bd->queue_depth = ring;
}

/* The device is reset: fail whatever is still on the rings or pending. */
static void vblk_fail_queues(struct vblk *vb)
{
	for (unsigned i = 0; i < vb->nr_queues; i++)
		if (vb->queues[i].vq)
			vblk_queue_fail_all(&vb->queues[i]);
}

/* ---- probe-time requests -------------------------------------------------------- */

static void vblk_sync_end_io(struct blk_request *rq)
{
	WRITE_ONCE(*(bool *)rq->private, true);
}

/* Issue a request of the driver's own and wait for it, at most
 * VBLK_SYNC_TIMEOUT_MS. Used before the device is registered, so it is
 * not accounted (submit_tsc stays 0). A device that does not answer in
 * time is reset, which fails rq (and everything else) before we return:
 * nothing refers to rq or its buffer afterwards. */
static int vblk_sync(struct vblk *vb, struct blk_request *rq)
{
	u64 deadline = ktime_get() + VBLK_SYNC_TIMEOUT_MS * 1000000ULL;
	bool done = false;
	int err;

	rq->bdev = &vb->bd;
	rq->end_io = vblk_sync_end_io;
	rq->private = &done;
	rq->submit_tsc = 0;
	err = vblk_submit(&vb->bd, rq);
	if (err)
		return err;
	while (!READ_ONCE(done)) {
		if (ktime_get() > deadline) {
			pr_err("%s: no answer to a probe request in %u ms; resetting it\n",
			       vb->vd->dev.name, VBLK_SYNC_TIMEOUT_MS);
			vb->vd->t->reset(vb->vd);
			vblk_fail_queues(vb);
			return -ETIMEDOUT;
		}
		msleep(1);
	}
	return rq->status;
}

/* §5.2.6: VIRTIO_BLK_T_GET_ID writes up to 20 bytes, NUL-padded only when
 * shorter. A device that does not support it leaves the serial empty. */
static int vblk_read_serial(struct vblk *vb)
{
	char *id = kzalloc(VIRTIO_BLK_ID_BYTES, GFP_KERNEL);
	struct blk_request rq = { .op = BLK_OP_GET_ID, .len = VIRTIO_BLK_ID_BYTES };
	int err;

	if (!id)
		return -ENOMEM;
	rq.buf = id;
	err = vblk_sync(vb, &rq);
	if (!err) {
		memcpy(vb->bd.serial, id, VIRTIO_BLK_ID_BYTES);
		vb->bd.serial[VIRTIO_BLK_ID_BYTES] = '\0';
	} else if ((err == -EOPNOTSUPP || err == -EIO) &&
		   !vq_is_broken(vb->queues[0].vq)) {
		err = 0;        /* no serial number: not fatal */
	}
	kfree(id);
	return err;
}

/* ---- probe and remove ---------------------------------------------------------- */

/* Register under the lowest free vdX name. */
static int vblk_register(struct vblk *vb)
{
	int err;

	for (u32 i = 0;; i++) {
		vblk_name(i, vb->bd.name, sizeof(vb->bd.name));
		err = block_register(&vb->bd);
		if (err != -EEXIST) {
			vb->index = i;
			return err;
		}
	}
}

static void vblk_free_queues(struct vblk *vb)
{
	for (unsigned i = 0; i < vb->nr_queues; i++)
		vblk_queue_free(&vb->queues[i]);
	kfree(vb->queues);
}

static int vblk_probe(struct virtio_device *vd)
{
	struct vblk *vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	unsigned long f;
	int err;

	if (!vb)
		return -ENOMEM;
	vb->vd = vd;
	vb->bd.ops = &vblk_ops;
	vb->bd.driver_data = vb;
	vb->bd.dev = &vd->dev;
	err = vblk_read_config(vb);
	if (err)
		goto out_free;

	vb->queues = kzalloc(sizeof(*vb->queues) * vb->nr_queues, GFP_KERNEL);
	if (!vb->queues) {
		err = -ENOMEM;
		goto out_free;
	}
	for (unsigned i = 0; i < vb->nr_queues; i++) {
		err = vblk_queue_init(&vb->queues[i], vb, i);
		if (err)
			goto out_del_vqs;
	}
	vblk_set_limits(vb);
	virtio_device_ready(vd);        /* §3.1.1 step 8, before any request */

	err = vblk_read_serial(vb);
	if (err)
		goto out_del_vqs;
	err = vblk_register(vb);
	if (err)
		goto out_del_vqs;
	f = spin_lock_irqsave(&vblk_config_lock);
	vd->priv = vb;
	spin_unlock_irqrestore(&vblk_config_lock, f);

	pr_info("%s: %s, %lu sectors (%lu MiB), %u-byte blocks, %u queue%s of %u, "
		"%s%sserial \"%s\"\n", vb->bd.name, vd->dev.name,
		(unsigned long)vb->bd.nr_sectors,
		(unsigned long)(vb->bd.nr_sectors >> (20 - SECTOR_SHIFT)),
		vb->bd.logical_block_size, vb->nr_queues,
		vb->nr_queues == 1 ? "" : "s", vb->bd.queue_depth,
		vb->bd.read_only ? "read-only, " : "",
		vb->bd.has_flush ? "write cache, " : "", vb->bd.serial);
	return 0;

out_del_vqs:
	vd->t->reset(vd);
	vblk_fail_queues(vb);
	vd->t->del_vqs(vd);
	vblk_free_queues(vb);
out_free:
	kfree(vb);
	return err;
}

/* Requests still on a ring or pending, all queues. */
static u32 vblk_in_flight(struct vblk *vb)
{
	u32 n = 0;

	for (unsigned i = 0; i < vb->nr_queues; i++)
		n += vblk_queue_in_flight(&vb->queues[i]);
	return n;
}

static void vblk_remove(struct virtio_device *vd)
{
	struct vblk *vb = vd->priv;
	u64 deadline = ktime_get() + VBLK_SYNC_TIMEOUT_MS * 1000000ULL;
	unsigned long f;
	u32 left;

	f = spin_lock_irqsave(&vblk_config_lock);
	vd->priv = NULL;
	spin_unlock_irqrestore(&vblk_config_lock, f);

	/* No new requests: the block layer refuses them from here, and the
	 * queues refuse any that got past its check. */
	block_unregister(&vb->bd);
	for (unsigned i = 0; i < vb->nr_queues; i++)
		vblk_queue_kill(&vb->queues[i]);
	/* Let what is in flight finish normally, for a while. */
	while ((left = vblk_in_flight(vb)) && ktime_get() < deadline)
		msleep(1);
	/* §3.3.1: after reset the device no longer uses the rings; fail
	 * whatever it did not finish. */
	vd->t->reset(vd);
	if (left)
		pr_warn("%s: removed with %u requests in flight; failing them\n",
			vb->bd.name, left);
	vblk_fail_queues(vb);
	pr_info("%s: removed\n", vb->bd.name);
	block_wait_unused(&vb->bd);
	vd->t->del_vqs(vd);
	vblk_free_queues(vb);
	kfree(vb);
}

/* Configuration change interrupt (§2.5): the capacity may have changed
 * (QEMU's block_resize). Interrupt context. */
static void vblk_config_changed(struct virtio_device *vd)
{
	unsigned long f = spin_lock_irqsave(&vblk_config_lock);
	struct vblk *vb = vd->priv;
	u64 cap, old;

	if (vb) {
		cap = vblk_read_capacity(vb);
		old = READ_ONCE(vb->bd.nr_sectors);
		if (cap != old) {
			/* Logged before it is published: whoever sees the
			 * new size (a test that then powers off) finds the
			 * line already on the console. */
			pr_info("%s: capacity changed from %lu to %lu sectors\n",
				vb->bd.name, (unsigned long)old, (unsigned long)cap);
			/* One aligned 64-bit store: block_check() reads it
			 * without a lock and sees the old or the new size. */
			WRITE_ONCE(vb->bd.nr_sectors, cap);
		}
	}
	spin_unlock_irqrestore(&vblk_config_lock, f);
}

static const u32 vblk_ids[] = { VIRTIO_ID_BLOCK, 0 };

static struct virtio_driver vblk_driver = {
	.driver.name = "virtio_blk",
	.ids = vblk_ids,
	.features = vblk_features,
	.nr_features = ARRAY_SIZE(vblk_features),
	.probe = vblk_probe,
	.remove = vblk_remove,
	.config_changed = vblk_config_changed,
};

int virtio_blk_init(void)
{
	return virtio_register_driver(&vblk_driver);
}
