/* The simulated virtio device (see vq_sim.h). Host code: uses libc. */
#include "tests/unit/vq_sim.h"
#include "virtio/virtqueue.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sim_error(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->errors++) {
		va_start(ap, fmt);
		vsnprintf(s->error, sizeof(s->error), fmt, ap);
		va_end(ap);
		printf("# sim: driver broke a rule: %s\n", s->error);
	}
}

/* Device address -> CPU pointer, refusing anything that is not one of ours. */
static void *sim_map(struct sim *s, u64 dma, u64 len)
{
	if (dma < SIM_DMA_OFFSET || dma - SIM_DMA_OFFSET > (1ull << 47) ||
	    len > (1ull << 32)) {
		sim_error(s, "descriptor address %#llx is not a device address",
			  (unsigned long long)dma);
		return NULL;
	}
	return (void *)(uintptr_t)(dma - SIM_DMA_OFFSET);
}

int sim_init(struct sim *s, struct vq *vq, u16 num, u64 features)
{
	memset(s, 0, sizeof(*s));
	s->num = num;
	s->event_idx = features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	s->vr.num = num;
	s->vr.desc = sim_map(s, vq_desc_dma(vq), 16ull * num);
	s->vr.avail = sim_map(s, vq_avail_dma(vq), 6 + 2ull * num);
	s->vr.used = sim_map(s, vq_used_dma(vq), 6 + 8ull * num);
	if (!s->vr.desc || !s->vr.avail || !s->vr.used)
		return -1;
	/* §2.7.1: the parts' alignment. */
	if ((uintptr_t)s->vr.desc % 16 || (uintptr_t)s->vr.avail % 2 ||
	    (uintptr_t)s->vr.used % 4)
		sim_error(s, "misaligned ring parts");
	s->req = calloc(num, sizeof(*s->req));
	s->desc_busy = calloc(num, sizeof(*s->desc_busy));
	if (!s->req || !s->desc_busy)
		goto out_free;
	for (unsigned int i = 0; i < num; i++) {
		s->req[i].elem = calloc(num, sizeof(struct sim_elem));
		if (!s->req[i].elem)
			goto out_free;
	}
	return 0;

out_free:
	sim_fini(s);
	return -1;
}

void sim_fini(struct sim *s)
{
	if (s->req)
		for (unsigned int i = 0; i < s->num; i++)
			free(s->req[i].elem);
	free(s->req);
	free(s->desc_busy);
	s->req = NULL;
	s->desc_busy = NULL;
}

void sim_notify(struct vq *vq, void *arg)
{
	struct sim *s = arg;

	s->kicks++;
	s->kicked = true;
}

static bool sim_claim_desc(struct sim *s, u16 i)
{
	if (s->desc_busy[i]) {
		sim_error(s, "descriptor %u reused while the device holds it", i);
		return false;
	}
	s->desc_busy[i] = true;
	return true;
}

/* Walk the chain at head (§2.7.5) into r, checking the driver's rules. */
static bool sim_read_chain(struct sim *s, u16 head, struct sim_req *r)
{
	struct vring_desc *table = s->vr.desc;
	u32 size = s->num, count = 0;
	bool in_table = false, seen_write = false;
	u16 i = head;

	r->head = head;
	r->table = 0;
	r->n = 0;
	r->wcap = 0;
	r->sum = 0;
	for (;;) {
		struct vring_desc d;

		if (i >= size) {
			sim_error(s, "next %u beyond a table of %u", i, size);
			return false;
		}
		d = table[i];
		if (!in_table && !sim_claim_desc(s, i))
			return false;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* §2.7.5.3.1 */
			if (in_table || (d.flags & VRING_DESC_F_NEXT) || i != head) {
				sim_error(s, "INDIRECT misused (flags %#x)", d.flags);
				return false;
			}
			if (!d.len || d.len % 16 || d.len / 16 > s->num) {
				sim_error(s, "indirect table of %u bytes", d.len);
				return false;
			}
			for (unsigned int k = 0; k < s->nreq; k++)
				if (s->req[k].table == d.addr) {
					sim_error(s, "indirect table reused while held");
					return false;
				}
			table = sim_map(s, d.addr, d.len);
			if (!table)
				return false;
			r->table = d.addr;
			size = d.len / 16;
			in_table = true;
			i = 0;
			continue;
		}
		/* §2.7.5.3.1: no chain longer than the queue (also stops loops). */
		if (++count > s->num) {
			sim_error(s, "chain at %u longer than the queue", head);
			return false;
		}
		if (!(d.flags & VRING_DESC_F_WRITE) && seen_write) {
			sim_error(s, "readable after writable in chain %u", head);
			return false;
		}
		seen_write |= d.flags & VRING_DESC_F_WRITE;
		r->elem[r->n].p = sim_map(s, d.addr, d.len);
		if (!r->elem[r->n].p)
			return false;
		r->elem[r->n].len = d.len;
		r->elem[r->n].write = d.flags & VRING_DESC_F_WRITE;
		r->elem[r->n].desc = in_table ? -1 : i;
		if (r->elem[r->n].write)
			r->wcap += d.len;
		else
			for (u32 k = 0; k < d.len; k++)
				r->sum += r->elem[r->n].p[k];
		r->n++;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return true;
		i = d.next;
	}
}

bool sim_avail_pending(const struct sim *s)
{
	return __atomic_load_n(&s->vr.avail->idx, __ATOMIC_ACQUIRE) != s->last_avail;
}

unsigned int sim_take(struct sim *s)
{
	u16 idx = __atomic_load_n(&s->vr.avail->idx, __ATOMIC_ACQUIRE);
	unsigned int taken = 0;

	s->kicked = false;
	if ((u16)(idx - s->last_avail) > s->num - s->nreq) {
		sim_error(s, "avail idx %u: more than the queue holds", idx);
		return 0;
	}
	while (s->last_avail != idx) {
		u16 head = s->vr.avail->ring[s->last_avail & (s->num - 1)];
		struct sim_req *r = &s->req[s->nreq];

		s->last_avail++;
		if (!sim_read_chain(s, head, r))
			return taken;
		s->nreq++;
		taken++;
	}
	return taken;
}

void sim_want_kicks(struct sim *s)
{
	/* §2.7.10.2: kick when idx reaches avail_event + 1, i.e. at the next
	 * entry we have not taken. */
	if (s->event_idx)
		vring_avail_event(&s->vr) = s->last_avail;
	else
		s->vr.used->flags = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void sim_no_kicks(struct sim *s)
{
	if (s->event_idx)
		vring_avail_event(&s->vr) = (u16)(s->last_avail - 1);
	else
		s->vr.used->flags = VRING_USED_F_NO_NOTIFY;
}

static void sim_publish_used(struct sim *s, u32 id, u32 len)
{
	vring_used_elem_t *e = &s->vr.used->ring[s->used_idx & (s->num - 1)];

	e->id = id;
	e->len = len;
	/* §2.7.8.2: entry (and data) before idx. */
	__atomic_store_n(&s->vr.used->idx, ++s->used_idx, __ATOMIC_RELEASE);
}

void sim_use(struct sim *s, unsigned int i, u32 len)
{
	struct sim_req *r = &s->req[i];
	struct sim_elem *tmp;
	u32 k = 0;

	for (unsigned int e = 0; e < r->n && k < len; e++) {
		if (!r->elem[e].write)
			continue;
		for (u32 b = 0; b < r->elem[e].len && k < len; b++, k++)
			r->elem[e].p[b] = (u8)(r->sum + k);
	}
	for (unsigned int e = 0; e < r->n; e++)
		if (r->elem[e].desc >= 0)
			s->desc_busy[r->elem[e].desc] = false;
	if (r->table)
		s->desc_busy[r->head] = false;
	sim_publish_used(s, r->head, len);

	/* Close the gap, keeping the order; the element array moves to the end. */
	tmp = r->elem;
	memmove(r, r + 1, (s->nreq - i - 1) * sizeof(*r));
	s->nreq--;
	s->req[s->nreq].elem = tmp;
}

void sim_put_used(struct sim *s, u32 id, u32 len)
{
	sim_publish_used(s, id, len);
}

void sim_bump_used_idx(struct sim *s, u16 delta)
{
	s->used_idx += delta;
	__atomic_store_n(&s->vr.used->idx, s->used_idx, __ATOMIC_RELEASE);
}

bool sim_interrupt(struct sim *s, u16 old)
{
	bool due;

	if (old == s->used_idx)
		return false;
	/* Our used idx store before reading the driver's suppression state. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (s->event_idx)
		due = vring_need_event(vring_used_event(&s->vr), s->used_idx, old);
	else
		due = !(s->vr.avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
	/* §2.7.7.1: with EVENT_IDX the driver keeps avail flags 0. */
	if (s->event_idx && s->vr.avail->flags)
		sim_error(s, "avail flags %#x with EVENT_IDX", s->vr.avail->flags);
	if (due)
		s->interrupts++;
	return due;
}
