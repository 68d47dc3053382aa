/*
 * The buffer cache: block-sized copies of disk blocks, keyed by (device,
 * block number, block size) and shared by everyone who reads that block.
 *
 *   b = bcache_read(bd, blk, 1024);     ERR_PTR(-EIO) if unreadable
 *   ... read or change b->data; bcache_mark_dirty(b) after a change ...
 *   bcache_release(b);
 *
 * A buffer is held (refs > 0) between bcache_read/bcache_get and
 * bcache_release and is never evicted then. Unheld buffers sit on an LRU
 * list; when the cache is over its byte limit, or an allocation fails,
 * the least recently used clean ones are freed (dirty ones are written
 * first). Dirty buffers are written back by the flusher thread once they
 * are older than BCACHE_DIRTY_AGE_MS, by bcache_sync() (which then issues
 * a device FLUSH, so the data is durable when it returns) and before
 * eviction.
 *
 * Contents are the caller's to serialize: the cache never changes b->data
 * of a held buffer except by reading the block in before it is uptodate.
 * A write-back may see a half-made change; that is safe because the
 * change ends with bcache_mark_dirty, which schedules another write.
 *
 * The cache needs only the out-of-line parts of the kernel API (mutexes,
 * completions, kmalloc, block_submit/block_flush, ktime_get), so host
 * unit tests link it against a file-backed block device
 * (tests/unit/kshim.c). The flusher thread is in vfs/buffer_flush.c.
 */
#ifndef VIREO_VFS_BUFFER_H
#define VIREO_VFS_BUFFER_H

#include "kernel/lib/types.h"
#include "kernel/lib/list.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/wait.h"
#include "kernel/block/block.h"

#define BCACHE_DIRTY_AGE_MS   3000    /* write back dirty buffers this old */
#define BCACHE_FLUSH_PERIOD_MS 1000   /* flusher wake-up interval */

/* Buffer state bits (buffer.flags), under the cache lock. */
#define BUF_UPTODATE (1u << 0)  /* data matches or supersedes the disk */
#define BUF_DIRTY    (1u << 1)  /* data must be written back */
#define BUF_READING  (1u << 2)  /* an asynchronous read-ahead is in flight */
#define BUF_WRITING  (1u << 3)  /* a write-back is in flight */
#define BUF_RA       (1u << 4)  /* read ahead, not yet looked up (statistics) */

struct buffer {
	u8 *data;                       /* size bytes */
	struct block_device *bdev;
	u64 blocknr;                    /* in units of size */
	u32 size;
	/* Under the cache lock: */
	u32 refs;
	u32 flags;
	u64 dirty_since;                /* ktime_get() when it became dirty */
	struct list_node hash_node;     /* hash chain */
	struct list_node lru_node;      /* unheld buffers, oldest first */
	struct list_node dirty_node;    /* dirty or being written back */
	/* I/O: lock is held by the task reading the block in or writing it
	 * out; the read-ahead that runs without a task owns the buffer
	 * through BUF_READING until its completion has fired. */
	struct mutex lock;
	struct completion io_done;
	struct blk_request rq;
	int io_status;                  /* of the last I/O, set before io_done */
	u32 io_ended;                   /* the last I/O's completion is done
					 * with the buffer (atomic) */
};

struct bcache_stats {
	u64 hits, misses;               /* lookups that found / read the block */
	u64 reads, writes;              /* blocks read from / written to disk */
	u64 readahead;                  /* read-ahead reads issued */
	u64 ra_hits;                    /* lookups served by a read-ahead */
	u64 evictions;
	u64 flushes;                    /* device FLUSH requests issued */
	u64 bytes, dirty;               /* bytes cached now, dirty buffers now */
};

/* The block, read in if it is not cached: held, uptodate. ERR_PTR(-EIO)
 * on a read error, -ENOMEM, -EINVAL for a block past the device's end or
 * a size that is not a multiple of the device's block size. */
struct buffer *bcache_read(struct block_device *bd, u64 blocknr, u32 size);
/* Held buffer for a block the caller will overwrite entirely: not read
 * in; if it was not uptodate its data is zeroed and it becomes uptodate. */
struct buffer *bcache_get(struct block_device *bd, u64 blocknr, u32 size);
/* Is the block cached (uptodate, dirty or being read)? A hint for
 * deciding on read-ahead: it may change as soon as it is answered. */
bool bcache_cached(struct block_device *bd, u64 blocknr, u32 size);
/* Start asynchronous reads of blocks that are not cached; never waits. */
void bcache_readahead(struct block_device *bd, const u64 *blocks, u32 n, u32 size);
void bcache_mark_dirty(struct buffer *b);
void bcache_release(struct buffer *b);
/* Release and drop the buffer: its block was freed, so a pending change
 * need not reach the disk. */
void bcache_forget(struct buffer *b);
/* Drop the cached copy of a block that was freed, if nobody holds it:
 * its contents no longer matter. */
void bcache_discard(struct block_device *bd, u64 blocknr, u32 size);

/* Write every dirty buffer of bd (NULL: of every device), then FLUSH the
 * device(s). Returns 0 or the first error; data dirtied before the call
 * is on stable storage when it returns 0. */
int bcache_sync(struct block_device *bd);
/* Write back buffers dirty for at least age_ns (the flusher's step). */
int bcache_writeback_old(u64 age_ns);
/* Drop every unheld buffer of bd (after writing dirty ones). Returns the
 * number still held (a leak if the caller thought it had released all). */
u32 bcache_invalidate(struct block_device *bd);

/* Byte limit for unheld buffers (16 MiB until bcache_init sets it). */
void bcache_set_limit(u64 bytes);
void bcache_get_stats(struct bcache_stats *s);
/* Kernel only (vfs/buffer_flush.c): size the cache from RAM; start the
 * flusher thread (once: file systems call it at a writable mount). */
void bcache_init(void);
int bcache_flusher_start(void);

#endif
