/*
 * Split virtqueues (virtio 1.2 §2.7). See virtqueue.h for the contract.
 *
 * Ring indices are free-running 16-bit counters (avail->idx, used->idx):
 * they wrap at 65536 and are reduced modulo the queue size only to index a
 * ring, which is why the size must be a power of two. All index arithmetic
 * below is done in u16 on purpose.
 *
 * The device can read and write the ring memory, so nothing the queue
 * needs to stay correct is kept there: the free list, the chain links and
 * the per-request state live in struct vq_desc_state, which the device
 * cannot reach. The descriptor table is only written, never read back.
 *
 * Virtio 1.x rings are little-endian (VIRTIO_F_VERSION_1 is required by
 * the transport), as is x86, so the __virtio16/32/64 fields are used as
 * plain integers.
 */
#include "virtio/virtqueue.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

#include <linux/virtio_ring.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio 1.x rings are little-endian; add byte swaps first");
_Static_assert(sizeof(struct vring_desc) == 16, "virtq_desc is 16 bytes (§2.7.5)");
_Static_assert(sizeof(struct vring_used_elem) == 8, "virtq_used_elem is 8 bytes (§2.7.8)");
_Static_assert(sizeof(struct vring_avail) == 4 && sizeof(struct vring_used) == 4,
	       "flags and idx precede the rings (§2.7.6, §2.7.8)");

/*
 * Barriers between the driver and the device, which share the ring as two
 * CPUs share memory (the device is QEMU on another host CPU, or hardware
 * doing coherent DMA). The ring is ordinary write-back RAM.
 *
 * x86-64 is TSO: stores become visible in program order and loads are not
 * reordered with older loads, so store->store and load->load ordering only
 * needs the compiler held back. The one reordering x86 does is a later load
 * passing an earlier store (store buffer), which needs a locked
 * instruction; a locked no-op on the stack is the cheapest one.
 *
 * Host unit tests use the C11 fences, which say the same in portable form.
 */
#ifdef HOST_TEST
#define virt_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define virt_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virt_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
/* Earlier stores before later stores. */
static __always_inline void virt_wmb(void) { barrier(); }
/* Earlier loads before later loads. */
static __always_inline void virt_rmb(void) { barrier(); }
/* Everything before everything, including earlier stores before later loads. */
static __always_inline void virt_mb(void)
{
	__asm__ __volatile__("lock; orq $0, (%%rsp)" ::: "memory", "cc");
}
#endif

/* vq_desc_state.table when the request does not use an indirect table. */
#define VQ_NO_TABLE 0xffff

/* Driver-private state of descriptor i of the ring. */
struct vq_desc_state {
	void *token;    /* head of a request in flight: its token; else NULL */
	u32 wlen;       /* head: device-writable bytes of the request */
	u16 next;       /* free list link, or the next descriptor of a chain */
	u16 ndesc;      /* head: ring descriptors the request holds */
	u16 table;      /* head: indirect table index, or VQ_NO_TABLE */
};

/* Every field is serialized by the caller (the driver's queue lock). */
struct vq {
	const char *name;
	struct vring vring;     /* desc, avail, used inside the caller's ring memory */
	u64 ring_dma;
	u16 num;
	bool event_idx;         /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool cb_disabled;       /* vq_disable_cb() in effect */
	bool broken;

	u16 free_head;          /* first free ring descriptor */
	u16 num_free;           /* free ring descriptors */
	u16 in_flight;          /* requests made available and not yet collected */
	u16 avail_idx;          /* our copy of avail->idx (only we write it) */
	u16 kicked_idx;         /* avail_idx at the last vq_kick_prepare() */
	u32 added_since_kick;   /* requests added since then (saturating) */
	u16 last_used_idx;      /* next used ring entry to collect */
	u16 used_event;         /* EVENT_IDX: what we last wrote there */
	u32 fail_pos;           /* broken queue: where the -EIO scan resumes */

	struct vring_desc *ind; /* indirect tables, ind_max descriptors each */
	u64 ind_dma;
	u16 ind_max;
	u16 ind_nfree;          /* free tables: ind_free[0..ind_nfree) */
	u16 *ind_free;

	void (*notify)(struct vq *vq, void *arg);
	void *notify_arg;
	void (*callback)(struct vq *vq, void *arg);
	void *cb_arg;

	struct vq_stats stats;
	struct vq_desc_state state[];
};

size_t vq_ring_size(u16 num)
{
	/* Descriptor table, available ring (flags, idx, ring, used_event),
	 * used ring at its 4-byte alignment (§2.7 table of parts). */
	return vring_size(num, VRING_USED_ALIGN_SIZE);
}

size_t vq_mem_size(u16 num, u16 indirect_tables)
{
	return sizeof(struct vq) + (size_t)num * sizeof(struct vq_desc_state) +
	       (size_t)indirect_tables * sizeof(u16);
}

static bool vq_config_ok(const struct vq_config *cfg, const void *mem)
{
	bool has_indirect = cfg->features & (1ull << VIRTIO_RING_F_INDIRECT_DESC);

	/* §2.7: the queue size is a power of two, at most 32768. */
	if (!cfg->num || cfg->num > 32768 || (cfg->num & (cfg->num - 1)))
		return false;
	/* §2.7.1: each part aligned; the descriptor table needs 16 bytes,
	 * and vring_init() derives the others from the ring's address. */
	if (!cfg->ring || ((uintptr_t)cfg->ring | cfg->ring_dma) % VRING_DESC_ALIGN_SIZE)
		return false;
	if (!mem || (uintptr_t)mem % _Alignof(struct vq) || !cfg->notify || !cfg->name)
		return false;
	if (!cfg->indirect_tables)
		return true;
	/* §2.7.5.3.1: no indirect descriptors unless negotiated, and no
	 * chain longer than the queue size. */
	if (!has_indirect || !cfg->indirect ||
	    ((uintptr_t)cfg->indirect | cfg->indirect_dma) % VRING_DESC_ALIGN_SIZE)
		return false;
	return cfg->indirect_max >= 2 && cfg->indirect_max <= cfg->num;
}

struct vq *vq_create(const struct vq_config *cfg, void *mem)
{
	struct vq *vq = mem;

	if (!vq_config_ok(cfg, mem))
		return ERR_PTR(-EINVAL);

	memset(vq, 0, vq_mem_size(cfg->num, cfg->indirect_tables));
	vq->name = cfg->name;
	vq->num = cfg->num;
	vq->event_idx = cfg->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
	vq->notify = cfg->notify;
	vq->notify_arg = cfg->notify_arg;
	vq->callback = cfg->callback;
	vq->cb_arg = cfg->cb_arg;

	/* Zeroed rings: avail idx 0, and the used ring's flags 0 as §2.7.10.1
	 * requires; with EVENT_IDX used_event 0 asks for an interrupt at the
	 * first used buffer. */
	memset(cfg->ring, 0, vq_ring_size(cfg->num));
	vring_init(&vq->vring, cfg->num, cfg->ring, VRING_USED_ALIGN_SIZE);
	vq->ring_dma = cfg->ring_dma;

	for (u16 i = 0; i < cfg->num - 1; i++)
		vq->state[i].next = i + 1;
	vq->free_head = 0;
	vq->num_free = cfg->num;

	vq->ind_free = (u16 *)&vq->state[cfg->num];
	if (cfg->indirect_tables) {
		vq->ind = cfg->indirect;
		vq->ind_dma = cfg->indirect_dma;
		vq->ind_max = cfg->indirect_max;
		for (u16 t = 0; t < cfg->indirect_tables; t++)
			vq->ind_free[t] = t;
		vq->ind_nfree = cfg->indirect_tables;
	}
	return vq;
}

static u64 vq_part_dma(const struct vq *vq, const void *part)
{
	return vq->ring_dma + (u64)((const char *)part - (const char *)vq->vring.desc);
}

u64 vq_desc_dma(const struct vq *vq) { return vq->ring_dma; }
u64 vq_avail_dma(const struct vq *vq) { return vq_part_dma(vq, vq->vring.avail); }
u64 vq_used_dma(const struct vq *vq) { return vq_part_dma(vq, vq->vring.used); }

/* Check a scatter list against §2.7.4.2 (readable before writable) and
 * §2.7.5.2 (at most 2^32 bytes; we keep the total in a u32), and total up
 * the device-writable bytes. */
static int vq_check_bufs(const struct vq_buf *bufs, unsigned int n, u32 *wlen)
{
	u64 total = 0, writable = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (i && bufs[i - 1].write && !bufs[i].write)
			return -EINVAL;
		total += bufs[i].len;
		if (bufs[i].write)
			writable += bufs[i].len;
	}
	if (total > 0xffffffffu)
		return -EINVAL;
	*wlen = (u32)writable;
	return 0;
}

static void vq_set_desc(struct vring_desc *d, u64 addr, u32 len, u16 flags, u16 next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static u16 vq_desc_flags(const struct vq_buf *bufs, unsigned int i, unsigned int n)
{
	return (bufs[i].write ? VRING_DESC_F_WRITE : 0) |
	       (i + 1 < n ? VRING_DESC_F_NEXT : 0);
}

/* Put the chain into indirect table t, linked by table position, and point
 * the ring descriptor head at it. Returns the last ring descriptor used. */
static u16 vq_fill_indirect(struct vq *vq, u16 head, u16 t,
			    const struct vq_buf *bufs, unsigned int n)
{
	struct vring_desc *table = &vq->ind[(size_t)t * vq->ind_max];
	u64 table_dma = vq->ind_dma + (u64)t * vq->ind_max * sizeof(struct vring_desc);

	for (unsigned int i = 0; i < n; i++)
		vq_set_desc(&table[i], bufs[i].addr, bufs[i].len,
			    vq_desc_flags(bufs, i, n), i + 1 < n ? i + 1 : 0);
	/* §2.7.5.3.1: INDIRECT without NEXT; WRITE would mean nothing here. */
	vq_set_desc(&vq->vring.desc[head], table_dma, n * sizeof(struct vring_desc),
		    VRING_DESC_F_INDIRECT, 0);
	return head;
}

/* §2.7.13.1: one free ring descriptor per element, taken from the free
 * list in order and linked by next. Returns the last one. */
static u16 vq_fill_direct(struct vq *vq, u16 head, const struct vq_buf *bufs,
			  unsigned int n)
{
	u16 i = head, last = head;

	for (unsigned int k = 0; k < n; k++) {
		u16 next = vq->state[i].next;

		vq_set_desc(&vq->vring.desc[i], bufs[k].addr, bufs[k].len,
			    vq_desc_flags(bufs, k, n), k + 1 < n ? next : 0);
		last = i;
		i = next;
	}
	return last;
}

int vq_add(struct vq *vq, const struct vq_buf *bufs, unsigned int n, void *token)
{
	struct vring *vr = &vq->vring;
	struct vq_desc_state *hs;
	u16 head, last, table = VQ_NO_TABLE, ndesc;
	u32 wlen;
	int err;

	if (vq->broken)
		return -EIO;
	if (!token || !n || n > vq->num)
		return -EINVAL;
	err = vq_check_bufs(bufs, n, &wlen);
	if (err)
		return err;

	/* A chain takes one ring slot through an indirect table, n without. */
	if (n > 1 && n <= vq->ind_max && vq->ind_nfree)
		table = vq->ind_free[vq->ind_nfree - 1];
	ndesc = table == VQ_NO_TABLE ? n : 1;
	if (ndesc > vq->num_free)
		return -ENOSPC;

	head = vq->free_head;
	if (table != VQ_NO_TABLE) {
		vq->ind_nfree--;
		last = vq_fill_indirect(vq, head, table, bufs, n);
	} else {
		last = vq_fill_direct(vq, head, bufs, n);
	}
	vq->free_head = vq->state[last].next;
	vq->num_free -= ndesc;

	hs = &vq->state[head];
	hs->token = token;
	hs->wlen = wlen;
	hs->ndesc = ndesc;
	hs->table = table;
	vq->in_flight++;

	/* §2.7.13.2: the head goes into the next available ring slot. */
	vr->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	/* §2.7.13.3.1: the descriptors (and indirect table), the ring slot and
	 * the caller's request data must be visible before the idx that hands
	 * them to the device. */
	virt_wmb();
	vq->avail_idx++;
	WRITE_ONCE(vr->avail->idx, vq->avail_idx);

	if (vq->added_since_kick < 0x10000)
		vq->added_since_kick++;
	vq->stats.added++;
	return 0;
}

bool vq_kick_prepare(struct vq *vq)
{
	struct vring *vr = &vq->vring;
	u16 old = vq->kicked_idx, new = vq->avail_idx;
	u32 added = vq->added_since_kick;
	bool need;

	if (vq->broken || !added)
		return false;
	vq->kicked_idx = new;
	vq->added_since_kick = 0;

	/* §2.7.13.4.1: our avail->idx store must be visible before we read
	 * the device's suppression state, or the device may have looked at
	 * the old idx and gone to sleep while we read "no kick needed".
	 * Store->load: needs the full barrier. */
	virt_mb();

	/* 65536 or more adds since the last check: the u16 difference no
	 * longer says how far idx moved, so kick to be safe. */
	if (added >= 0x10000)
		return true;
	if (vq->event_idx) {
		/* §2.7.10: kick if idx went past avail_event in this batch. */
		need = vring_need_event(READ_ONCE(vring_avail_event(vr)), new, old);
	} else {
		need = !(READ_ONCE(vr->used->flags) & VRING_USED_F_NO_NOTIFY);
	}
	return need;
}

void vq_notify(struct vq *vq)
{
	vq->stats.kicks++;
	vq->notify(vq, vq->notify_arg);
}

bool vq_kick(struct vq *vq)
{
	if (!vq_kick_prepare(vq))
		return false;
	vq_notify(vq);
	return true;
}

/* Return head's descriptors (and indirect table) to the free lists. The
 * chain is walked through our private links, never through the ring. */
static void vq_free_chain(struct vq *vq, u16 head)
{
	struct vq_desc_state *hs = &vq->state[head];
	u16 tail = head;

	for (u16 i = 1; i < hs->ndesc; i++)
		tail = vq->state[tail].next;
	vq->state[tail].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += hs->ndesc;
	if (hs->table != VQ_NO_TABLE)
		vq->ind_free[vq->ind_nfree++] = hs->table;
	hs->token = NULL;
	vq->in_flight--;
}

/*
 * Ask the device for used-buffer interrupts, or not (§2.7.7.1). With
 * EVENT_IDX avail->flags must stay 0 and used_event does the work: on,
 * it names the next used entry (the first one not collected); off, the
 * one before it, the point farthest from anything the device can reach
 * (it cannot run more than a queue ahead of us). Without EVENT_IDX, the
 * NO_INTERRUPT flag. Both are advisory; the callers order them.
 */
static void vq_set_used_event(struct vq *vq, u16 idx)
{
	vq->used_event = idx;
	WRITE_ONCE(vring_used_event(&vq->vring), idx);
}

static void vq_want_interrupts(struct vq *vq, bool on)
{
	struct vring *vr = &vq->vring;

	if (vq->event_idx)
		vq_set_used_event(vq, (u16)(vq->last_used_idx - !on));
	else
		WRITE_ONCE(vr->avail->flags, on ? 0 : VRING_AVAIL_F_NO_INTERRUPT);
}

static void vq_set_broken(struct vq *vq)
{
	if (vq->broken)
		return;
	vq->broken = true;
	vq->fail_pos = 0;
	/* No more interrupts wanted from a device we no longer believe. */
	vq_want_interrupts(vq, false);
}

/* Broken queue: hand back the next outstanding request with -EIO. */
static void *vq_fail_next(struct vq *vq, u32 *len, int *status)
{
	for (; vq->in_flight && vq->fail_pos < vq->num; vq->fail_pos++) {
		void *token = vq->state[vq->fail_pos].token;

		if (!token)
			continue;
		vq_free_chain(vq, (u16)vq->fail_pos);
		vq->stats.failed++;
		*len = 0;
		*status = -EIO;
		return token;
	}
	return NULL;
}

void *vq_get_buf(struct vq *vq, u32 *len, int *status)
{
	struct vring *vr = &vq->vring;
	u16 used_idx, pos;
	u32 id, ulen;
	void *token;

	if (vq->broken)
		return vq_fail_next(vq, len, status);

	used_idx = READ_ONCE(vr->used->idx);
	if (used_idx == vq->last_used_idx)
		return NULL;
	if ((u16)(used_idx - vq->last_used_idx) > vq->in_flight) {
		pr_err("virtio: vq %s: used idx jumped from %u to %u with %u requests in flight; queue broken\n",
		       vq->name, vq->last_used_idx, used_idx, vq->in_flight);
		goto broken;
	}
	/* §2.7.8.2: the device writes the entry (and the data) before it moves
	 * idx; our load of idx must come before our loads of the entry it
	 * covers and the caller's reads of the data. */
	virt_rmb();

	pos = vq->last_used_idx & (vq->num - 1);
	id = READ_ONCE(vr->used->ring[pos].id);
	ulen = READ_ONCE(vr->used->ring[pos].len);
	if (id >= vq->num || !vq->state[id].token) {
		pr_err("virtio: vq %s: device used descriptor id %u, which is not a request in flight (queue size %u); queue broken\n",
		       vq->name, id, vq->num);
		goto broken;
	}
	if (ulen > vq->state[id].wlen) {
		pr_err("virtio: vq %s: device wrote %u bytes to request %u, which has %u writable; queue broken\n",
		       vq->name, ulen, id, vq->state[id].wlen);
		goto broken;
	}

	token = vq->state[id].token;
	vq_free_chain(vq, (u16)id);
	vq->last_used_idx++;
	vq->stats.used++;

	if (vq->event_idx && vq->cb_disabled) {
		/* used_event follows last_used_idx, one behind while callbacks
		 * are off (no ordering needed, it only holds interrupts off). */
		vq_want_interrupts(vq, false);
	} else if (vq->event_idx && (u16)(vq->used_event - vq->last_used_idx) >= 0x8000) {
		/* On, and we collected past the event: move it to the next
		 * entry. An event still ahead (vq_enable_cb_delayed) stays.
		 * Then store->load: the store must be visible before the next
		 * get_buf's load of used->idx, or the device could miss the new
		 * event while we miss its new entry, and nobody would wake us. */
		vq_want_interrupts(vq, true);
		virt_mb();
	}
	*len = ulen;
	*status = 0;
	return token;

broken:
	vq_set_broken(vq);
	return vq_fail_next(vq, len, status);
}

void vq_disable_cb(struct vq *vq)
{
	vq->cb_disabled = true;
	if (!vq->broken)
		vq_want_interrupts(vq, false);
}

/* Is there anything for vq_get_buf() to return? */
static bool vq_pending(const struct vq *vq)
{
	if (vq->broken)
		return vq->in_flight != 0;
	return READ_ONCE(vq->vring.used->idx) != vq->last_used_idx;
}

bool vq_enable_cb(struct vq *vq)
{
	vq->cb_disabled = false;
	if (!vq->broken)
		vq_want_interrupts(vq, true);
	/* §2.7.14: re-check after re-enabling. The enable store must be
	 * visible before we load used->idx (store->load, full barrier):
	 * otherwise a buffer used in between is seen by neither side. */
	virt_mb();
	return !vq_pending(vq);
}

bool vq_enable_cb_delayed(struct vq *vq)
{
	struct vring *vr = &vq->vring;
	u16 wait;

	if (!vq->event_idx || vq->broken)
		return vq_enable_cb(vq);
	/* §2.7.10: the device interrupts when used->idx moves past
	 * used_event, i.e. at the (wait + 1)-th buffer used from here. */
	wait = (u16)(vq->in_flight * 3 / 4);
	vq->cb_disabled = false;
	vq_set_used_event(vq, (u16)(vq->last_used_idx + wait));
	/* Store->load as in vq_enable_cb(): a device that passed the event
	 * before it saw the store will not interrupt, so look ourselves. */
	virt_mb();
	return (u16)(READ_ONCE(vr->used->idx) - vq->last_used_idx) <= wait;
}

bool vq_interrupt(struct vq *vq)
{
	if (!vq_pending(vq))
		return false;
	if (vq->callback)
		vq->callback(vq, vq->cb_arg);
	return true;
}

void vq_break(struct vq *vq)
{
	if (!vq->broken)
		pr_err("virtio: vq %s: broken by the transport; failing %u requests\n",
		       vq->name, vq->in_flight);
	vq_set_broken(vq);
}

bool vq_is_broken(const struct vq *vq) { return vq->broken; }
unsigned int vq_num_free(const struct vq *vq) { return vq->num_free; }
struct vq_stats vq_get_stats(const struct vq *vq) { return vq->stats; }
