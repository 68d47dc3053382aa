/*
 * Waiting on several files at once (poll, ppoll, select, pselect6). A
 * file's f_op->poll reports its readiness (POLLIN, POLLOUT, POLLHUP...)
 * and, when pt is not NULL, calls poll_wait() for each wait queue whose
 * wake-up may change that answer. The poller sleeps until one of them is
 * woken or the timeout passes, then asks every file again.
 */
#ifndef VIREO_PROC_POLL_H
#define VIREO_PROC_POLL_H

#include "kernel/sched/wait.h"
#include <asm-generic/poll.h>

#define POLL_MAX_WAITS 64       /* queues one poll sleeps on at most */

struct poll_table {
	struct wait_queue *queue[POLL_MAX_WAITS];
	struct wait_entry entry[POLL_MAX_WAITS];
	unsigned n;
	bool overflow;          /* more queues than slots: poll again soon */
};

/* Sleep on wq too (from a file's poll operation). pt may be NULL. */
void poll_wait(struct poll_table *pt, struct wait_queue *wq);

#endif
