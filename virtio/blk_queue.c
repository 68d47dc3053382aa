/*
 * virtio-blk request queues: turning a struct blk_request into a
 * descriptor chain, submitting it on the current CPU's queue, and
 * collecting completions in the queue's interrupt.
 *
 * A request on the ring is (§5.2.6):
 *   header   struct virtio_blk_outhdr     device-readable
 *   data     0..max_segments segments     readable (write), writable (read, get-id)
 *   status   one byte                     device-writable
 * The header and status byte live in a per-ring-entry slot; the data is
 * the caller's buffer (direct map or kernel image: physically contiguous,
 * so it is only cut at the device's size_max) or its scatter vector
 * (block.h: struct blk_seg), one descriptor per segment, all in one chain.
 *
 * Many requests are in flight per queue: submission only adds and kicks,
 * and the interrupt collects. When the ring (or the slot pool) is full, a
 * request waits on the queue's pending list and is added when a
 * completion frees room: submission never fails for lack of room.
 *
 * end_io runs without the queue lock (it may submit again, and may land
 * on this same queue), from the queue's interrupt.
 */
#include "virtio/blk_internal.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"

_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "§5.2.6: the header is 16 bytes");

/* Not a status the device may write (§5.2.6): a status byte still holding
 * it after completion was never written. */
#define VBLK_S_UNSET 0xff

int vblk_queue_init(struct vblk_queue *q, struct vblk *vb, unsigned index)
{
	struct virtio_device *vd = vb->vd;

	q->vb = vb;
	q->index = index;
	q->lock = (struct spinlock)SPINLOCK_INIT("virtio-blk queue");
	list_init(&q->pending);
	ksnprintf(q->name, sizeof(q->name), "req.%u", index);
	q->vq = vd->t->setup_vq(vd, index, 0, q->name, vblk_queue_done, q);
	if (IS_ERR(q->vq)) {
		int err = (int)PTR_ERR(q->vq);

		q->vq = NULL;
		return err;
	}
	/* Submitters on CPU c use queue c % nr_queues (vblk_submit): its
	 * completions go to the first of those CPUs, so a request and its
	 * interrupt stay on one CPU where the queues suffice. Where the move
	 * fails the vector stays where the PCI layer put it, which only
	 * costs a cross-CPU wake-up. */
	if (vd->t->set_vq_affinity(vd, index, index % cpu_count()))
		pr_debug("%s: queue %u keeps its interrupt CPU\n", vd->dev.name, index);
	/* One slot per ring entry: with indirect descriptors a request takes
	 * one entry, so the ring, not the slots, is the limit either way. */
	q->nr_slots = (u16)vq_num_free(q->vq);
	q->slots = kzalloc(sizeof(*q->slots) * q->nr_slots, GFP_KERNEL);
	q->free_slots = kmalloc(sizeof(*q->free_slots) * q->nr_slots, GFP_KERNEL);
	/* Sized by the device's limit; vblk_set_limits only lowers it. */
	q->bufs = kmalloc(sizeof(*q->bufs) * (vb->max_segments + 2), GFP_KERNEL);
	if (!q->slots || !q->free_slots || !q->bufs) {
		vblk_queue_free(q);
		return -ENOMEM;
	}
	for (u16 i = 0; i < q->nr_slots; i++)
		q->free_slots[i] = i;
	q->nr_free = q->nr_slots;
	return 0;
}

/* The transport frees the virtqueue itself (del_vqs). */
void vblk_queue_free(struct vblk_queue *q)
{
	kfree(q->slots);
	kfree(q->free_slots);
	kfree(q->bufs);
	q->slots = NULL;
	q->free_slots = NULL;
	q->bufs = NULL;
	q->nr_free = q->nr_slots = 0;
}

static u32 vblk_type(enum blk_op op)
{
	switch (op) {
	case BLK_OP_READ:   return VIRTIO_BLK_T_IN;
	case BLK_OP_WRITE:  return VIRTIO_BLK_T_OUT;
	case BLK_OP_FLUSH:  return VIRTIO_BLK_T_FLUSH;
	case BLK_OP_GET_ID: return VIRTIO_BLK_T_GET_ID;
	}
	return VIRTIO_BLK_T_IN;
}

/* Device segments for len bytes of contiguous data: cut at size_max. */
static u32 vblk_pieces(const struct vblk *vb, u32 len)
{
	return vb->size_max ? (len + vb->size_max - 1) / vb->size_max : 1;
}

/* Data segments rq needs, given the device's segment size. */
static u32 vblk_nr_segments(const struct vblk *vb, const struct blk_request *rq)
{
	u32 n = 0;

	if (!rq->len)
		return 0;
	if (!rq->segs)
		return vblk_pieces(vb, rq->len);
	for (u32 i = 0; i < rq->nr_segs; i++)
		n += vblk_pieces(vb, rq->segs[i].len);
	return n;
}

/* Append len bytes at device address addr to bufs[*n], cut at size_max. */
static void vblk_map_data(const struct vblk *vb, struct vq_buf *bufs, unsigned *n,
			  u64 addr, u32 len, bool dev_writes)
{
	while (len) {
		u32 seg = vb->size_max ? MIN(len, vb->size_max) : len;

		bufs[(*n)++] = (struct vq_buf){ addr, seg, dev_writes };
		addr += seg;
		len -= seg;
	}
}

/* Build the scatter list of rq into bufs (room for max_segments + 2;
 * vblk_submit checked the count); returns the element count. All of a
 * scattered request's segments go into the one chain, so the device sees
 * one request and one kick covers it. */
static unsigned vblk_map(const struct vblk *vb, struct vblk_slot *slot,
			 const struct blk_request *rq, struct vq_buf *bufs)
{
	bool dev_writes = rq->op != BLK_OP_WRITE;
	unsigned n = 0;

	bufs[n++] = (struct vq_buf){ virt_to_phys(&slot->hdr), sizeof(slot->hdr), false };
	if (rq->segs) {
		for (u32 i = 0; i < rq->nr_segs; i++)
			vblk_map_data(vb, bufs, &n, rq->segs[i].phys, rq->segs[i].len,
				      dev_writes);
	} else if (rq->len) {
		vblk_map_data(vb, bufs, &n, virt_to_phys(rq->buf), rq->len, dev_writes);
	}
	bufs[n++] = (struct vq_buf){ virt_to_phys(&slot->status), 1, true };
	return n;
}

/* Put rq on the ring. -ENOSPC: no room now (no slot or no descriptors);
 * -EIO: the queue is broken. q->lock held. */
static int vblk_add(struct vblk_queue *q, struct blk_request *rq)
{
	struct vblk_slot *slot;
	unsigned n;
	int err;

	if (!q->nr_free)
		return vq_is_broken(q->vq) ? -EIO : -ENOSPC;
	slot = &q->slots[q->free_slots[q->nr_free - 1]];
	slot->hdr.type = vblk_type(rq->op);
	slot->hdr.ioprio = 0;
	slot->hdr.sector = rq->op == BLK_OP_READ || rq->op == BLK_OP_WRITE ? rq->sector : 0;
	slot->status = VBLK_S_UNSET;
	n = vblk_map(q->vb, slot, rq, q->bufs);
	/* vq_add's write barrier orders these header and status stores (and
	 * the caller's data) before the device can see the request. */
	err = vq_add(q->vq, q->bufs, n, slot);
	if (err)
		return err;
	q->nr_free--;
	slot->rq = rq;
	rq->driver_data = slot;
	q->in_flight++;
	q->stats.requests++;
	if (q->in_flight > q->stats.max_in_flight)
		q->stats.max_in_flight = q->in_flight;
	return 0;
}

int vblk_submit(struct block_device *bd, struct blk_request *rq)
{
	struct vblk *vb = bd->driver_data;
	struct vblk_queue *q;
	unsigned long f;
	int err;

	if (vblk_nr_segments(vb, rq) > vb->max_segments)
		return -EINVAL;
	/* The current CPU's queue. Being moved to another CPU after reading
	 * the id costs only locality: every queue takes any request. */
	q = &vb->queues[this_cpu()->id % vb->nr_queues];
	f = spin_lock_irqsave(&q->lock);
	if (q->dead) {
		err = -ENODEV;
	} else if (vq_is_broken(q->vq)) {
		err = -EIO;
	} else {
		/* Behind anything already waiting, to keep submission order. */
		err = list_empty(&q->pending) ? vblk_add(q, rq) : -ENOSPC;
		if (err == -ENOSPC) {
			list_add_tail(&rq->node, &q->pending);
			q->stats.pended++;
			err = 0;
		}
		vq_kick(q->vq);
	}
	spin_unlock_irqrestore(&q->lock, f);
	return err;
}

/* The outcome of a request the device completed. q->lock held. */
static int vblk_status(struct vblk_queue *q, const struct vblk_slot *slot)
{
	switch (slot->status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_IOERR:
		return -EIO;
	case VIRTIO_BLK_S_UNSUPP:
		return -EOPNOTSUPP;
	}
	/* Unwritten or unknown: the device is not keeping to the protocol.
	 * Stop trusting it; the remaining requests come back with -EIO. */
	pr_err("%s: queue %u: request finished with status %#x; queue broken\n",
	       q->vb->bd.name, q->index, slot->status);
	vq_break(q->vq);
	return -EIO;
}

/*
 * Collect every finished request (all outstanding ones with -EIO once the
 * queue is broken) onto done, then move pending requests onto the freed
 * room and kick. q->lock held.
 */
static void vblk_collect(struct vblk_queue *q, struct list_node *done)
{
	struct vblk_slot *slot;
	struct blk_request *rq;
	u32 len;
	int status;

	while ((slot = vq_get_buf(q->vq, &len, &status))) {
		rq = slot->rq;
		rq->status = status ? status : vblk_status(q, slot);
		slot->rq = NULL;
		q->free_slots[q->nr_free++] = (u16)(slot - q->slots);
		q->in_flight--;
		q->stats.completed++;
		list_add_tail(&rq->node, done);
	}
	while (!list_empty(&q->pending)) {
		rq = list_first_entry(&q->pending, struct blk_request, node);
		status = vblk_add(q, rq);
		if (status == -ENOSPC)
			break;
		list_del(&rq->node);
		if (status) {
			rq->status = status;
			list_add_tail(&rq->node, done);
		}
	}
	vq_kick(q->vq);
}

/* Run end_io of each collected request; no lock held. */
static void vblk_end_all(struct list_node *done)
{
	struct blk_request *rq, *tmp;

	list_for_each_entry_safe(rq, tmp, done, node) {
		list_del(&rq->node);
		blk_request_done(rq);
	}
}

void vblk_queue_done(struct vq *vq, void *arg)
{
	struct vblk_queue *q = arg;
	struct list_node done = LIST_INIT(done);
	unsigned long f = spin_lock_irqsave(&q->lock);

	vblk_collect(q, &done);
	spin_unlock_irqrestore(&q->lock, f);
	vblk_end_all(&done);
}

void vblk_queue_kill(struct vblk_queue *q)
{
	unsigned long f = spin_lock_irqsave(&q->lock);

	q->dead = true;
	spin_unlock_irqrestore(&q->lock, f);
}

void vblk_queue_fail_all(struct vblk_queue *q)
{
	struct list_node done = LIST_INIT(done);
	unsigned long f = spin_lock_irqsave(&q->lock);

	/* The device has been reset: nothing on the ring will complete, and
	 * what was completed but not collected is no longer trusted. */
	if (q->in_flight || !list_empty(&q->pending))
		vq_break(q->vq);
	vblk_collect(q, &done);
	spin_unlock_irqrestore(&q->lock, f);
	vblk_end_all(&done);
}

u32 vblk_queue_in_flight(struct vblk_queue *q)
{
	unsigned long f = spin_lock_irqsave(&q->lock);
	u32 n = q->in_flight + !list_empty(&q->pending);

	spin_unlock_irqrestore(&q->lock, f);
	return n;
}

int virtio_blk_queue_stats(struct block_device *bd, unsigned index,
			   struct virtio_blk_queue_stats *out)
{
	struct vblk *vb = bd->driver_data;
	struct vblk_queue *q;
	unsigned long f;

	if (!virtio_blk_is(bd) || index >= vb->nr_queues)
		return -EINVAL;
	q = &vb->queues[index];
	f = spin_lock_irqsave(&q->lock);
	*out = q->stats;
	out->kicks = vq_get_stats(q->vq).kicks;
	spin_unlock_irqrestore(&q->lock, f);
	out->interrupts = vb->vd->t->vq_irq_count(vb->vd, index);
	return 0;
}
