// uses: virtio/virtqueue.c tests/unit/vq_sim.c
/*
 * The split virtqueue against a simulated device (vq_sim.c): round trips,
 * 16-bit index wrap-around, indirect chains, EVENT_IDX kick and interrupt
 * suppression, out-of-order completion, full queues, misbehaving devices,
 * and long random runs checked step by step against a model.
 */
#include "tests/unit/unit.h"
#include "tests/unit/vq_sim.h"
#include "virtio/virtqueue.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <stdarg.h>

#define F_EVENT    (1ull << VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT (1ull << VIRTIO_RING_F_INDIRECT_DESC)

/* virtqueue.c logs through klog(); here the lines become TAP comments and
 * the last one is kept for the tests to read. */
void klog(int level, const char *fmt, ...);
static char log_last[512];
static unsigned int log_count;

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log_last, sizeof(log_last), fmt, ap);
	va_end(ap);
	log_count++;
	printf("# klog<%d>: %s", level, log_last);
}

/* For helpers that report to a test: print and return false. */
#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("# %s:%d: check failed: %s\n", __FILE__,       \
			       __LINE__, #cond);                              \
			return false;                                         \
		}                                                             \
	} while (0)

static u64 rnd_state;

static u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (u32)(rnd_state >> 16);
}

static long vq_err(const struct vq *vq)
{
	return (uintptr_t)vq >= (uintptr_t)-4095 ? (long)(intptr_t)vq : 0;
}

static void *zalloc16(size_t size)
{
	void *p = aligned_alloc(16, (size + 15) & ~(size_t)15);

	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	memset(p, 0, size);
	return p;
}

/* ---- a queue wired to a simulated device --------------------------------- */

struct rig {
	u16 num;
	void *ring, *mem, *ind;
	struct vq *vq;
	struct sim sim;
	struct vq_config cfg;
	unsigned int callbacks;
	void (*on_callback)(struct rig *r);
};

static void rig_callback(struct vq *vq, void *arg)
{
	struct rig *r = arg;

	r->callbacks++;
	if (r->on_callback)
		r->on_callback(r);
}

static void rig_free(struct rig *r)
{
	sim_fini(&r->sim);
	free(r->ring);
	free(r->mem);
	free(r->ind);
}

static bool rig_init(struct rig *r, u16 num, u64 features, u16 tables, u16 tmax)
{
	memset(r, 0, sizeof(*r));
	r->num = num;
	r->ring = zalloc16(vq_ring_size(num));
	r->mem = zalloc16(vq_mem_size(num, tables));
	r->cfg = (struct vq_config){
		.name = "sim.0", .num = num, .features = features,
		.ring = r->ring, .ring_dma = sim_dma(r->ring),
		.notify = sim_notify, .notify_arg = &r->sim,
		.callback = rig_callback, .cb_arg = r,
	};
	if (tables) {
		r->ind = zalloc16((size_t)tables * tmax * 16);
		r->cfg.indirect = r->ind;
		r->cfg.indirect_dma = sim_dma(r->ind);
		r->cfg.indirect_tables = tables;
		r->cfg.indirect_max = tmax;
	}
	r->vq = vq_create(&r->cfg, r->mem);
	CHECK(!vq_err(r->vq));
	CHECK(sim_init(&r->sim, r->vq, num, features) == 0);
	return true;
}

/* ---- requests with real buffers ----------------------------------------- */

#define TREQ_MAX 40

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

/* nr readable then nw writable elements of len bytes (0: random 1..32). */
static struct treq *treq_new(unsigned int nr, unsigned int nw, u32 len)
{
	struct treq *t = calloc(1, sizeof(*t));

	if (!t)
		exit(2);
	t->n = nr + nw;
	for (unsigned int i = 0; i < t->n; i++) {
		u32 l = len ? len : 1 + rnd() % 32;

		t->mem[i] = malloc(l);
		if (!t->mem[i])
			exit(2);
		t->b[i] = (struct vq_buf){ sim_dma(t->mem[i]), l, i >= nr };
		if (i < nr) {
			for (u32 k = 0; k < l; k++) {
				t->mem[i][k] = (u8)rnd();
				t->sum += t->mem[i][k];
			}
		} else {
			memset(t->mem[i], 0xee, l);
			t->wtotal += l;
		}
	}
	return t;
}

static void treq_free(struct treq *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		free(t->mem[i]);
	free(t);
}

/* The device wrote exactly len bytes of its pattern into the writable part. */
static bool treq_check(const struct treq *t, u32 len)
{
	u32 k = 0;

	CHECK(len <= t->wtotal);
	for (unsigned int i = 0; i < t->n; i++) {
		if (!t->b[i].write)
			continue;
		for (u32 b = 0; b < t->b[i].len; b++, k++)
			CHECK(t->mem[i][b] == (k < len ? (u8)(t->sum + k) : 0xee));
	}
	return true;
}

static int treq_add(struct rig *r, struct treq *t)
{
	return vq_add(r->vq, t->b, t->n, t);
}

/* Device: take everything, use it all in order with full length. */
static unsigned int dev_use_all(struct rig *r)
{
	unsigned int n;
	u16 old = r->sim.used_idx;

	sim_take(&r->sim);
	n = r->sim.nreq;
	while (r->sim.nreq)
		sim_use(&r->sim, 0, r->sim.req[0].wcap);
	sim_interrupt(&r->sim, old);
	return n;
}

/* Which request (by buffer) is the device's req[i]? */
static struct treq *find_treq(struct treq **set, unsigned int n, const struct sim_req *sr)
{
	for (unsigned int i = 0; i < n; i++)
		if (set[i] && set[i]->mem[0] == sr->elem[0].p)
			return set[i];
	return NULL;
}

/* ---- configuration and layout -------------------------------------------- */

UNIT_TEST(create_rejects_bad_config)
{
	struct rig r;
	struct vq_config c;
	void *mem;

	EXPECT(rig_init(&r, 8, F_INDIRECT, 2, 8));
	mem = zalloc16(vq_mem_size(32768, 2));

	c = r.cfg; c.num = 0;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.num = 6;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.num = 65535;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.ring = (char *)r.ring + 8;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.ring_dma += 4;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.notify = NULL;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	EXPECT_EQ(vq_err(vq_create(&r.cfg, (char *)mem + 4)), -EINVAL);
	/* Indirect tables only with the feature, at most a queue long. */
	c = r.cfg; c.features = 0;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.indirect_max = 9;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.indirect_max = 1;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	c = r.cfg; c.indirect_dma += 8;
	EXPECT_EQ(vq_err(vq_create(&c, mem)), -EINVAL);
	/* The feature without a pool is fine: chains just stay direct. */
	c = r.cfg; c.indirect_tables = 0; c.indirect = NULL;
	EXPECT(!vq_err(vq_create(&c, mem)));
	EXPECT_EQ(vq_err(vq_create(&r.cfg, mem)), 0);
	free(mem);
	rig_free(&r);
}

UNIT_TEST(largest_queue_is_32768)
{
	u16 num = 32768;
	void *ring = zalloc16(vq_ring_size(num)), *mem = zalloc16(vq_mem_size(num, 0));
	struct vq_config c = {
		.name = "big", .num = num, .ring = ring, .ring_dma = sim_dma(ring),
		.notify = sim_notify,
	};
	struct vq *vq = vq_create(&c, mem);

	EXPECT(!vq_err(vq));
	EXPECT_EQ(vq_num_free(vq), 32768);
	free(ring);
	free(mem);
}

UNIT_TEST(ring_layout_follows_spec)
{
	static const u16 sizes[] = { 1, 2, 8, 256, 1024 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		u16 num = sizes[i];
		struct rig r;
		u64 avail, used;

		/* vq_create must zero what the caller hands it. */
		EXPECT(rig_init(&r, num, 0, 0, 0));
		memset(r.ring, 0xa5, vq_ring_size(num));
		EXPECT(!vq_err(vq_create(&r.cfg, r.mem)));
		EXPECT_EQ(r.sim.vr.avail->idx, 0);
		EXPECT_EQ(r.sim.vr.avail->flags, 0);
		EXPECT_EQ(r.sim.vr.used->flags, 0);
		EXPECT_EQ(r.sim.vr.used->idx, 0);

		/* §2.7: descriptor table 16 * num at 16, avail 6 + 2 * num at 2,
		 * used 6 + 8 * num at 4, all inside vq_ring_size(). */
		avail = vq_avail_dma(r.vq) - vq_desc_dma(r.vq);
		used = vq_used_dma(r.vq) - vq_desc_dma(r.vq);
		EXPECT_EQ(vq_desc_dma(r.vq), sim_dma(r.ring));
		EXPECT(avail >= 16u * num && avail % 2 == 0);
		EXPECT(used >= avail + 6 + 2u * num && used % 4 == 0);
		EXPECT(used + 6 + 8u * num <= vq_ring_size(num));
		EXPECT_EQ(r.sim.errors, 0);
		rig_free(&r);
	}
}

/* ---- basic operation ------------------------------------------------------- */

UNIT_TEST(one_request_round_trip)
{
	struct rig r;
	struct treq *t;
	struct vq_stats st;
	u32 len = 0;
	int status = 1;

	EXPECT(rig_init(&r, 8, 0, 0, 0));
	t = treq_new(1, 1, 32);
	EXPECT_EQ(treq_add(&r, t), 0);
	EXPECT_EQ(vq_num_free(r.vq), 6);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(r.sim.kicks, 1);

	EXPECT_EQ(sim_take(&r.sim), 1);
	EXPECT_EQ(r.sim.req[0].n, 2);
	EXPECT_EQ(r.sim.req[0].wcap, 32);
	EXPECT(!r.sim.req[0].elem[0].write && r.sim.req[0].elem[1].write);
	sim_use(&r.sim, 0, 20);
	EXPECT(sim_interrupt(&r.sim, 0));

	/* The transport's interrupt handler hands it to the driver. */
	EXPECT(vq_interrupt(r.vq));
	EXPECT_EQ(r.callbacks, 1);
	EXPECT(vq_get_buf(r.vq, &len, &status) == t);
	EXPECT_EQ(len, 20);
	EXPECT_EQ(status, 0);
	EXPECT(treq_check(t, 20));
	EXPECT(vq_get_buf(r.vq, &len, &status) == NULL);
	EXPECT(!vq_interrupt(r.vq));
	EXPECT_EQ(r.callbacks, 1);
	EXPECT_EQ(vq_num_free(r.vq), 8);

	st = vq_get_stats(r.vq);
	EXPECT_EQ(st.added, 1);
	EXPECT_EQ(st.kicks, 1);
	EXPECT_EQ(st.used, 1);
	EXPECT_EQ(st.failed, 0);
	EXPECT(!vq_kick(r.vq));         /* nothing new: no kick */
	EXPECT_EQ(r.sim.errors, 0);
	treq_free(t);
	rig_free(&r);
}

UNIT_TEST(add_rejects_bad_requests)
{
	struct rig r;
	struct treq *t;
	struct vq_buf huge[2] = { { sim_dma(&r), 3u << 30, false },
				  { sim_dma(&r), 3u << 30, true } };
	struct vq_buf backwards[2] = { { sim_dma(&r), 8, true },
				       { sim_dma(&r), 8, false } };

	EXPECT(rig_init(&r, 8, F_INDIRECT, 2, 8));
	t = treq_new(9, 0, 4);
	EXPECT_EQ(vq_add(r.vq, t->b, 0, t), -EINVAL);
	EXPECT_EQ(vq_add(r.vq, t->b, 1, NULL), -EINVAL);
	EXPECT_EQ(vq_add(r.vq, backwards, 2, t), -EINVAL);     /* §2.7.4.2 */
	EXPECT_EQ(vq_add(r.vq, huge, 2, t), -EINVAL);          /* §2.7.5.2 */
	EXPECT_EQ(vq_add(r.vq, t->b, 9, t), -EINVAL);          /* > queue size */
	EXPECT_EQ(vq_num_free(r.vq), 8);
	EXPECT_EQ(vq_get_stats(r.vq).added, 0);
	EXPECT(!vq_kick(r.vq));
	EXPECT(!sim_avail_pending(&r.sim));
	treq_free(t);
	rig_free(&r);
}

UNIT_TEST(queue_full_returns_enospc)
{
	struct rig r;
	struct treq *t[5], *pair;
	u32 len;
	int status;

	EXPECT(rig_init(&r, 4, 0, 0, 0));
	for (int i = 0; i < 5; i++)
		t[i] = treq_new(1, 0, 8);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(treq_add(&r, t[i]), 0);
	EXPECT_EQ(treq_add(&r, t[4]), -ENOSPC);
	EXPECT_EQ(vq_num_free(r.vq), 0);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 4);

	/* One slot back: a single fits, a pair does not. */
	sim_use(&r.sim, 0, 0);
	EXPECT(vq_get_buf(r.vq, &len, &status) == t[0]);
	pair = treq_new(1, 1, 8);
	EXPECT_EQ(treq_add(&r, pair), -ENOSPC);
	EXPECT_EQ(treq_add(&r, t[4]), 0);
	EXPECT_EQ(vq_get_stats(r.vq).added, 5);

	while (dev_use_all(&r))
		;
	for (int i = 1; i < 5; i++) {
		EXPECT(vq_get_buf(r.vq, &len, &status) == t[i]);
		EXPECT_EQ(status, 0);
	}
	EXPECT_EQ(treq_add(&r, pair), 0);
	EXPECT_EQ(vq_num_free(r.vq), 2);
	EXPECT_EQ(r.sim.errors, 0);
	for (int i = 0; i < 5; i++)
		treq_free(t[i]);
	treq_free(pair);
	rig_free(&r);
}

/* ---- indirect descriptors ---------------------------------------------------- */

UNIT_TEST(indirect_chains)
{
	struct rig r;
	struct treq *a, *b, *c, *d, *e, *f;
	struct treq *all[6];
	u16 head;
	u32 len;
	int status;

	EXPECT(rig_init(&r, 8, F_INDIRECT, 2, 8));
	a = treq_new(2, 1, 0);
	b = treq_new(3, 5, 0);          /* exactly indirect_max */
	c = treq_new(1, 3, 0);          /* tables used up: direct */
	d = treq_new(2, 1, 0);
	e = treq_new(0, 1, 0);
	f = treq_new(4, 5, 0);          /* longer than the queue */

	EXPECT_EQ(treq_add(&r, a), 0);
	EXPECT_EQ(vq_num_free(r.vq), 7);        /* one slot for 3 elements */
	EXPECT_EQ(treq_add(&r, b), 0);
	EXPECT_EQ(vq_num_free(r.vq), 6);
	EXPECT_EQ(treq_add(&r, c), 0);
	EXPECT_EQ(vq_num_free(r.vq), 2);
	EXPECT_EQ(treq_add(&r, d), -ENOSPC);
	EXPECT_EQ(treq_add(&r, e), 0);
	EXPECT_EQ(treq_add(&r, f), -EINVAL);
	EXPECT(vq_kick(r.vq));

	/* What the device sees: INDIRECT alone in the ring slot (§2.7.5.3.1),
	 * a table of n descriptors behind it. */
	EXPECT_EQ(sim_take(&r.sim), 4);
	head = r.sim.req[0].head;
	EXPECT_EQ(r.sim.vr.desc[head].flags, VRING_DESC_F_INDIRECT);
	EXPECT_EQ(r.sim.vr.desc[head].len, 3 * 16);
	EXPECT(r.sim.req[0].table && r.sim.req[1].table);
	EXPECT_EQ(r.sim.req[1].n, 8);
	EXPECT(!r.sim.req[2].table && !r.sim.req[3].table);
	EXPECT_EQ(r.sim.req[2].n, 4);

	all[0] = a; all[1] = b; all[2] = c; all[3] = e; all[4] = NULL; all[5] = NULL;
	/* Out of order, partial lengths. */
	for (int k = 3; k >= 0; k--) {
		struct treq *t = find_treq(all, 4, &r.sim.req[k]);
		u32 want = r.sim.req[k].wcap / 2;

		EXPECT(t);
		sim_use(&r.sim, k, want);
		EXPECT(vq_get_buf(r.vq, &len, &status) == t);
		EXPECT_EQ(len, want);
		EXPECT(treq_check(t, len));
	}
	EXPECT_EQ(vq_num_free(r.vq), 8);
	/* The tables came back: two chains again take one slot each. */
	EXPECT_EQ(treq_add(&r, d), 0);
	EXPECT_EQ(treq_add(&r, a), 0);
	EXPECT_EQ(vq_num_free(r.vq), 6);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(dev_use_all(&r), 2);
	EXPECT(vq_get_buf(r.vq, &len, &status) == d);
	EXPECT(vq_get_buf(r.vq, &len, &status) == a);
	EXPECT_EQ(r.sim.errors, 0);
	treq_free(a); treq_free(b); treq_free(c); treq_free(d); treq_free(e); treq_free(f);
	rig_free(&r);
}

UNIT_TEST(chain_longer_than_table_goes_direct)
{
	struct rig r;
	struct treq *t;
	u32 len;
	int status;

	EXPECT(rig_init(&r, 8, F_INDIRECT, 4, 4));
	t = treq_new(3, 3, 0);
	EXPECT_EQ(treq_add(&r, t), 0);
	EXPECT_EQ(vq_num_free(r.vq), 2);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 1);
	EXPECT(!r.sim.req[0].table);
	sim_use(&r.sim, 0, r.sim.req[0].wcap);
	EXPECT(vq_get_buf(r.vq, &len, &status) == t);
	EXPECT(treq_check(t, len));
	EXPECT_EQ(r.sim.errors, 0);
	treq_free(t);
	rig_free(&r);
}

UNIT_TEST(no_indirect_without_feature)
{
	struct rig r;
	struct treq *t;

	EXPECT(rig_init(&r, 8, F_EVENT, 0, 0));
	t = treq_new(1, 2, 0);
	EXPECT_EQ(treq_add(&r, t), 0);
	EXPECT_EQ(vq_num_free(r.vq), 5);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 1);
	EXPECT(!r.sim.req[0].table);
	EXPECT_EQ(r.sim.errors, 0);
	treq_free(t);
	rig_free(&r);
}

/* ---- 16-bit wrap-around --------------------------------------------------------- */

/* Push total requests through a queue of num, nsg elements each, in random
 * batches, completed in order or shuffled; tokens must come back exactly
 * once, in the device's order, with their data. */
static bool run_wrap(u16 num, u64 features, u16 tables, unsigned int nsg,
		     unsigned int total, bool shuffle)
{
	struct rig r;
	struct treq **pool = calloc(num, sizeof(*pool));
	struct treq *order[64];
	unsigned int added = 0, done = 0, batches = 0, interrupts = 0;

	CHECK(pool && num <= 64);
	CHECK(rig_init(&r, num, features, tables, nsg));
	for (unsigned int i = 0; i < num; i++) {
		pool[i] = treq_new(nsg > 1 ? 1 : 0, nsg > 1 ? nsg - 1 : 1, 4);
		pool[i]->serial = ~0u;          /* idle */
	}
	while (done < total) {
		unsigned int want = 1 + rnd() % num, n = 0, used = 0;
		u16 old;

		for (unsigned int i = 0; i < num && n < want && added < total; i++) {
			if (pool[i]->serial != ~0u)
				continue;
			pool[i]->serial = added;
			if (treq_add(&r, pool[i])) {
				pool[i]->serial = ~0u;
				break;
			}
			added++;
			n++;
		}
		if (n) {
			CHECK(vq_kick(r.vq));   /* the device asked for kicks */
			batches++;
		}
		sim_take(&r.sim);
		sim_want_kicks(&r.sim);
		old = r.sim.used_idx;
		while (r.sim.nreq && used < (rnd() % num) + 1) {
			unsigned int k = shuffle ? rnd() % r.sim.nreq : 0;

			order[used++] = find_treq(pool, num, &r.sim.req[k]);
			sim_use(&r.sim, k, r.sim.req[k].wcap);
		}
		if (sim_interrupt(&r.sim, old))
			interrupts++;
		for (unsigned int i = 0; i < used; i++) {
			u32 len;
			int status;
			struct treq *t = vq_get_buf(r.vq, &len, &status);

			CHECK(t && t == order[i]);
			CHECK(status == 0 && len == t->wtotal);
			CHECK(treq_check(t, len));
			if (!shuffle)
				CHECK(t->serial == done);
			memset(t->mem[t->n - 1], 0xee, t->b[t->n - 1].len);
			t->serial = ~0u;
			done++;
		}
		CHECK(!vq_get_buf(r.vq, &(u32){ 0 }, &(int){ 0 }));
	}
	/* Both free-running indices went past 65535 and came round. */
	CHECK(total > 65536);
	CHECK(r.sim.vr.avail->idx == (u16)total);
	CHECK(r.sim.used_idx == (u16)total);
	CHECK(vq_get_stats(r.vq).kicks == batches);
	CHECK(r.sim.kicks == batches);
	CHECK(vq_get_stats(r.vq).used == total);
	CHECK(vq_num_free(r.vq) == num);
	CHECK(r.sim.errors == 0);
	printf("# wrap: %u requests, %u kicks, %u interrupts\n", total, batches, interrupts);
	for (unsigned int i = 0; i < num; i++)
		treq_free(pool[i]);
	free(pool);
	rig_free(&r);
	return true;
}

UNIT_TEST(wraps_past_65535)
{
	rnd_state = 0x1234567;
	EXPECT(run_wrap(8, 0, 0, 1, 70001, false));
}

UNIT_TEST(wraps_past_65535_event_idx)
{
	rnd_state = 0x7654321;
	EXPECT(run_wrap(4, F_EVENT, 0, 1, 70003, false));
}

UNIT_TEST(wraps_past_65535_indirect_out_of_order)
{
	rnd_state = 0xabcdef;
	EXPECT(run_wrap(8, F_EVENT | F_INDIRECT, 8, 3, 70010, true));
}

UNIT_TEST(wraps_past_65535_direct_chains)
{
	rnd_state = 0xfeed;
	EXPECT(run_wrap(16, 0, 0, 3, 66000, true));
}

/* ---- notification suppression ------------------------------------------------------ */

UNIT_TEST(event_idx_suppresses_kicks)
{
	struct rig r;
	struct treq *t[16];

	EXPECT(rig_init(&r, 16, F_EVENT, 0, 0));
	for (int i = 0; i < 16; i++)
		t[i] = treq_new(1, 0, 8);

	/* avail_event starts at 0: the first entry needs a kick. */
	EXPECT_EQ(treq_add(&r, t[0]), 0);
	EXPECT(vq_kick(r.vq));
	/* The device has not run yet: it will see these without another kick. */
	for (int i = 1; i < 4; i++)
		EXPECT_EQ(treq_add(&r, t[i]), 0);
	EXPECT(!vq_kick(r.vq));
	EXPECT_EQ(r.sim.kicks, 1);

	/* Device takes 4 and asks for a kick at the next entry. */
	EXPECT_EQ(sim_take(&r.sim), 4);
	sim_want_kicks(&r.sim);
	EXPECT_EQ(vring_avail_event(&r.sim.vr), 4);
	EXPECT_EQ(treq_add(&r, t[4]), 0);
	EXPECT_EQ(treq_add(&r, t[5]), 0);
	EXPECT(vq_kick(r.vq));          /* one kick for the batch of two */
	EXPECT_EQ(r.sim.kicks, 2);

	/* A busy (polling) device asks for none. */
	EXPECT_EQ(sim_take(&r.sim), 2);
	sim_no_kicks(&r.sim);
	for (int i = 6; i < 11; i++) {
		EXPECT_EQ(treq_add(&r, t[i]), 0);
		EXPECT(!vq_kick(r.vq));
	}
	EXPECT_EQ(r.sim.kicks, 2);
	EXPECT_EQ(sim_take(&r.sim), 5);
	sim_want_kicks(&r.sim);
	EXPECT_EQ(treq_add(&r, t[11]), 0);
	EXPECT(vq_kick_prepare(r.vq));
	vq_notify(r.vq);
	EXPECT_EQ(r.sim.kicks, 3);
	EXPECT_EQ(vq_get_stats(r.vq).kicks, 3);
	EXPECT_EQ(vq_get_stats(r.vq).added, 12);
	EXPECT_EQ(r.sim.errors, 0);
	for (int i = 0; i < 16; i++)
		treq_free(t[i]);
	rig_free(&r);
}

UNIT_TEST(no_notify_flag_suppresses_kicks)
{
	struct rig r;
	struct treq *t[4];

	EXPECT(rig_init(&r, 8, 0, 0, 0));
	for (int i = 0; i < 4; i++)
		t[i] = treq_new(1, 0, 8);
	sim_no_kicks(&r.sim);
	EXPECT_EQ(treq_add(&r, t[0]), 0);
	EXPECT(!vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 1);
	sim_want_kicks(&r.sim);
	EXPECT_EQ(treq_add(&r, t[1]), 0);
	EXPECT_EQ(treq_add(&r, t[2]), 0);
	EXPECT(vq_kick(r.vq));
	EXPECT(!vq_kick(r.vq));
	EXPECT_EQ(r.sim.kicks, 1);
	EXPECT_EQ(r.sim.errors, 0);
	for (int i = 0; i < 4; i++)
		treq_free(t[i]);
	rig_free(&r);
}

/* Device uses k of the taken requests (in order) and maybe interrupts. */
static bool dev_use(struct rig *r, unsigned int k)
{
	u16 old = r->sim.used_idx;

	for (unsigned int i = 0; i < k && r->sim.nreq; i++)
		sim_use(&r->sim, 0, 0);
	return sim_interrupt(&r->sim, old);
}

static unsigned int drain(struct rig *r)
{
	unsigned int n = 0;
	u32 len;
	int status;

	while (vq_get_buf(r->vq, &len, &status))
		n++;
	return n;
}

UNIT_TEST(event_idx_suppresses_interrupts)
{
	struct rig r;
	struct treq *t[16];

	EXPECT(rig_init(&r, 16, F_EVENT, 0, 0));
	for (int i = 0; i < 16; i++) {
		t[i] = treq_new(0, 1, 4);
		EXPECT_EQ(treq_add(&r, t[i]), 0);
	}
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 16);

	/* used_event 0: the first batch interrupts once... */
	EXPECT(dev_use(&r, 3));
	/* ...and while the driver has not caught up, no more. */
	EXPECT(!dev_use(&r, 2));
	EXPECT_EQ(drain(&r), 5);
	/* Collecting moved used_event to the next entry (§2.7.7.1). */
	EXPECT_EQ(vring_used_event(&r.sim.vr), 5);
	EXPECT(dev_use(&r, 1));
	EXPECT_EQ(drain(&r), 1);

	/* Disabled: nothing, even after the driver polls. */
	vq_disable_cb(r.vq);
	EXPECT(!dev_use(&r, 1));
	EXPECT_EQ(drain(&r), 1);
	EXPECT(!dev_use(&r, 2));
	EXPECT_EQ(r.sim.vr.avail->flags, 0);   /* EVENT_IDX: flags stay 0 */

	/* Re-enable with two unseen: the re-check says "collect first". */
	EXPECT(!vq_enable_cb(r.vq));
	EXPECT_EQ(vring_used_event(&r.sim.vr), 7);
	EXPECT_EQ(drain(&r), 2);
	EXPECT(vq_enable_cb(r.vq));
	EXPECT_EQ(vring_used_event(&r.sim.vr), 9);
	EXPECT(dev_use(&r, 1));
	EXPECT_EQ(r.sim.interrupts, 3);
	EXPECT_EQ(drain(&r), 1);
	EXPECT_EQ(r.sim.errors, 0);
	for (int i = 0; i < 16; i++)
		treq_free(t[i]);
	rig_free(&r);
}

UNIT_TEST(no_interrupt_flag_suppresses_interrupts)
{
	struct rig r;
	struct treq *t[8];

	EXPECT(rig_init(&r, 8, 0, 0, 0));
	for (int i = 0; i < 8; i++) {
		t[i] = treq_new(0, 1, 4);
		EXPECT_EQ(treq_add(&r, t[i]), 0);
	}
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 8);
	EXPECT(dev_use(&r, 1));
	vq_disable_cb(r.vq);
	EXPECT_EQ(r.sim.vr.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	EXPECT(!dev_use(&r, 2));
	EXPECT(!vq_enable_cb(r.vq));            /* three waiting */
	EXPECT_EQ(r.sim.vr.avail->flags, 0);
	EXPECT_EQ(drain(&r), 3);
	EXPECT(vq_enable_cb(r.vq));
	EXPECT(dev_use(&r, 1));
	EXPECT_EQ(r.sim.interrupts, 2);
	EXPECT_EQ(drain(&r), 1);
	EXPECT_EQ(r.sim.errors, 0);
	for (int i = 0; i < 8; i++)
		treq_free(t[i]);
	rig_free(&r);
}

/* Polling with callbacks off through more than 65536 completions: used_event
 * must never come back into the device's path. */
UNIT_TEST(polling_past_wrap_takes_no_interrupts)
{
	struct rig r;
	struct treq *t[4];
	u32 len;
	int status;

	EXPECT(rig_init(&r, 4, F_EVENT, 0, 0));
	for (int i = 0; i < 4; i++)
		t[i] = treq_new(0, 1, 4);
	vq_disable_cb(r.vq);
	for (unsigned int i = 0; i < 70000; i++) {
		EXPECT_EQ(treq_add(&r, t[i % 4]), 0);
		vq_kick(r.vq);
		EXPECT_EQ(sim_take(&r.sim), 1);
		sim_want_kicks(&r.sim);
		EXPECT(!dev_use(&r, 1));
		EXPECT(vq_get_buf(r.vq, &len, &status) == t[i % 4]);
	}
	EXPECT_EQ(r.sim.interrupts, 0);
	EXPECT(vq_enable_cb(r.vq));
	EXPECT_EQ(treq_add(&r, t[0]), 0);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 1);
	EXPECT(dev_use(&r, 1));
	EXPECT_EQ(r.sim.errors, 0);
	for (int i = 0; i < 4; i++)
		treq_free(t[i]);
	rig_free(&r);
}

/* ---- out-of-order completion ------------------------------------------------------- */

UNIT_TEST(out_of_order_completion)
{
	struct rig r;
	struct treq *t[16];
	u32 len;
	int status;

	rnd_state = 42;
	EXPECT(rig_init(&r, 16, F_EVENT | F_INDIRECT, 8, 4));
	for (int i = 0; i < 10; i++) {
		t[i] = treq_new(1 + i % 2, 1 + i % 3, 0);
		EXPECT_EQ(treq_add(&r, t[i]), 0);
	}
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 10);
	while (r.sim.nreq) {
		unsigned int k = rnd() % r.sim.nreq;
		struct treq *want = find_treq(t, 10, &r.sim.req[k]);
		u32 wlen = rnd() % (r.sim.req[k].wcap + 1);

		EXPECT(want);
		sim_use(&r.sim, k, wlen);
		EXPECT(vq_get_buf(r.vq, &len, &status) == want);
		EXPECT_EQ(len, wlen);
		EXPECT_EQ(status, 0);
		EXPECT(treq_check(want, len));
		for (int i = 0; i < 10; i++)
			if (t[i] == want)
				t[i] = NULL;
		treq_free(want);
	}
	EXPECT_EQ(vq_num_free(r.vq), 16);
	EXPECT_EQ(r.sim.errors, 0);
	rig_free(&r);
}

/* ---- misbehaving devices ------------------------------------------------------------ */

/* n requests in flight in a queue of 16, all taken by the device: even
 * ones 8 readable bytes, odd ones a chain of two 8-byte writable elements. */
static bool setup_inflight(struct rig *r, struct treq **t, unsigned int n, u64 features)
{
	CHECK(rig_init(r, 16, features, features & F_INDIRECT ? 4 : 0, 8));
	for (unsigned int i = 0; i < n; i++) {
		t[i] = treq_new(i % 2 ? 0 : 1, i % 2 ? 2 : 0, 8);
		CHECK(treq_add(r, t[i]) == 0);
	}
	CHECK(vq_kick(r->vq));
	CHECK(sim_take(&r->sim) == n);
	return true;
}

/* After the queue broke: every request in t[first..n) comes back once with
 * -EIO, then nothing; adds fail; kicks stop. */
static bool check_failed(struct rig *r, struct treq **t, unsigned int first, unsigned int n)
{
	bool seen[16] = { false };
	unsigned int failed = 0;
	struct treq *tok;
	u32 len = 1;
	int status;

	while ((tok = vq_get_buf(r->vq, &len, &status))) {
		unsigned int i;

		for (i = first; i < n && t[i] != tok; i++)
			;
		CHECK(i < n && !seen[i]);
		CHECK(status == -EIO && len == 0);
		seen[i] = true;
		failed++;
	}
	CHECK(failed == n - first);
	CHECK(vq_is_broken(r->vq));
	CHECK(vq_get_stats(r->vq).failed == n - first);
	CHECK(vq_add(r->vq, t[0]->b, t[0]->n, t[0]) == -EIO);
	CHECK(!vq_kick(r->vq));
	CHECK(!vq_interrupt(r->vq));
	CHECK(vq_enable_cb(r->vq));
	CHECK(vq_num_free(r->vq) == r->num);
	/* The device keeps scribbling: still nothing, no crash. */
	sim_put_used(&r->sim, 0xffffffffu, 0xffffffffu);
	sim_bump_used_idx(&r->sim, 1000);
	CHECK(!vq_get_buf(r->vq, &len, &status));
	CHECK(r->sim.errors == 0);
	return true;
}

static void free_all(struct rig *r, struct treq **t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		treq_free(t[i]);
	rig_free(r);
}

UNIT_TEST(broken_device_id_out_of_range)
{
	struct rig r;
	struct treq *t[5];
	u32 len;
	int status;
	unsigned int logs = log_count;

	EXPECT(setup_inflight(&r, t, 5, F_EVENT));
	/* One good completion first: it still comes back normally. */
	sim_use(&r.sim, 0, 0);
	sim_put_used(&r.sim, 19, 0);
	EXPECT(vq_interrupt(r.vq));
	EXPECT(vq_get_buf(r.vq, &len, &status) == t[0]);
	EXPECT_EQ(status, 0);
	EXPECT(check_failed(&r, t, 1, 5));
	EXPECT_EQ(log_count, logs + 1);         /* said once, clearly */
	EXPECT(strstr(log_last, "sim.0") && strstr(log_last, "id 19") &&
	       strstr(log_last, "queue broken"));
	free_all(&r, t, 5);
}

UNIT_TEST(broken_device_id_not_a_head)
{
	struct rig r;
	struct treq *t[3];
	u16 middle;

	/* Direct chains: the second descriptor of a chain is not a head. */
	EXPECT(setup_inflight(&r, t, 3, 0));
	middle = r.sim.req[1].elem[1].desc;
	EXPECT(middle != r.sim.req[1].head);
	sim_put_used(&r.sim, middle, 0);
	EXPECT(check_failed(&r, t, 0, 3));
	EXPECT(strstr(log_last, "not a request in flight"));
	free_all(&r, t, 3);
}

UNIT_TEST(broken_device_completes_twice)
{
	struct rig r;
	struct treq *t[4];
	u16 head;
	u32 len;
	int status;

	EXPECT(setup_inflight(&r, t, 4, F_EVENT | F_INDIRECT));
	head = r.sim.req[0].head;
	sim_use(&r.sim, 0, 0);
	EXPECT(vq_get_buf(r.vq, &len, &status) == t[0]);
	sim_put_used(&r.sim, head, 0);          /* the same head again */
	EXPECT(check_failed(&r, t, 1, 4));
	free_all(&r, t, 4);
}

UNIT_TEST(broken_device_len_too_long)
{
	struct rig r;
	struct treq *t[4];

	EXPECT(setup_inflight(&r, t, 4, F_INDIRECT));
	/* t[1] has 16 writable bytes: 17 is a lie. */
	EXPECT_EQ(r.sim.req[1].wcap, 16);
	sim_put_used(&r.sim, r.sim.req[1].head, 17);
	EXPECT(check_failed(&r, t, 0, 4));      /* t[1] fails too */
	EXPECT(strstr(log_last, "17 bytes"));
	free_all(&r, t, 4);
}

UNIT_TEST(broken_device_len_on_read_only_request)
{
	struct rig r;
	struct treq *t[2];

	EXPECT(rig_init(&r, 8, 0, 0, 0));
	t[0] = treq_new(2, 0, 8);
	t[1] = treq_new(1, 0, 8);
	EXPECT_EQ(treq_add(&r, t[0]), 0);
	EXPECT_EQ(treq_add(&r, t[1]), 0);
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(sim_take(&r.sim), 2);
	sim_put_used(&r.sim, r.sim.req[0].head, 1);
	EXPECT(check_failed(&r, t, 0, 2));
	free_all(&r, t, 2);
}

UNIT_TEST(broken_device_used_idx_runs_ahead)
{
	struct rig r;
	struct treq *t[3];

	EXPECT(setup_inflight(&r, t, 3, F_EVENT));
	sim_bump_used_idx(&r.sim, 4);           /* 4 used of 3 in flight */
	EXPECT(check_failed(&r, t, 0, 3));
	EXPECT(strstr(log_last, "used idx jumped"));
	free_all(&r, t, 3);
}

UNIT_TEST(transport_break_fails_outstanding)
{
	struct rig r;
	struct treq *t[6];

	EXPECT(setup_inflight(&r, t, 6, F_INDIRECT));
	vq_break(r.vq);
	EXPECT(strstr(log_last, "failing 6 requests"));
	EXPECT(vq_interrupt(r.vq));             /* lets the driver collect */
	EXPECT(check_failed(&r, t, 0, 6));
	free_all(&r, t, 6);
}

/* ---- long random runs against a model ------------------------------------------------- */

struct model_cfg {
	u16 num;
	u64 features;
	u16 tables, tmax;
	bool irq_only;          /* the driver collects only from interrupts */
	unsigned int steps;
	unsigned int break_at;  /* step at which the device goes bad, or 0 */
	u64 seed;
};

/* The model's view of the driver and the device. */
struct model {
	const struct model_cfg *c;
	struct rig r;
	struct treq **inflight; /* requests the driver has out, num slots */
	unsigned int ninflight;
	struct { struct treq *t; u32 len; } *fifo;  /* used, not collected */
	unsigned int fifo_head, fifo_tail;          /* ring of num + 1 */
	u16 free, ind_free;
	bool awake, armed, irq_pending, polling;
	bool broken, eio_seen;
	bool ok;                /* a check in the callback failed */
	u32 serial;
};

static bool model_collect_one(struct model *m, bool *got)
{
	u32 len;
	int status;
	struct treq *t = vq_get_buf(m->r.vq, &len, &status);
	unsigned int i;

	*got = t != NULL;
	if (!t)
		return m->fifo_head == m->fifo_tail;
	if (status == -EIO) {
		/* Once the device broke, everything left comes back failed,
		 * including entries it used well before the bad one if the
		 * bad used idx gave it away first. */
		CHECK(m->broken && len == 0);
		m->fifo_head = m->fifo_tail;
		m->eio_seen = true;
	} else {
		CHECK(!m->eio_seen);
		CHECK(m->fifo_head != m->fifo_tail);
		CHECK(t == m->fifo[m->fifo_head].t);
		CHECK(status == 0 && len == m->fifo[m->fifo_head].len);
		CHECK(treq_check(t, len));
		m->fifo_head = (m->fifo_head + 1) % (m->c->num + 1u);
	}
	for (i = 0; i < m->ninflight && m->inflight[i] != t; i++)
		;
	CHECK(i < m->ninflight);
	m->inflight[i] = m->inflight[--m->ninflight];
	m->free += t->cost;
	m->ind_free += t->ind;
	treq_free(t);
	return true;
}

/* The driver's completion routine: either the plain loop or the
 * disable / drain / re-enable-and-recheck loop of §2.7.14. */
static bool model_complete(struct model *m, bool napi)
{
	bool got;

	do {
		if (napi)
			vq_disable_cb(m->r.vq);
		do
			CHECK(model_collect_one(m, &got));
		while (got);
	} while (napi && !vq_enable_cb(m->r.vq));
	return true;
}

static void model_callback(struct rig *r)
{
	struct model *m = (struct model *)((char *)r - offsetof(struct model, r));

	/* A polling driver keeps callbacks off: only the plain loop then. */
	if (!model_complete(m, !m->polling && rnd() % 2))
		m->ok = false;
}

static bool model_add(struct model *m)
{
	const struct model_cfg *c = m->c;
	unsigned int n, nr, cap = rnd() % 16 ? (c->num < 6 ? c->num : 6) : c->num + 1u;
	struct treq *t;
	bool ind;
	u16 cost;
	int want;

	n = 1 + rnd() % (cap < TREQ_MAX ? cap : TREQ_MAX);
	nr = rnd() % (n + 1);
	t = treq_new(nr, n - nr, 0);
	t->serial = m->serial++;
	ind = n > 1 && n <= c->tmax && m->ind_free > 0;
	cost = ind ? 1 : n;
	if (vq_is_broken(m->r.vq))
		want = -EIO;
	else if (n > c->num)
		want = -EINVAL;
	else if (cost > m->free)
		want = -ENOSPC;
	else
		want = 0;
	CHECK(treq_add(&m->r, t) == want);
	if (want) {
		treq_free(t);
		return true;
	}
	t->cost = cost;
	t->ind = ind;
	m->free -= cost;
	m->ind_free -= ind;
	m->inflight[m->ninflight++] = t;
	return true;
}

/* One device step: wake on a kick, take, go to sleep (arm, then re-check:
 * two steps so the driver can run in between), or use a few requests. */
static bool model_device(struct model *m)
{
	struct sim *s = &m->r.sim;
	u16 old;

	switch (rnd() % 4) {
	case 0:
		if (!m->awake && s->kicked) {
			m->awake = true;
			sim_no_kicks(s);        /* busy: no kicks please */
		}
		break;
	case 1:
		/* Taking moves past what was armed for: arm again before sleeping. */
		if (m->awake) {
			sim_take(s);
			m->armed = false;
		}
		break;
	case 2:
		if (m->awake && !m->armed) {
			sim_want_kicks(s);
			m->armed = true;
		} else if (m->armed) {
			m->armed = false;
			if (!sim_avail_pending(s))
				m->awake = false;
		}
		break;
	case 3:
		old = s->used_idx;
		for (unsigned int k = 1 + rnd() % 3; k && s->nreq; k--) {
			unsigned int j = rnd() % s->nreq;
			struct treq *t = find_treq(m->inflight, m->ninflight, &s->req[j]);
			u32 wcap = s->req[j].wcap, len;

			CHECK(t);
			len = rnd() % 3 == 0 ? wcap : rnd() % (wcap + 1);
			m->fifo[m->fifo_tail].t = t;
			m->fifo[m->fifo_tail].len = len;
			m->fifo_tail = (m->fifo_tail + 1) % (m->c->num + 1u);
			sim_use(s, j, len);
		}
		if (sim_interrupt(s, old))
			m->irq_pending = true;
		break;
	}
	return true;
}

/* The device goes bad in one of three ways. */
static void model_break(struct model *m)
{
	struct sim *s = &m->r.sim;

	switch (rnd() % 3) {
	case 0:
		sim_put_used(s, m->c->num + rnd() % 1000, 0);
		break;
	case 1:
		if (s->nreq) {
			sim_put_used(s, s->req[0].head, s->req[0].wcap + 1);
			break;
		}
		sim_put_used(s, 0xffffffffu, 0);
		break;
	case 2:
		/* idx runs ahead: caught before anything is read, so even the
		 * good entries already used fail. */
		sim_bump_used_idx(s, m->c->num + 1);
		m->fifo_head = m->fifo_tail;
		break;
	}
	m->broken = true;
	m->irq_pending = true;
}

static bool model_driver(struct model *m, bool draining)
{
	bool got;

	switch (rnd() % 8) {
	case 0:
	case 1:
		if (!draining)
			CHECK(model_add(m));
		break;
	case 2:
		if (rnd() % 2)
			vq_kick(m->r.vq);
		else if (vq_kick_prepare(m->r.vq))
			vq_notify(m->r.vq);
		break;
	case 3:
	case 4:
		if (m->irq_pending) {
			m->irq_pending = false;
			vq_interrupt(m->r.vq);
			CHECK(m->ok);
		}
		break;
	case 5:
		if (!m->c->irq_only)
			for (unsigned int k = rnd() % 4; k; k--)
				CHECK(model_collect_one(m, &got));
		break;
	case 6:
		if (m->c->irq_only || draining)
			break;
		if (!m->polling) {
			vq_disable_cb(m->r.vq);
			m->polling = true;
		} else {
			m->polling = false;
			if (!vq_enable_cb(m->r.vq))
				CHECK(model_complete(m, false));
		}
		break;
	case 7:
		break;
	}
	CHECK(vq_num_free(m->r.vq) == m->free);
	return true;
}

static bool model_run(const struct model_cfg *c)
{
	struct model *m = calloc(1, sizeof(*m));
	struct vq_stats st;
	unsigned int i, failed_expected;

	CHECK(m);
	rnd_state = c->seed;
	m->c = c;
	m->ok = true;
	m->inflight = calloc(c->num, sizeof(*m->inflight));
	m->fifo = calloc(c->num + 1u, sizeof(*m->fifo));
	CHECK(m->inflight && m->fifo);
	CHECK(rig_init(&m->r, c->num, c->features, c->tables, c->tmax));
	m->r.on_callback = model_callback;
	m->free = c->num;
	m->ind_free = c->tables;

	for (i = 0; i < c->steps; i++) {
		if (c->break_at && i == c->break_at)
			model_break(m);
		if (rnd() % 2 && !m->broken)
			CHECK(model_device(m));
		else
			CHECK(model_driver(m, false));
	}

	/* Drain: no more adds; the device runs only when kicked and the
	 * driver (in irq_only runs) collects only when interrupted, so a
	 * lost kick or a lost interrupt leaves requests stuck here. */
	if (m->polling) {
		m->polling = false;
		if (!vq_enable_cb(m->r.vq))
			CHECK(model_complete(m, false));
	}
	vq_kick(m->r.vq);
	failed_expected = m->broken ? m->ninflight - (m->fifo_tail + c->num + 1 - m->fifo_head) % (c->num + 1u) : 0;
	for (i = 0; i < 1000000 && m->ninflight; i++) {
		if (rnd() % 2 && !m->broken)
			CHECK(model_device(m));
		else
			CHECK(model_driver(m, true));
	}
	if (m->ninflight)
		printf("# stuck: cfg num=%u ev=%d seed=%llu inflight=%u awake=%d armed=%d kicked=%d pending=%d nreq=%u fifo=%u irq=%d avail_idx=%u last_avail=%u avail_event=%u used_idx=%u used_event=%u flags=%u/%u\n",
		       c->num, !!(c->features & F_EVENT), (unsigned long long)c->seed, m->ninflight, m->awake, m->armed, m->r.sim.kicked,
		       sim_avail_pending(&m->r.sim), m->r.sim.nreq, (m->fifo_tail + c->num + 1 - m->fifo_head) % (c->num + 1u), m->irq_pending,
		       m->r.sim.vr.avail->idx, m->r.sim.last_avail, vring_avail_event(&m->r.sim.vr), m->r.sim.used_idx, vring_used_event(&m->r.sim.vr),
		       m->r.sim.vr.avail->flags, m->r.sim.vr.used->flags);
	CHECK(m->ninflight == 0);
	CHECK(m->fifo_head == m->fifo_tail);
	CHECK(m->free == c->num && vq_num_free(m->r.vq) == c->num);
	CHECK(m->r.sim.errors == 0);
	CHECK(m->r.sim.nreq == 0 || m->broken);

	st = vq_get_stats(m->r.vq);
	CHECK(st.kicks == m->r.sim.kicks);
	CHECK(st.added == st.used + st.failed);
	CHECK(!m->broken || vq_is_broken(m->r.vq));
	CHECK(!m->broken || st.failed >= failed_expected);
	printf("# model num=%u ev=%d ind=%u irq_only=%d: %llu requests, %llu failed, "
	       "%.3f kicks and %.3f interrupts per request\n",
	       c->num, !!(c->features & F_EVENT), c->tables, c->irq_only,
	       (unsigned long long)st.added, (unsigned long long)st.failed,
	       st.added ? (double)st.kicks / st.added : 0.0,
	       st.added ? (double)m->r.sim.interrupts / st.added : 0.0);

	rig_free(&m->r);
	free(m->inflight);
	free(m->fifo);
	free(m);
	return true;
}

static const struct model_cfg model_cfgs[] = {
	{ 1, F_EVENT, 0, 0, true, 20000, 0, 1 },
	{ 4, 0, 0, 0, true, 60000, 0, 2 },
	{ 8, F_EVENT, 0, 0, true, 60000, 0, 3 },
	{ 16, F_EVENT | F_INDIRECT, 4, 8, true, 60000, 0, 4 },
	{ 16, F_INDIRECT, 16, 16, false, 60000, 0, 5 },
	{ 32, F_EVENT | F_INDIRECT, 8, 4, false, 60000, 0, 6 },
	{ 8, 0, 0, 0, false, 60000, 0, 7 },
	{ 64, F_EVENT | F_INDIRECT, 64, 32, true, 60000, 0, 8 },
};

UNIT_TEST(random_runs_match_model)
{
	for (unsigned int i = 0; i < sizeof(model_cfgs) / sizeof(model_cfgs[0]); i++)
		for (u64 seed = 1; seed <= 3; seed++) {
			struct model_cfg c = model_cfgs[i];

			c.seed = c.seed * 1000003 + seed;
			EXPECT(model_run(&c));
		}
}

UNIT_TEST(random_runs_then_device_breaks)
{
	for (unsigned int i = 0; i < sizeof(model_cfgs) / sizeof(model_cfgs[0]); i++)
		for (u64 seed = 1; seed <= 4; seed++) {
			struct model_cfg c = model_cfgs[i];

			c.seed = c.seed * 7919 + seed;
			c.steps = 8000;
			c.break_at = 1000 + seed * 1500;
			EXPECT(model_run(&c));
		}
}

/* 65536 adds without a kick check make the u16 difference 0: the queue
 * must kick anyway, or a device that armed its avail_event in between
 * would sleep on a full ring. */
UNIT_TEST(kick_after_65536_unchecked_adds)
{
	struct rig r;
	struct treq *t[2];
	u32 len;
	int status;

	EXPECT(rig_init(&r, 2, F_EVENT, 0, 0));
	t[0] = treq_new(1, 0, 4);
	t[1] = treq_new(1, 0, 4);
	sim_no_kicks(&r.sim);                   /* a polling device */
	for (unsigned int i = 0; i < 65536; i++) {
		if (i == 65535)
			sim_want_kicks(&r.sim); /* armed before the last add */
		EXPECT_EQ(treq_add(&r, t[i % 2]), 0);
		if (i == 65535)
			break;
		EXPECT_EQ(sim_take(&r.sim), 1);
		sim_use(&r.sim, 0, 0);
		EXPECT(vq_get_buf(r.vq, &len, &status) == t[i % 2]);
	}
	EXPECT(sim_avail_pending(&r.sim));
	EXPECT(vq_kick(r.vq));
	EXPECT_EQ(r.sim.kicks, 1);
	EXPECT_EQ(r.sim.errors, 0);
	treq_free(t[0]);
	treq_free(t[1]);
	rig_free(&r);
}

/* ---- a device on its own thread -------------------------------------------------------- */

/*
 * The tests above interleave driver and device by hand, which checks the
 * protocol but not the barriers. Here the device runs on another thread
 * and both sides sleep when idle, each waking only on the other's
 * notification: a kick or an interrupt lost to a missing barrier or a bad
 * re-check leaves both asleep, and the driver's deadline fails the test.
 */
struct threaded {
	struct rig r;
	unsigned int kicks;     /* atomic: notifications sent */
	unsigned int irqs;      /* atomic: interrupts raised */
	bool stop;              /* atomic */
	bool device_error;
};

static void threaded_notify(struct vq *vq, void *arg)
{
	struct threaded *th = arg;

	__atomic_add_fetch(&th->kicks, 1, __ATOMIC_SEQ_CST);
}

static void *threaded_device(void *arg)
{
	struct threaded *th = arg;
	struct sim *s = &th->r.sim;

	while (!__atomic_load_n(&th->stop, __ATOMIC_SEQ_CST)) {
		unsigned int seen = __atomic_load_n(&th->kicks, __ATOMIC_SEQ_CST);
		u16 old = s->used_idx;

		sim_no_kicks(s);
		sim_take(s);
		while (s->nreq)
			sim_use(s, 0, s->req[0].wcap);
		if (sim_interrupt(s, old))
			__atomic_add_fetch(&th->irqs, 1, __ATOMIC_SEQ_CST);
		/* Arm, then re-check (sim_want_kicks has the full barrier);
		 * sleep only if nothing came in meanwhile. */
		sim_want_kicks(s);
		if (sim_avail_pending(s))
			continue;
		while (__atomic_load_n(&th->kicks, __ATOMIC_SEQ_CST) == seen &&
		       !__atomic_load_n(&th->stop, __ATOMIC_SEQ_CST))
			sched_yield();
	}
	th->device_error = s->errors != 0;
	return NULL;
}

/* napi: collect with callbacks off and re-enable with the re-check
 * (§2.7.14); else leave them on and rely on get_buf moving used_event. */
static bool threaded_run(u16 num, u64 features, u16 tables, unsigned int total, bool napi)
{
	struct threaded *th = calloc(1, sizeof(*th));
	struct treq **pool = calloc(num, sizeof(*pool));
	unsigned int added = 0, done = 0, free_slot = 0, sleeps = 0;
	pthread_t dev;

	CHECK(th && pool);
	CHECK(rig_init(&th->r, num, features, tables, 4));
	/* The sim's own kick flag is device-thread state; count kicks here. */
	th->r.cfg.notify = threaded_notify;
	th->r.cfg.notify_arg = th;
	th->r.vq = vq_create(&th->r.cfg, th->r.mem);
	CHECK(!vq_err(th->r.vq));
	for (unsigned int i = 0; i < num; i++)
		pool[i] = treq_new(1, 1 + i % 3, 4);
	CHECK(pthread_create(&dev, NULL, threaded_device, th) == 0);

	while (done < total) {
		struct treq *t;
		u32 len;
		int status;
		unsigned int irqs;

		/* Add a batch of random size, kick once. */
		for (unsigned int b = 1 + rnd() % num; b && added < total && added - done < num; b--) {
			t = pool[free_slot];
			t->serial = added;
			if (treq_add(&th->r, t) == -ENOSPC)
				break;
			CHECK(t->serial == added);
			free_slot = (free_slot + 1) % num;
			added++;
		}
		vq_kick(th->r.vq);

		irqs = __atomic_load_n(&th->irqs, __ATOMIC_SEQ_CST);
		if (napi)
			vq_disable_cb(th->r.vq);
		while ((t = vq_get_buf(th->r.vq, &len, &status))) {
			CHECK(status == 0 && t->serial == done);
			CHECK(treq_check(t, len));
			memset(t->mem[t->n - 1], 0xee, t->b[t->n - 1].len);
			if (t->n > 2)
				memset(t->mem[t->n - 2], 0xee, t->b[t->n - 2].len);
			done++;
		}
		if (napi) {
			irqs = __atomic_load_n(&th->irqs, __ATOMIC_SEQ_CST);
			if (!vq_enable_cb(th->r.vq))
				continue;
		}
		/* With room left, go on adding half the time; else wait. */
		if (done == added ||
		    (added < total && added - done < num && rnd() % 2))
			continue;
		/* Nothing to do: sleep until the device interrupts. */
		sleeps++;
		for (time_t start = time(NULL); __atomic_load_n(&th->irqs, __ATOMIC_SEQ_CST) == irqs;) {
			if (time(NULL) - start > 10) {
				printf("# lost wakeup: added %u done %u avail %u used %u\n", added, done,
				       th->r.sim.vr.avail->idx, th->r.sim.vr.used->idx);
				__atomic_store_n(&th->stop, true, __ATOMIC_SEQ_CST);
				pthread_join(dev, NULL);
				return false;
			}
			sched_yield();
		}
	}
	__atomic_store_n(&th->stop, true, __ATOMIC_SEQ_CST);
	CHECK(pthread_join(dev, NULL) == 0);
	CHECK(!th->device_error);
	CHECK(vq_num_free(th->r.vq) == num);
	printf("# threaded num=%u ev=%d napi=%d: %u requests, %u kicks, %u interrupts, %u sleeps\n",
	       num, !!(features & F_EVENT), napi, total, th->kicks, th->irqs, sleeps);
	for (unsigned int i = 0; i < num; i++)
		treq_free(pool[i]);
	free(pool);
	rig_free(&th->r);
	free(th);
	return true;
}

UNIT_TEST(device_on_another_thread)
{
	rnd_state = 99;
	EXPECT(threaded_run(16, F_EVENT | F_INDIRECT, 16, 100000, true));
	EXPECT(threaded_run(8, 0, 0, 100000, true));
	EXPECT(threaded_run(4, F_EVENT, 0, 100000, true));
	EXPECT(threaded_run(16, F_EVENT | F_INDIRECT, 16, 100000, false));
	EXPECT(threaded_run(8, 0, 0, 100000, false));
	EXPECT(threaded_run(4, F_EVENT, 0, 100000, false));
}
