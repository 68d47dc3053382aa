/*
 * Test rig for the virtqueue unit tests: a queue wired to the simulated
 * device (vq_sim.h), requests with real buffers the device fills with a
 * checkable pattern, a klog() that captures what the queue logs, and a
 * deterministic random source.
 */
#ifndef VIREO_TESTS_UNIT_VQ_RIG_H
#define VIREO_TESTS_UNIT_VQ_RIG_H

#include "tests/unit/vq_sim.h"
#include "virtio/virtqueue.h"

#include <stdio.h>

#define F_EVENT    (1ull << VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT (1ull << VIRTIO_RING_F_INDIRECT_DESC)

/* For helpers that report to a test: print and return false. */
#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("# %s:%d: check failed: %s\n", __FILE__,       \
			       __LINE__, #cond);                              \
			return false;                                         \
		}                                                             \
	} while (0)

/* The last line the queue logged, and how many it logged. */
extern char log_last[512];
extern unsigned int log_count;

/* xorshift; tests seed rnd_state for repeatable runs. */
extern u64 rnd_state;
u32 rnd(void);

/* The errno an ERR_PTR from vq_create() carries, or 0. */
long vq_err(const struct vq *vq);
/* Zeroed, 16-byte aligned; exits on failure. */
void *zalloc16(size_t size);

struct rig {
	u16 num;
	void *ring, *mem, *ind;
	struct vq *vq;
	struct sim sim;
	struct vq_config cfg;   /* what vq was created with */
	unsigned int callbacks; /* driver callbacks run by vq_interrupt() */
	void (*on_callback)(struct rig *r);
};

/* A queue of num with these features and tables indirect tables of tmax,
 * attached to a simulated device. */
bool rig_init(struct rig *r, u16 num, u64 features, u16 tables, u16 tmax);
void rig_free(struct rig *r);

#define TREQ_MAX 40

/* A request: nr device-readable elements of random bytes, then nw
 * device-writable ones poisoned with 0xee; the token is the treq. */
struct treq {
	unsigned int n;
	struct vq_buf b[TREQ_MAX];
	u8 *mem[TREQ_MAX];
	u32 wtotal;
	u8 sum;                 /* of the readable bytes, as the device sums them */
	u32 serial;
	u16 cost;               /* model: ring descriptors it holds */
	bool ind;               /* model: holds an indirect table */
};

/* Elements of len bytes each (0: random 1..32). */
struct treq *treq_new(unsigned int nr, unsigned int nw, u32 len);
void treq_free(struct treq *t);
/* The device wrote exactly len bytes of its pattern into the writable part. */
bool treq_check(const struct treq *t, u32 len);
int treq_add(struct rig *r, struct treq *t);

/* Device: take everything, use it all in order with full length. */
unsigned int dev_use_all(struct rig *r);
/* Which request (by its first buffer) is the device's sr? */
struct treq *find_treq(struct treq **set, unsigned int n, const struct sim_req *sr);

#endif
