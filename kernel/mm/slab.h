/*
 * Slab caches: fixed-size objects carved from blocks of 2^order frames.
 * A slab begins with its struct slab header; every frame of it points
 * back to the header (page->slab), so freeing needs only the pointer.
 * Each cache keeps its slabs on three lists (partial, full, empty) and
 * returns empty slabs to the frame allocator beyond SLAB_KEEP_EMPTY.
 *
 * This file is the pure part, host-tested (tests/unit/test_slab.c): it
 * takes no locks (kmalloc.c holds cache->lock around every call) and gets
 * frames and reports bugs through the three slab_platform_* functions,
 * which kmalloc.c implements for the kernel and the unit test for itself.
 *
 * Debug layout of a slot (cache->debug):
 *   [left red zone][object: size bytes][right red zone][struct slab_meta]
 * The right red zone also covers object bytes past what the caller asked
 * for. Free objects are filled with SLAB_POISON_FREE, and the freelist
 * link lives in the metadata, so all of a free object is checked.
 */
#ifndef VIREO_MM_SLAB_H
#define VIREO_MM_SLAB_H

#include "kernel/mm/kmalloc.h"
#include "kernel/lib/list.h"
#include "kernel/sched/spinlock.h"

#define SLAB_MAX_ORDER   3              /* slabs up to 32 KiB */
#define SLAB_KEEP_EMPTY  1              /* empty slabs a cache keeps */
#define SLAB_REDZONE     16             /* minimum red zone each side */

#define SLAB_POISON_FREE  0x6b
#define SLAB_POISON_ALLOC 0x5a          /* fresh objects: not zero */
#define SLAB_REDZONE_BYTE 0xbb

struct kmem_cache {
	const char *name;
	u32 size;                       /* object size */
	u32 align;
	u32 stride;                     /* bytes per slot */
	u32 obj_offset;                 /* object start within its slot */
	u32 meta_offset;                /* debug: struct slab_meta in the slot */
	u32 first;                      /* slot 0's offset in the slab */
	u32 objs;                       /* slots per slab */
	u8 order;                       /* a slab is 2^order frames */
	bool debug;
	struct spinlock lock;           /* everything below; kmalloc.c takes it */
	struct list_node partial, full, empty;
	u32 nr_empty;
	u64 nr_slabs;
	u64 nr_active;                  /* objects allocated */
	struct list_node link;          /* all caches, under kmalloc.c's lock */
};

struct slab {
	struct kmem_cache *cache;
	struct list_node link;          /* on one of the cache's lists */
	void *freelist;
	u32 inuse;
};

/* Debug metadata after each slot's right red zone. */
struct slab_meta {
	void *free_next;                /* freelist link while free */
	u64 state;                      /* SLAB_STATE_* */
	u64 alloc_ip, free_ip;          /* who last allocated / freed it */
	u32 req;                        /* bytes the allocator's caller asked for */
};

#define SLAB_STATE_ALLOC 0xa110ca7eda110ca7ULL
#define SLAB_STATE_FREE  0xf4eef4eef4eef4eeULL

enum slab_bug {
	SLAB_BUG_DOUBLE_FREE,
	SLAB_BUG_INVALID_FREE,          /* not the start of an object */
	SLAB_BUG_WRONG_CACHE,           /* kmem_cache_free to another cache */
	SLAB_BUG_OVERFLOW,              /* a red zone was written */
	SLAB_BUG_USE_AFTER_FREE,        /* a free object was written */
	SLAB_BUG_CORRUPT,               /* the metadata itself is garbage */
	SLAB_BUG_KINDS
};

/* Provided by the platform (kmalloc.c in the kernel). */
void *slab_platform_alloc(unsigned order, gfp_t flags);  /* NULL if none */
void slab_platform_free(void *p, unsigned order);
/* A bug in a caller of the allocator: obj is the object, offset the first
 * bad byte relative to it, meta its metadata (NULL unless debug). */
void slab_platform_report(enum slab_bug bug, const struct kmem_cache *c,
			  const void *obj, long offset, const struct slab_meta *meta);

/* Set up a cache. Returns 0 or -EINVAL (size 0, align not a power of two
 * or above 4096, or no slab of up to SLAB_MAX_ORDER holds one object). */
int slab_cache_init(struct kmem_cache *c, const char *name, size_t size,
		    size_t align, bool debug);

/* An object, or NULL. req (<= size) is what the caller asked for; ip who
 * asked. */
void *slab_alloc(struct kmem_cache *c, gfp_t flags, size_t req, u64 ip);

/* The slab obj belongs to, or NULL if obj is not in a slab page. */
struct slab *slab_of(const void *obj);

/* Free obj (which slab_of() found in slab s). If c is not NULL it must be
 * s's cache. Bugs are reported and the free is then ignored (the object
 * leaks rather than corrupting the cache). */
void slab_free(struct kmem_cache *c, struct slab *s, void *obj, u64 ip);

/* Release every empty slab (tests measure frames with this). */
void slab_shrink(struct kmem_cache *c);

#endif
