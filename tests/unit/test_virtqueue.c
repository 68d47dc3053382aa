// uses: virtio/virtqueue.c tests/unit/vq_sim.c tests/unit/vq_rig.c
/*
 * The split virtqueue against a simulated device (vq_sim.c), one behaviour
 * at a time: round trips, 16-bit index wrap-around, indirect chains,
 * EVENT_IDX kick and interrupt suppression, out-of-order completion, full
 * queues and misbehaving devices. Long random runs and a threaded device
 * are in test_virtqueue_stress.c.
 */
#include "tests/unit/unit.h"
#include "tests/unit/vq_rig.h"

#include <errno.h>

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
