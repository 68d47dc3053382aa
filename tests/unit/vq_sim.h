/*
 * A simulated virtio device for the virtqueue unit tests: the device side
 * of a split ring (virtio 1.2 §2.7), written from the spec and sharing no
 * code with virtio/virtqueue.c. It takes chains from the available ring,
 * checks every rule a driver must follow, writes data and used entries,
 * and honours both kinds of notification suppression (flags and
 * EVENT_IDX). It does nothing on its own: each test decides when the
 * device takes, arms, completes and interrupts, so the races between the
 * two sides can be played out step by step.
 *
 * Device addresses are CPU addresses plus SIM_DMA_OFFSET, so a driver that
 * puts a CPU pointer into a descriptor is caught instead of working by luck.
 *
 * Data: the device sums the bytes of a request's device-readable elements
 * and writes byte (sum + k) at offset k of its device-writable space, so a
 * test can check that every address and length reached the device intact.
 */
#ifndef VIREO_TESTS_UNIT_VQ_SIM_H
#define VIREO_TESTS_UNIT_VQ_SIM_H

#include "kernel/lib/types.h"
#include <linux/virtio_ring.h>

struct vq;

#define SIM_DMA_OFFSET (1ull << 56)

static inline u64 sim_dma(const void *p)
{
	return (u64)(uintptr_t)p + SIM_DMA_OFFSET;
}

struct sim_elem {
	u8 *p;
	u32 len;
	bool write;
	int desc;               /* ring descriptor, or -1 inside an indirect table */
};

/* A chain the device has taken from the available ring and not yet used. */
struct sim_req {
	u16 head;
	u64 table;              /* indirect table address, or 0 */
	unsigned int n;
	u32 wcap;               /* device-writable bytes */
	u8 sum;                 /* of the device-readable bytes */
	struct sim_elem *elem;  /* num entries */
};

struct sim {
	u16 num;
	bool event_idx;
	struct vring vr;        /* the device's view, from the vq's DMA addresses */
	u16 last_avail;         /* next available entry the device takes */
	u16 used_idx;           /* the used idx the device has published */
	struct sim_req *req;    /* taken, not yet used: req[0..nreq) */
	unsigned int nreq;
	bool *desc_busy;        /* ring descriptors the device holds, to catch reuse */
	unsigned int kicks;     /* notifications received */
	bool kicked;            /* a notification arrived since the last take */
	unsigned int interrupts;/* used-buffer notifications the device sent */
	unsigned int errors;    /* driver rule violations seen */
	char error[256];        /* the first of them */
};

/* Attach to vq (created with num entries and these features). 0 or -1. */
int sim_init(struct sim *s, struct vq *vq, u16 num, u64 features);
void sim_fini(struct sim *s);

/* The vq's notify callback; notify_arg is the struct sim. */
void sim_notify(struct vq *vq, void *arg);

/* Take every new chain from the available ring; returns how many. */
unsigned int sim_take(struct sim *s);
/* Has the driver published entries the device has not taken? */
bool sim_avail_pending(const struct sim *s);
/* Available-buffer notification suppression (§2.7.10): ask for a kick at
 * the next new entry, or for none. */
void sim_want_kicks(struct sim *s);
void sim_no_kicks(struct sim *s);

/* Use req[i] with len bytes written (len <= wcap is the test's business):
 * fills the data, writes the used entry and moves used idx. The requests
 * after it move down one, keeping the order they were taken in. No
 * interrupt: see sim_interrupt(). */
void sim_use(struct sim *s, unsigned int i, u32 len);
/* Misbehave: write a raw used entry and move used idx. */
void sim_put_used(struct sim *s, u32 id, u32 len);
/* Move used idx by delta without writing entries. */
void sim_bump_used_idx(struct sim *s, u16 delta);

/* Used-buffer notification suppression (§2.7.7.2): after used idx moved
 * from old to its current value, is an interrupt due? Counts it. */
bool sim_interrupt(struct sim *s, u16 old);

#endif
