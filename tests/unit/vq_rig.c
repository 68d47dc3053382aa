/* Test rig for the virtqueue unit tests (see vq_rig.h). Host code. */
#include "tests/unit/vq_rig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* virtqueue.c logs through klog(); here the lines become TAP comments and
 * the last one is kept for the tests to read. */
void klog(int level, const char *fmt, ...);

char log_last[512];
unsigned int log_count;
u64 rnd_state;

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(log_last, sizeof(log_last), fmt, ap);
	va_end(ap);
	log_count++;
	printf("# klog<%d>: %s", level, log_last);
}

u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (u32)(rnd_state >> 16);
}

long vq_err(const struct vq *vq)
{
	return (uintptr_t)vq >= (uintptr_t)-4095 ? (long)(intptr_t)vq : 0;
}

void *zalloc16(size_t size)
{
	void *p = aligned_alloc(16, (size + 15) & ~(size_t)15);

	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	memset(p, 0, size);
	return p;
}

static void rig_callback(struct vq *vq, void *arg)
{
	struct rig *r = arg;

	r->callbacks++;
	if (r->on_callback)
		r->on_callback(r);
}

void rig_free(struct rig *r)
{
	sim_fini(&r->sim);
	free(r->ring);
	free(r->mem);
	free(r->ind);
}

bool rig_init(struct rig *r, u16 num, u64 features, u16 tables, u16 tmax)
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

/* nr readable then nw writable elements of len bytes (0: random 1..32). */
struct treq *treq_new(unsigned int nr, unsigned int nw, u32 len)
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

void treq_free(struct treq *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		free(t->mem[i]);
	free(t);
}

/* The device wrote exactly len bytes of its pattern into the writable part. */
bool treq_check(const struct treq *t, u32 len)
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

int treq_add(struct rig *r, struct treq *t)
{
	return vq_add(r->vq, t->b, t->n, t);
}

/* Device: take everything, use it all in order with full length. */
unsigned int dev_use_all(struct rig *r)
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
struct treq *find_treq(struct treq **set, unsigned int n, const struct sim_req *sr)
{
	for (unsigned int i = 0; i < n; i++)
		if (set[i] && set[i]->mem[0] == sr->elem[0].p)
			return set[i];
	return NULL;
}
