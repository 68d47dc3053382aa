/*
 * Generic block devices and request submission.
 *
 * A block device driver (virtio/blk.c) fills a struct block_device and
 * registers it; consumers (the buffer cache, devfs, benchmarks) submit
 * struct blk_request objects. Submission is asynchronous: block_submit()
 * queues the request and returns at once; the driver calls
 * blk_request_done() from its completion interrupt, which runs the
 * request's end_io callback (in interrupt context: it must not sleep).
 * block_rw() is the synchronous wrapper for callers that can sleep.
 *
 * Units: sector numbers and capacity are in 512-byte sectors, as in
 * virtio-blk and Linux, whatever the device's logical block size; a
 * request's offset and length must be multiples of the logical block size.
 *
 * Data: a request carries either one buffer or a scatter vector.
 *  - buf: a kernel virtual address in the direct map (kmalloc, pmm pages)
 *    or the kernel image, which is physically contiguous; kernel stacks
 *    and ioremap windows are mapped elsewhere and are refused with
 *    -EFAULT. The driver cuts it into segments of at most the device's
 *    segment size.
 *  - segs: nr_segs physical ranges (user pages pinned by the submitter,
 *    buffer-cache blocks of one run), which the device sees as one
 *    request: at most max_segments of them, each a multiple of the
 *    logical block size and at most max_segment_size long, in RAM.
 * Either way a request may be at most max_bytes long.
 */
#ifndef VIREO_BLOCK_BLOCK_H
#define VIREO_BLOCK_BLOCK_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/x86_64/layout.h"

#define SECTOR_SHIFT 9
#define SECTOR_SIZE  (1u << SECTOR_SHIFT)
#define BLOCK_NAME_LEN 16
#define BLOCK_SERIAL_LEN 20             /* VIRTIO_BLK_ID_BYTES */

struct block_device;
struct device;

enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,           /* write back the device's volatile cache */
	BLK_OP_GET_ID,          /* read the serial number into buf */
};

/* One data segment of a scattered request: where the device reads or
 * writes, by physical (device) address. */
struct blk_seg {
	u64 phys;
	u32 len;                        /* bytes */
};

struct blk_request {
	struct block_device *bdev;
	enum blk_op op;
	u64 sector;
	/* The data (see above): buf, or segs (buf NULL, reads and writes
	 * only; the lengths add up to len). segs is read by the driver until
	 * end_io runs, so it must live that long. */
	void *buf;
	const struct blk_seg *segs;
	u32 nr_segs;
	u32 len;                        /* bytes */
	int status;                     /* 0 or -errno when end_io runs */
	void (*end_io)(struct blk_request *rq);
	void *private;                  /* the submitter's */
	/* Owned by the driver between submit and completion. */
	struct list_node node;
	void *driver_data;
	u64 submit_tsc;                 /* TSC at block_submit(); 0 for a
					 * request a driver issued itself (not
					 * counted in the stats) */
};

struct block_device_ops {
	/* Queue rq on the device: return 0 (end_io will run exactly once,
	 * possibly before submit returns) or a negative errno (it will
	 * not). May be called from any context, including end_io. */
	int (*submit)(struct block_device *bd, struct blk_request *rq);
};

/* Linux's /sys/block/X/stat fields that Vireo keeps (see
 * Documentation/ABI/stable/sysfs-block). Protected by block_device.lock. */
struct block_stats {
	u64 ios[2];                     /* completed reads, writes */
	u64 sectors[2];
	u64 ticks_ns[2];                /* total request time */
	u64 flushes;
	u64 errors;
	u32 in_flight;
};

struct block_device {
	char name[BLOCK_NAME_LEN];      /* "vda"; set by the driver */
	u64 nr_sectors;                 /* capacity in 512-byte sectors */
	u32 logical_block_size;         /* bytes, a power of two >= 512 */
	u32 physical_block_size;
	u32 max_segments;               /* per request, from the device; 0: no limit */
	u32 max_segment_size;           /* bytes per segment; 0: no limit */
	u32 max_bytes;                  /* longest request; 0: no limit */
	u32 nr_queues;                  /* hardware queues */
	u32 queue_depth;                /* requests in flight per queue */
	bool read_only;
	bool has_flush;                 /* device has a volatile cache */
	char serial[BLOCK_SERIAL_LEN + 1];
	struct device *dev;             /* the driver's device (sysfs link) */
	const struct block_device_ops *ops;
	void *driver_data;
	/* Filled in by the block layer. */
	struct spinlock lock;           /* stats, gone */
	struct block_stats stats;
	bool gone;                      /* unregistered: submit fails -ENODEV */
	u32 refs;                       /* block_get holders; block_lock */
	u64 reg_seq;                    /* registration order; block_lock */
	struct list_node node;          /* all devices; block_lock */
};

/* Register a filled-in device; -EEXIST if the name is taken. */
int block_register(struct block_device *bd);
/* Remove it from the namespace and fail new requests with -ENODEV; the
 * driver completes (or fails) what is in flight itself, then waits for
 * holders with block_wait_unused() before freeing bd. */
void block_unregister(struct block_device *bd);
void block_wait_unused(struct block_device *bd);

/* Look a device up by name ("vda") and hold it; release with block_put. */
struct block_device *block_get(const char *name);
void block_put(struct block_device *bd);
/* Devices in registration order: first after prev (NULL: the first),
 * held; the caller puts each one it is given. */
struct block_device *block_next(struct block_device *prev);

/* Validate and hand rq to the driver. 0: end_io will run once; negative
 * errno: it will not: -EROFS (write to a read-only device), -ERANGE (past
 * the end), -EINVAL (empty, misaligned, longer than max_bytes; segments
 * that are too many, misaligned, too long or do not add up to len),
 * -EFAULT (buffer not in the direct map or the kernel image, segment not
 * in RAM), -ENODEV (unregistered), or the driver's error. */
int block_submit(struct blk_request *rq);
/* Drivers: the device finished rq (status in rq->status). */
void blk_request_done(struct blk_request *rq);

/* Synchronous I/O for sleeping callers: returns 0 or a negative errno. */
int block_rw(struct block_device *bd, enum blk_op op, u64 sector,
	     void *buf, size_t len);
/* The same for a scatter vector (reads and writes). */
int block_rw_segs(struct block_device *bd, enum blk_op op, u64 sector,
		  const struct blk_seg *segs, u32 nr_segs, size_t len);
int block_flush(struct block_device *bd);

/* A consistent snapshot of bd's statistics (for /sys/block/X/stat). */
void block_get_stats(struct block_device *bd, struct block_stats *out);

static inline u64 block_size_bytes(const struct block_device *bd)
{
	return bd->nr_sectors << SECTOR_SHIFT;
}

/* A segment's address for kernel memory that could be a buf (direct map
 * or kernel image). Host unit tests link the buffer cache against a
 * file-backed shim whose "physical" address is the host's own pointer
 * (as kernel/mm/page.h does for frames). */
static inline u64 blk_seg_addr(const void *p)
{
#ifdef HOST_TEST
	return (uintptr_t)p;
#else
	return virt_to_phys(p);
#endif
}

#endif
