/*
 * virtio-blk internals shared by the device part (blk.c: probe, config,
 * remove) and the request part (blk_queue.c: submission and completion).
 */
#ifndef VIREO_VIRTIO_BLK_INTERNAL_H
#define VIREO_VIRTIO_BLK_INTERNAL_H

#include "virtio/blk.h"
#include "virtio/virtio.h"
#include "kernel/block/block.h"
#include "kernel/lib/list.h"
#include "kernel/sched/spinlock.h"
#include <linux/virtio_blk.h>

/* Data segments a request may have (the device's seg_max and the ring
 * permitting): 128 pages, 512 KiB, as the buffer cache's write-back runs
 * go. Bounds each queue's scatter list (vblk_queue.bufs). */
#define VBLK_MAX_SEGS 128

/*
 * What the device reads and writes for one request besides the data: the
 * header (§5.2.6) and the status byte. One per ring entry, allocated with
 * the queue (kmalloc memory: the direct map, so virt_to_phys is its
 * device address).
 */
struct vblk_slot {
	struct virtio_blk_outhdr hdr;
	u8 status;                      /* device-writable */
	struct blk_request *rq;         /* NULL while free */
};

struct vblk;

struct vblk_queue {
	struct vblk *vb;
	struct vq *vq;
	unsigned index;
	char name[8];                   /* "req.N" */
	/*
	 * lock: the virtqueue (its contract: the caller serializes), the
	 * slots and their free stack, the pending list and the counters. Taken
	 * with interrupts off: completions are collected in the queue's
	 * interrupt.
	 */
	struct spinlock lock;
	struct vq_buf *bufs;            /* the chain being added: max_segments + 2 */
	struct vblk_slot *slots;
	u16 *free_slots;                /* stack of free slot indices */
	u16 nr_free;
	u16 nr_slots;
	/* Requests waiting for ring room, oldest first (blk_request.node). */
	struct list_node pending;
	bool dead;                      /* remove(): refuse new requests */
	u32 in_flight;                  /* requests on the ring */
	struct virtio_blk_queue_stats stats;
};

struct vblk {
	struct virtio_device *vd;
	struct block_device bd;
	u32 index;                      /* vda = 0, vdb = 1, ... */
	u32 size_max;                   /* bytes per segment; 0: no limit */
	u32 max_segments;               /* data segments per request */
	unsigned nr_queues;
	struct vblk_queue *queues;      /* nr_queues */
};

/* blk_queue.c */
int vblk_queue_init(struct vblk_queue *q, struct vblk *vb, unsigned index);
void vblk_queue_free(struct vblk_queue *q);
int vblk_submit(struct block_device *bd, struct blk_request *rq);
/* The queue's interrupt callback (struct virtio_transport.setup_vq). */
void vblk_queue_done(struct vq *vq, void *arg);
/* remove(): refuse new requests, then break the queue and fail what is on
 * the ring or pending with -EIO (after the device was reset). */
void vblk_queue_kill(struct vblk_queue *q);
void vblk_queue_fail_all(struct vblk_queue *q);
u32 vblk_queue_in_flight(struct vblk_queue *q);

#endif
