// uses: virtio/virtqueue.c tests/unit/vq_sim.c tests/unit/vq_rig.c
/*
 * The split virtqueue under long runs: random sequences of driver and
 * device steps checked step by step against a model (with and without a
 * device that goes bad midway), and a device on its own thread.
 */
#include "tests/unit/unit.h"
#include "tests/unit/vq_rig.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

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

/* Re-enable interrupts, at the next used buffer or (a driver that wants
 * room, not each completion) after most of those in flight. */
static bool model_enable_cb(struct model *m)
{
	return rnd() % 2 ? vq_enable_cb_delayed(m->r.vq) : vq_enable_cb(m->r.vq);
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
	} while (napi && !model_enable_cb(m));
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
			if (!model_enable_cb(m))
				CHECK(model_complete(m, false));
		}
		break;
	case 7:
		break;
	}
	CHECK(vq_num_free(m->r.vq) == m->free);
	return true;
}

/* Why a run stalled: both sides' notification state. */
static void model_dump(const struct model *m)
{
	const struct sim *s = &m->r.sim;
	struct vring *vr = (struct vring *)&s->vr;

	printf("# stuck (seed %llu): %u in flight, device %s%s, %u held, kicked %d, "
	       "irq pending %d\n", (unsigned long long)m->c->seed, m->ninflight,
	       m->awake ? "awake" : "asleep", m->armed ? " armed" : "", s->nreq,
	       s->kicked, m->irq_pending);
	printf("# avail idx %u (device at %u, avail_event %u, used flags %u); "
	       "used idx %u (used_event %u, avail flags %u)\n",
	       vr->avail->idx, s->last_avail, vring_avail_event(vr), vr->used->flags,
	       s->used_idx, vring_used_event(vr), vr->avail->flags);
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
		model_dump(m);
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
