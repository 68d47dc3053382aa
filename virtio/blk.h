/*
 * virtio-blk (virtio 1.2 §5.2): block devices vda, vdb, ... registered in
 * kernel/block/. What the rest of the kernel sees of the driver: its
 * registration, per-queue counters for tests and benchmarks, and the
 * `bench=blk` benchmark.
 */
#ifndef VIREO_VIRTIO_BLK_H
#define VIREO_VIRTIO_BLK_H

#include "kernel/lib/types.h"

struct block_device;

/* Counters of one request queue since probe. */
struct virtio_blk_queue_stats {
	u64 requests;           /* requests made available to the device */
	u64 completed;          /* collected from the used ring */
	u64 kicks;              /* notifications to the device */
	u64 interrupts;         /* taken on the queue's MSI-X vector */
	u64 pended;             /* waited on the pending list for ring room */
	u32 max_in_flight;      /* most requests on the ring at once */
};

/* Register the driver on the virtio bus (kmain, after virtio_pci_init). */
int virtio_blk_init(void);

/* Is bd a virtio-blk device? */
bool virtio_blk_is(const struct block_device *bd);
/* Counters of queue q of a virtio-blk device: 0 or -EINVAL (not one, or no
 * such queue). */
int virtio_blk_queue_stats(struct block_device *bd, unsigned q,
			   struct virtio_blk_queue_stats *out);

/* Boot with `bench=blk`: print the figures of bench/blk.md for vda. */
void virtio_blk_bench(void);

#endif
