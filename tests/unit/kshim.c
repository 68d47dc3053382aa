/* Host stand-ins for the kernel services listed in kshim.h. */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/kshim.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/mm/kmalloc.h"
/* The kernel's sched_yield() is not glibc's; neither is used here. */
#define sched_yield kernel_sched_yield
#include "kernel/sched/mutex.h"
#include "kernel/sched/wait.h"
#undef sched_yield
#include "kernel/time/clock.h"

bool kshim_quiet;
unsigned long kshim_errors;

/* One big lock and condition for every mutex and completion: the tests
 * care about correctness, not contention. */
static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t shim_cond = PTHREAD_COND_INITIALIZER;
static __thread char shim_self;         /* this thread's "task" identity */

#define SELF ((struct task *)&shim_self)

void mutex_init(struct mutex *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
}

void mutex_lock(struct mutex *m)
{
	pthread_mutex_lock(&shim_lock);
	if (m->owner == SELF) {
		fprintf(stderr, "kshim: recursive mutex_lock of %s\n", m->name);
		abort();
	}
	while (m->owner)
		pthread_cond_wait(&shim_cond, &shim_lock);
	m->owner = SELF;
	pthread_mutex_unlock(&shim_lock);
}

bool mutex_trylock(struct mutex *m)
{
	bool ok;

	pthread_mutex_lock(&shim_lock);
	ok = !m->owner;
	if (ok)
		m->owner = SELF;
	pthread_mutex_unlock(&shim_lock);
	return ok;
}

void mutex_unlock(struct mutex *m)
{
	pthread_mutex_lock(&shim_lock);
	if (m->owner != SELF) {
		fprintf(stderr, "kshim: mutex_unlock of %s by a non-owner\n", m->name);
		abort();
	}
	m->owner = NULL;
	pthread_cond_broadcast(&shim_cond);
	pthread_mutex_unlock(&shim_lock);
}

bool mutex_is_held(struct mutex *m)
{
	return m->owner == SELF;
}

void completion_init(struct completion *c)
{
	pthread_mutex_lock(&shim_lock);
	c->done = 0;
	pthread_mutex_unlock(&shim_lock);
}

void complete(struct completion *c)
{
	pthread_mutex_lock(&shim_lock);
	if (c->done != ~0u)
		c->done++;
	pthread_cond_broadcast(&shim_cond);
	pthread_mutex_unlock(&shim_lock);
}

void complete_all(struct completion *c)
{
	pthread_mutex_lock(&shim_lock);
	c->done = ~0u;
	pthread_cond_broadcast(&shim_cond);
	pthread_mutex_unlock(&shim_lock);
}

void wait_for_completion(struct completion *c)
{
	pthread_mutex_lock(&shim_lock);
	while (!c->done)
		pthread_cond_wait(&shim_cond, &shim_lock);
	if (c->done != ~0u)
		c->done--;
	pthread_mutex_unlock(&shim_lock);
}

void *kmalloc(size_t size, gfp_t flags)
{
	void *p = malloc(size ? size : 1);

	if (p && (flags & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

void *kzalloc(size_t size, gfp_t flags)
{
	return calloc(1, size ? size : 1);
}

void kfree(const void *p)
{
	free((void *)p);
}

void vklog(int level, const char *fmt, va_list ap)
{
	if (level <= LOG_ERR)
		__atomic_add_fetch(&kshim_errors, 1, __ATOMIC_RELAXED);
	if (kshim_quiet)
		return;
	printf("# <%d> ", level);
	vprintf(fmt, ap);
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "PANIC: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

u64 ktime_get(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

u64 ktime_get_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (u64)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* ---- block devices ---------------------------------------------------- */

struct shim_disk {
	int fd;                 /* -1 for memory */
	u8 *mem;
	bool fail_writes;
	u64 requests, flushes;
};

static struct block_device *shim_bdev(struct shim_disk *d, u64 bytes, bool ro)
{
	struct block_device *bd = calloc(1, sizeof(*bd));

	if (!bd)
		abort();
	strcpy(bd->name, "hostdisk");
	bd->nr_sectors = bytes >> SECTOR_SHIFT;
	bd->logical_block_size = SECTOR_SIZE;
	bd->physical_block_size = SECTOR_SIZE;
	bd->read_only = ro;
	bd->has_flush = true;
	bd->driver_data = d;
	return bd;
}

struct block_device *kshim_bdev_file(const char *path, bool ro)
{
	struct shim_disk *d = calloc(1, sizeof(*d));
	off_t len;

	d->fd = open(path, ro ? O_RDONLY : O_RDWR);
	if (d->fd < 0) {
		perror(path);
		free(d);
		return NULL;
	}
	len = lseek(d->fd, 0, SEEK_END);
	return shim_bdev(d, len, ro);
}

struct block_device *kshim_bdev_mem(void *mem, size_t len, bool ro)
{
	struct shim_disk *d = calloc(1, sizeof(*d));

	d->fd = -1;
	d->mem = mem;
	return shim_bdev(d, len, ro);
}

void kshim_bdev_free(struct block_device *bd)
{
	struct shim_disk *d = bd->driver_data;

	if (d->fd >= 0)
		close(d->fd);
	free(d);
	free(bd);
}

void kshim_bdev_fail_writes(struct block_device *bd, bool fail)
{
	((struct shim_disk *)bd->driver_data)->fail_writes = fail;
}

u64 kshim_bdev_requests(struct block_device *bd)
{
	return ((struct shim_disk *)bd->driver_data)->requests;
}

u64 kshim_bdev_flushes(struct block_device *bd)
{
	return ((struct shim_disk *)bd->driver_data)->flushes;
}

static int shim_io(struct shim_disk *d, enum blk_op op, u64 off, void *buf, u32 len)
{
	ssize_t n;

	if (op == BLK_OP_WRITE && d->fail_writes)
		return -EIO;
	if (d->fd < 0) {
		if (op == BLK_OP_READ)
			memcpy(buf, d->mem + off, len);
		else
			memcpy(d->mem + off, buf, len);
		return 0;
	}
	n = op == BLK_OP_READ ? pread(d->fd, buf, len, off) : pwrite(d->fd, buf, len, off);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* A scatter vector as block_submit checks it (block.h): count, each
 * segment a block multiple within the segment size, the sum len. A
 * segment's "physical" address is a host pointer (blk_seg_addr). */
static int shim_check_segs(const struct block_device *bd, const struct blk_request *rq)
{
	u64 total = 0;

	if (rq->buf || !rq->nr_segs ||
	    (bd->max_segments && rq->nr_segs > bd->max_segments) ||
	    (rq->op != BLK_OP_READ && rq->op != BLK_OP_WRITE))
		return -EINVAL;
	for (u32 i = 0; i < rq->nr_segs; i++) {
		u32 len = rq->segs[i].len;

		if (!len || len % bd->logical_block_size ||
		    (bd->max_segment_size && len > bd->max_segment_size))
			return -EINVAL;
		total += len;
	}
	return total == rq->len ? 0 : -EINVAL;
}

/* Synchronous: end_io runs before submit returns, as the interface allows. */
int block_submit(struct blk_request *rq)
{
	struct block_device *bd = rq->bdev;
	struct shim_disk *d = bd->driver_data;
	u64 off = rq->sector << SECTOR_SHIFT;

	if (rq->op != BLK_OP_FLUSH &&
	    (rq->len % bd->logical_block_size ||
	     rq->sector + rq->len / SECTOR_SIZE > bd->nr_sectors ||
	     (bd->max_bytes && rq->len > bd->max_bytes)))
		return -EINVAL;
	if (rq->segs && shim_check_segs(bd, rq))
		return -EINVAL;
	if (rq->op == BLK_OP_WRITE && bd->read_only)
		return -EROFS;
	__atomic_add_fetch(&d->requests, 1, __ATOMIC_RELAXED);
	if (rq->op == BLK_OP_FLUSH) {
		__atomic_add_fetch(&d->flushes, 1, __ATOMIC_RELAXED);
		rq->status = d->fd >= 0 && fsync(d->fd) ? -EIO : 0;
	} else if (rq->segs) {
		rq->status = 0;
		for (u32 i = 0; i < rq->nr_segs && !rq->status; i++) {
			rq->status = shim_io(d, rq->op, off,
					     (void *)(uintptr_t)rq->segs[i].phys, rq->segs[i].len);
			off += rq->segs[i].len;
		}
	} else {
		rq->status = shim_io(d, rq->op, off, rq->buf, rq->len);
	}
	rq->end_io(rq);
	return 0;
}

static void shim_flush_done(struct blk_request *rq)
{
}

int block_flush(struct block_device *bd)
{
	struct blk_request rq = { .bdev = bd, .op = BLK_OP_FLUSH, .end_io = shim_flush_done };
	int err = block_submit(&rq);

	return err ? err : rq.status;
}

/* Host tests sync one device at a time; there is no device list. */
struct block_device *block_next(struct block_device *prev)
{
	return NULL;
}
