/*
 * The buffer cache's kernel side: its size limit from the machine's
 * memory, and the flusher thread (started by the first writable mount,
 * so a machine without one has no periodic timer), which every
 * BCACHE_FLUSH_PERIOD_MS
 * writes back buffers that have been dirty for BCACHE_DIRTY_AGE_MS, so a
 * crash loses at most a few seconds of changes nobody synced.
 */
#include "vfs/buffer.h"
#include "kernel/lib/err.h"
#include "kernel/lib/log.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/pmm.h"
#include "kernel/sched/kthread.h"

static void bcache_flusher(void *arg)
{
	while (!kthread_should_stop()) {
		msleep(BCACHE_FLUSH_PERIOD_MS);
		/* Errors are logged per buffer; the buffers stay dirty. */
		bcache_writeback_old((u64)BCACHE_DIRTY_AGE_MS * 1000000u);
	}
}

static struct mutex flusher_lock = MUTEX_INIT(flusher_lock, "bflush");
static struct task *flusher;            /* flusher_lock */

void bcache_init(void)
{
	/* A quarter of RAM for unheld buffers; allocation failures shrink
	 * the cache below that when memory runs short. */
	bcache_set_limit(pmm_total_count() * PAGE_SIZE / 4);
}

int bcache_flusher_start(void)
{
	struct task *t;
	int err = 0;

	mutex_lock(&flusher_lock);
	if (!flusher) {
		t = kthread_create(bcache_flusher, NULL, "bflush", TASK_ANY_CPU);
		if (IS_ERR(t)) {
			err = (int)PTR_ERR(t);
			pr_err("bcache: cannot start the flusher: %d\n", err);
		} else {
			flusher = t;
		}
	}
	mutex_unlock(&flusher_lock);
	return err;
}
