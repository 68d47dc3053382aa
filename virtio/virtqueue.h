/*
 * Split virtqueues (virtio 1.2 §2.7): the ring logic and nothing else.
 *
 * The virtqueue layer does no I/O and knows nothing of PCI or of physical
 * memory. Its caller (the transport) hands it:
 *   - the ring memory, as a CPU pointer plus the address the device uses
 *     for it (vq_ring_size() bytes, 16-byte aligned on both sides);
 *   - optionally, a pool of indirect descriptor tables, likewise;
 *   - the memory for the queue's own bookkeeping (vq_mem_size() bytes);
 *   - a notify callback that performs the kick (a BAR write, for PCI).
 * After that no ring operation allocates, sleeps or takes a lock.
 *
 * A driver adds a request as a scatter list of (device address, length,
 * device-writable?) with an opaque token, kicks once per batch, and later
 * collects the token with vq_get_buf(). With VIRTIO_RING_F_EVENT_IDX the
 * queue suppresses kicks and used-buffer interrupts by event index.
 *
 * Locking: none inside. The caller serializes every call on one queue
 * (the driver's per-queue lock, taken with interrupts disabled because
 * completions are collected from the interrupt handler). Different queues
 * are independent.
 *
 * A device that returns a descriptor id that is not in flight, a used
 * length larger than the device-writable space, or a used index that runs
 * ahead of what was made available breaks the queue: the error is logged
 * once, every outstanding request comes back from vq_get_buf() with status
 * -EIO, and vq_add() fails with -EIO from then on. Nothing panics.
 */
#ifndef VIREO_VIRTIO_VIRTQUEUE_H
#define VIREO_VIRTIO_VIRTQUEUE_H

#include "kernel/lib/types.h"

struct vq;

/* One element of a request: device-readable elements come first, then the
 * device-writable ones (virtio 1.2 §2.7.4.2). */
struct vq_buf {
	u64 addr;       /* device (DMA) address */
	u32 len;        /* bytes */
	bool write;     /* device-writable (the device fills it) */
};

struct vq_config {
	const char *name;       /* required, for log messages, e.g. "vda.0";
	                         * must outlive the queue */
	u16 num;                /* queue size: a power of two, 1..32768 (§2.7) */
	u64 features;           /* negotiated device features; the queue uses
	                         * VIRTIO_RING_F_EVENT_IDX and _INDIRECT_DESC */

	/* vq_ring_size(num) bytes for the descriptor table, available ring and
	 * used ring, laid out back to back; zeroed by vq_create(). */
	void *ring;
	u64 ring_dma;

	/* Indirect tables: indirect_tables tables of indirect_max descriptors
	 * each (16 bytes a descriptor), contiguous. Only with
	 * VIRTIO_RING_F_INDIRECT_DESC negotiated; indirect_tables = 0 for none.
	 * indirect_max is 2..num: a chain may not be longer than the queue
	 * (§2.7.5.3.1). */
	void *indirect;
	u64 indirect_dma;
	u16 indirect_tables;
	u16 indirect_max;

	/* Kick the device (transport). Called by vq_notify(). */
	void (*notify)(struct vq *vq, void *notify_arg);
	void *notify_arg;

	/* Used buffers are ready (driver); called by vq_interrupt(). May be
	 * NULL for a queue that is only polled. */
	void (*callback)(struct vq *vq, void *cb_arg);
	void *cb_arg;
};

/* Counters for benchmarks and tests (kicks per request and so on). */
struct vq_stats {
	u64 added;      /* requests made available */
	u64 kicks;      /* notifications sent to the device */
	u64 used;       /* requests the device completed */
	u64 failed;     /* requests failed with -EIO because the queue broke */
};

/* Bytes of ring memory for a queue of num entries. */
size_t vq_ring_size(u16 num);

/* Bytes of bookkeeping memory vq_create() needs (8-byte aligned). */
size_t vq_mem_size(u16 num, u16 indirect_tables);

/* Set up a queue in mem (vq_mem_size() bytes) over cfg->ring. Returns the
 * queue or ERR_PTR(-EINVAL) for a configuration that breaks the spec or
 * the requirements above. Nothing to destroy: the caller frees mem and the
 * ring after the device has been reset. */
struct vq *vq_create(const struct vq_config *cfg, void *mem);

/* Device addresses of the three parts, for the transport's queue
 * registers: Descriptor Area, Driver Area (available ring) and Device Area
 * (used ring). */
u64 vq_desc_dma(const struct vq *vq);
u64 vq_avail_dma(const struct vq *vq);
u64 vq_used_dma(const struct vq *vq);

/* Make a request available to the device. A chain of more than one element
 * goes into an indirect table when one is free (one ring slot instead of
 * n), else into n ring descriptors. The request is visible to the device on
 * return but the device is not kicked: call vq_kick() (or
 * vq_kick_prepare() + vq_notify()) after a batch.
 * token must be non-NULL; it comes back from vq_get_buf().
 * Returns 0, -ENOSPC (no room now: collect used buffers and retry),
 * -EINVAL (empty, writable before readable, longer than 2^32 - 1 bytes or
 * than the queue can ever hold) or -EIO (queue broken). */
int vq_add(struct vq *vq, const struct vq_buf *bufs, unsigned int n, void *token);

/* Does the device need a kick for what was added since the last call?
 * Split from vq_notify() so a driver can drop its lock before the
 * (expensive, exiting) notification. */
bool vq_kick_prepare(struct vq *vq);
void vq_notify(struct vq *vq);
/* vq_kick_prepare() then vq_notify() if needed; returns whether it kicked. */
bool vq_kick(struct vq *vq);

/* The next finished request, in the order the device used them: returns
 * its token and sets *len to the bytes the device wrote and *status to 0,
 * or, once the queue is broken, to 0 and -EIO for each request still
 * outstanding. Returns NULL when there is nothing (more) to collect. len
 * and status must not be NULL. */
void *vq_get_buf(struct vq *vq, u32 *len, int *status);

/* Used-buffer interrupt suppression (§2.7.7). vq_disable_cb() asks the
 * device not to interrupt; it is advisory, so interrupts may still come.
 * vq_enable_cb() asks for an interrupt at the next used buffer and returns
 * false if buffers were already used meanwhile: then the caller must
 * collect them itself (and may disable and re-enable again), or it would
 * wait for an interrupt that was never sent. */
void vq_disable_cb(struct vq *vq);
bool vq_enable_cb(struct vq *vq);
/* Like vq_enable_cb(), but for a driver that needs space rather than each
 * completion (a transmit ring to be reclaimed): with EVENT_IDX the
 * interrupt comes once about three quarters of the requests in flight
 * are used, not at the first. Returns false if that many are used
 * already (collect, then retry or disable). Without EVENT_IDX it is
 * vq_enable_cb(). */
bool vq_enable_cb_delayed(struct vq *vq);

/* For the transport's interrupt handler: if the queue has something to
 * collect (used buffers, or failed requests of a broken queue) call the
 * driver's callback and return true; return false for an interrupt that
 * was not for this queue. It only peeks, so the transport calls it without
 * the driver's lock; the callback takes that lock to collect. */
bool vq_interrupt(struct vq *vq);

/* Mark the queue broken (e.g. the transport saw DEVICE_NEEDS_RESET or is
 * tearing the device down): outstanding requests come back with -EIO. */
void vq_break(struct vq *vq);
bool vq_is_broken(const struct vq *vq);

unsigned int vq_num_free(const struct vq *vq);
struct vq_stats vq_get_stats(const struct vq *vq);

#endif
