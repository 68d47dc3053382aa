/* Slab caches, the pure part (see slab.h). */
#include "kernel/mm/slab.h"
#include "kernel/mm/page.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

static bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

/* Slab size: the smallest order that wastes at most 1/8 of the slab, else
 * the order that wastes the smallest fraction. objs == 0: none fits. */
static void slab_pick_order(struct kmem_cache *c)
{
	u64 best_waste = 0, best_bytes = 1;

	c->objs = 0;
	for (unsigned order = 0; order <= SLAB_MAX_ORDER; order++) {
		u32 bytes = PAGE_SIZE << order;
		u32 objs, waste;

		if (c->first + c->stride > bytes)
			continue;
		objs = (bytes - c->first) / c->stride;
		waste = bytes - c->first - objs * c->stride;
		if (!c->objs || (u64)waste * best_bytes < best_waste * bytes) {
			c->order = (u8)order;
			c->objs = objs;
			best_waste = waste;
			best_bytes = bytes;
		}
		if (waste * 8 <= bytes)
			break;
	}
}

int slab_cache_init(struct kmem_cache *c, const char *name, size_t size,
		    size_t align, bool debug)
{
	if (!size || size > (PAGE_SIZE << SLAB_MAX_ORDER) || !is_pow2(align) ||
	    align > PAGE_SIZE)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->size = (u32)size;
	c->align = (u32)MAX(align, sizeof(void *));
	c->debug = debug;
	if (debug) {
		c->obj_offset = (u32)ALIGN_UP((size_t)SLAB_REDZONE, c->align);
		c->meta_offset = (u32)ALIGN_UP(c->obj_offset + size + SLAB_REDZONE, 8);
		c->stride = (u32)ALIGN_UP(c->meta_offset + sizeof(struct slab_meta), c->align);
	} else {
		/* A free object holds the freelist link. */
		c->stride = (u32)ALIGN_UP(MAX(size, sizeof(void *)), c->align);
	}
	c->first = (u32)ALIGN_UP(sizeof(struct slab), c->align);
	slab_pick_order(c);
	if (!c->objs)
		return -EINVAL;
	c->lock = (struct spinlock)SPINLOCK_INIT("kmem_cache");
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	return 0;
}

/* ---- slots ------------------------------------------------------------------ */

static u8 *slot_base(const struct kmem_cache *c, const struct slab *s, u32 i)
{
	return (u8 *)s + c->first + (size_t)i * c->stride;
}

static struct slab_meta *meta_of(const struct kmem_cache *c, void *obj)
{
	return (struct slab_meta *)((u8 *)obj - c->obj_offset + c->meta_offset);
}

static void **link_of(const struct kmem_cache *c, void *obj)
{
	return c->debug ? &meta_of(c, obj)->free_next : (void **)obj;
}

/* The first byte in [p, p + n) that is not v, or -1. */
static long find_not(const u8 *p, size_t n, u8 v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return (long)i;
	return -1;
}

/* ---- slabs ------------------------------------------------------------------- */

static struct slab *slab_create(struct kmem_cache *c, gfp_t flags)
{
	struct slab *s = slab_platform_alloc(c->order, flags);
	void *prev = NULL;

	if (!s)
		return NULL;
	s->cache = c;
	s->inuse = 0;
	for (u32 i = 0; i < (1u << c->order); i++) {
		struct page *pg = virt_to_page((u8 *)s + i * PAGE_SIZE);

		pg->flags |= PG_SLAB;
		pg->slab = s;
	}
	/* Build the freelist back to front, so it starts at slot 0. */
	for (u32 i = c->objs; i-- > 0;) {
		u8 *slot = slot_base(c, s, i);
		void *obj = slot + c->obj_offset;

		if (c->debug) {
			struct slab_meta *m = meta_of(c, obj);

			memset(slot, SLAB_REDZONE_BYTE, c->obj_offset);
			memset(obj, SLAB_POISON_FREE, c->size);
			memset((u8 *)obj + c->size, SLAB_REDZONE_BYTE,
			       c->meta_offset - c->obj_offset - c->size);
			memset(m, 0, sizeof(*m));
			m->state = SLAB_STATE_FREE;
		}
		*link_of(c, obj) = prev;
		prev = obj;
	}
	s->freelist = prev;
	c->nr_slabs++;
	return s;
}

static void slab_destroy(struct kmem_cache *c, struct slab *s)
{
	for (u32 i = 0; i < (1u << c->order); i++) {
		struct page *pg = virt_to_page((u8 *)s + i * PAGE_SIZE);

		pg->flags &= (u8)~PG_SLAB;
		pg->slab = NULL;
	}
	c->nr_slabs--;
	slab_platform_free(s, c->order);
}

struct slab *slab_of(const void *obj)
{
	struct page *pg = virt_to_page(obj);

	return pg && (pg->flags & PG_SLAB) ? pg->slab : NULL;
}

/* ---- debug checks --------------------------------------------------------------- */

/* On allocation: the object must still be all poison (else someone wrote
 * to it after it was freed). Reports and repairs. */
static void debug_check_free_object(struct kmem_cache *c, void *obj)
{
	struct slab_meta *m = meta_of(c, obj);
	long bad;

	if (m->state != SLAB_STATE_FREE) {
		slab_platform_report(SLAB_BUG_CORRUPT, c, obj, -1, m);
		return;
	}
	bad = find_not(obj, c->size, SLAB_POISON_FREE);
	if (bad >= 0)
		slab_platform_report(SLAB_BUG_USE_AFTER_FREE, c, obj, bad, m);
}

/* On free: both red zones intact? */
static void debug_check_redzones(struct kmem_cache *c, void *obj)
{
	struct slab_meta *m = meta_of(c, obj);
	u8 *slot = (u8 *)obj - c->obj_offset;
	size_t right = c->meta_offset - c->obj_offset - m->req;
	long bad = find_not(slot, c->obj_offset, SLAB_REDZONE_BYTE);

	if (bad >= 0) {
		slab_platform_report(SLAB_BUG_OVERFLOW, c, obj,
				     bad - (long)c->obj_offset, m);
		memset(slot, SLAB_REDZONE_BYTE, c->obj_offset);
	}
	bad = find_not((u8 *)obj + m->req, right, SLAB_REDZONE_BYTE);
	if (bad >= 0) {
		slab_platform_report(SLAB_BUG_OVERFLOW, c, obj, (long)m->req + bad, m);
		memset((u8 *)obj + m->req, SLAB_REDZONE_BYTE, right);
	}
}

/* ---- alloc and free --------------------------------------------------------------- */

void *slab_alloc(struct kmem_cache *c, gfp_t flags, size_t req, u64 ip)
{
	struct slab *s;
	void *obj;

	if (!list_empty(&c->partial)) {
		s = list_first_entry(&c->partial, struct slab, link);
	} else if (!list_empty(&c->empty)) {
		s = list_first_entry(&c->empty, struct slab, link);
		list_del(&s->link);
		c->nr_empty--;
		list_add(&s->link, &c->partial);
	} else {
		s = slab_create(c, flags);
		if (!s)
			return NULL;
		list_add(&s->link, &c->partial);
	}
	obj = s->freelist;
	s->freelist = *link_of(c, obj);
	if (++s->inuse == c->objs) {
		list_del(&s->link);
		list_add(&s->link, &c->full);
	}
	c->nr_active++;
	if (c->debug) {
		struct slab_meta *m = meta_of(c, obj);

		debug_check_free_object(c, obj);
		m->state = SLAB_STATE_ALLOC;
		m->alloc_ip = ip;
		m->req = (u32)MIN(req, (size_t)c->size);
		memset(obj, SLAB_POISON_ALLOC, m->req);
		memset((u8 *)obj + m->req, SLAB_REDZONE_BYTE, c->size - m->req);
	}
	return obj;
}

void slab_free(struct kmem_cache *c, struct slab *s, void *obj, u64 ip)
{
	struct kmem_cache *sc = s->cache;
	size_t off = (size_t)((u8 *)obj - (u8 *)s);

	if (c && c != sc) {
		slab_platform_report(SLAB_BUG_WRONG_CACHE, c, obj, 0, NULL);
		return;
	}
	c = sc;
	if (off < c->first + c->obj_offset ||
	    (off - c->first - c->obj_offset) % c->stride ||
	    (off - c->first - c->obj_offset) / c->stride >= c->objs) {
		slab_platform_report(SLAB_BUG_INVALID_FREE, c, obj, 0, NULL);
		return;
	}
	if (c->debug) {
		struct slab_meta *m = meta_of(c, obj);

		if (m->state == SLAB_STATE_FREE) {
			slab_platform_report(SLAB_BUG_DOUBLE_FREE, c, obj, 0, m);
			return;
		}
		if (m->state != SLAB_STATE_ALLOC) {
			slab_platform_report(SLAB_BUG_CORRUPT, c, obj, -1, m);
			return;
		}
		debug_check_redzones(c, obj);
		memset(obj, SLAB_POISON_FREE, c->size);
		m->state = SLAB_STATE_FREE;
		m->free_ip = ip;
	} else if (obj == s->freelist) {
		/* Without metadata only the most recent free is recognizable. */
		slab_platform_report(SLAB_BUG_DOUBLE_FREE, c, obj, 0, NULL);
		return;
	}
	*link_of(c, obj) = s->freelist;
	s->freelist = obj;
	c->nr_active--;
	if (s->inuse-- == c->objs) {
		list_del(&s->link);
		list_add(&s->link, &c->partial);
	}
	if (s->inuse == 0) {
		list_del(&s->link);
		if (c->nr_empty < SLAB_KEEP_EMPTY) {
			list_add(&s->link, &c->empty);
			c->nr_empty++;
		} else {
			slab_destroy(c, s);
		}
	}
}

void slab_shrink(struct kmem_cache *c)
{
	struct slab *s, *tmp;

	list_for_each_entry_safe(s, tmp, &c->empty, link) {
		list_del(&s->link);
		c->nr_empty--;
		slab_destroy(c, s);
	}
}
