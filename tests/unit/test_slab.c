// uses: kernel/mm/slab.c kernel/mm/buddy.c kernel/mm/memmap.c
/*
 * Slab caches against a model: long random alloc/free sequences over
 * several caches, debug on and off. Objects must be aligned, never
 * overlap a live object (a shadow byte map says which bytes are live),
 * keep their contents until freed, and when everything is freed and the
 * caches shrunk every frame is back with the buddy allocator. The debug
 * checks must catch each kind of bug they claim to.
 */
#include "tests/unit/unit.h"
#include <sys/mman.h>
#include "kernel/mm/slab.h"
#include "kernel/mm/buddy.h"
#include "kernel/lib/errno.h"

#define ARENA_SIZE (16u << 20)

static u8 *arena;
static struct page *arena_pages;
static struct buddy b;
static u8 *shadow;                      /* 1 = byte of a live object */

static int reports[SLAB_BUG_KINDS];
static long last_offset;

void *slab_platform_alloc(unsigned order, gfp_t flags)
{
	u64 pfn = buddy_alloc(&b, order);

	return pfn == PFN_NONE ? NULL : pfn_to_virt(pfn);
}

void slab_platform_free(void *p, unsigned order)
{
	if (buddy_free(&b, virt_to_pfn(p), order)) {
		printf("# slab returned a block the buddy rejects\n");
		abort();
	}
}

void slab_platform_report(enum slab_bug bug, const struct kmem_cache *c,
			  const void *obj, long offset, const struct slab_meta *meta)
{
	reports[bug]++;
	last_offset = offset;
}

/* One arena for the whole run: frame descriptors are global (mem_map). */
static void world_init(void)
{
	u64 start;

	if (!arena) {
		/* Frame numbers are 32-bit, so the arena must sit low; 1 GiB is
		 * below AddressSanitizer's shadow and clear of the program. */
		arena = mmap((void *)(1ULL << 30), ARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (arena == MAP_FAILED) {
			perror("mmap arena");
			abort();
		}
		shadow = calloc(ARENA_SIZE, 1);
		arena_pages = calloc(ARENA_SIZE / PAGE_SIZE, sizeof(struct page));
		for (u32 i = 0; i < ARENA_SIZE / PAGE_SIZE; i++)
			arena_pages[i].flags = PG_RESERVED;
		start = virt_to_pfn(arena);
		if (memmap_add(&mem_map, start, start + ARENA_SIZE / PAGE_SIZE, arena_pages))
			abort();
		buddy_init(&b, &mem_map);
		if (buddy_add(&b, start, start + ARENA_SIZE / PAGE_SIZE))
			abort();
	}
	memset(reports, 0, sizeof(reports));
}

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

struct live {
	struct kmem_cache *c;
	u8 *p;
	size_t req;
	u8 fill;
};

#define NR_CACHES 9
static const size_t sizes[NR_CACHES] = { 8, 24, 64, 100, 256, 333, 1000, 2048, 4096 };
static const size_t aligns[NR_CACHES] = { 8, 8, 64, 8, 16, 64, 8, 8, 4096 };

static int random_run(u64 seed, bool debug, int steps)
{
	static struct kmem_cache caches[NR_CACHES];
	static struct live live[6000];
	int nr_live = 0;
	u64 base_free;

	rng_state = seed;
	world_init();
	base_free = b.free_frames;
	for (int i = 0; i < NR_CACHES; i++)
		if (slab_cache_init(&caches[i], "test", sizes[i], aligns[i], debug))
			return printf("# cache %d init failed\n", i), 0;
	for (int step = 0; step < steps; step++) {
		bool alloc = nr_live == 0 || (nr_live < 6000 && rnd() % 100 < 55);

		if (alloc) {
			struct kmem_cache *c = &caches[rnd() % NR_CACHES];
			size_t req = 1 + rnd() % c->size;
			u8 fill = (u8)(1 + rnd() % 250);
			u8 *p = slab_alloc(c, GFP_KERNEL, req, 0x1234);
			size_t off;

			if (!p)
				continue;       /* the arena can run out: fine */
			off = (size_t)(p - arena);
			if (p < arena || off + c->size > ARENA_SIZE)
				return printf("# seed %llu: object outside the arena\n",
					      (unsigned long long)seed), 0;
			if ((uintptr_t)p % c->align)
				return printf("# step %d: misaligned object\n", step), 0;
			for (size_t i = 0; i < c->size; i++)
				if (shadow[off + i])
					return printf("# step %d: overlap\n", step), 0;
			memset(shadow + off, 1, c->size);
			memset(p, fill, req);
			live[nr_live++] = (struct live){ c, p, req, fill };
		} else {
			int i = (int)(rnd() % (u64)nr_live);
			struct live l = live[i];

			live[i] = live[--nr_live];
			for (size_t k = 0; k < l.req; k++)
				if (l.p[k] != l.fill)
					return printf("# step %d: object contents changed\n", step), 0;
			memset(shadow + (l.p - arena), 0, l.c->size);
			slab_free(NULL, slab_of(l.p), l.p, 0x5678);
		}
	}
	for (int i = 0; i < NR_CACHES; i++) {
		u64 n = 0;

		for (int k = 0; k < nr_live; k++)
			n += live[k].c == &caches[i];
		if (caches[i].nr_active != n)
			return printf("# cache %d: nr_active %llu, model %llu\n", i,
				      (unsigned long long)caches[i].nr_active,
				      (unsigned long long)n), 0;
	}
	while (nr_live) {
		struct live l = live[--nr_live];

		memset(shadow + (l.p - arena), 0, l.c->size);
		slab_free(&caches[l.c - caches], slab_of(l.p), l.p, 0x5678);
	}
	for (int i = 0; i < NR_CACHES; i++) {
		if (caches[i].nr_active)
			return printf("# cache %d still has objects\n", i), 0;
		slab_shrink(&caches[i]);
		if (caches[i].nr_slabs)
			return printf("# cache %d still has slabs\n", i), 0;
	}
	for (int k = 0; k < SLAB_BUG_KINDS; k++)
		if (reports[k])
			return printf("# a clean run reported bug kind %d\n", k), 0;
	if (b.free_frames != base_free)
		return printf("# frames leaked: %llu of %llu back\n",
			      (unsigned long long)b.free_frames,
			      (unsigned long long)base_free), 0;
	return 1;
}

UNIT_TEST(slab_random_against_model)
{
	for (u64 seed = 1; seed <= 6; seed++)
		EXPECT(random_run(seed * 0x9e3779b97f4a7c15ULL, false, 60000));
}

UNIT_TEST(slab_random_against_model_debug)
{
	for (u64 seed = 1; seed <= 6; seed++)
		EXPECT(random_run(seed * 0x9e3779b97f4a7c15ULL + 7, true, 60000));
}

UNIT_TEST(slab_rejects_bad_geometry)
{
	struct kmem_cache c;

	EXPECT_EQ(slab_cache_init(&c, "x", 0, 8, false), -EINVAL);
	EXPECT_EQ(slab_cache_init(&c, "x", 64, 24, false), -EINVAL);
	EXPECT_EQ(slab_cache_init(&c, "x", 64, 8192, false), -EINVAL);
	EXPECT_EQ(slab_cache_init(&c, "x", 40000, 8, false), -EINVAL);
	EXPECT_EQ(slab_cache_init(&c, "x", 32768, 8, false), -EINVAL);  /* no room for the header */
	EXPECT_EQ(slab_cache_init(&c, "x", 2048, 8, false), 0);
	/* 2 KiB objects: at most 1/8 of the slab wasted. */
	EXPECT((c.objs * c.stride + c.first) * 8 >= 7u * (PAGE_SIZE << c.order));
}

static struct kmem_cache dbg;

static u8 *dbg_alloc(size_t req)
{
	return slab_alloc(&dbg, GFP_KERNEL, req, 0x1111);
}

static void dbg_free(void *p)
{
	slab_free(&dbg, slab_of(p), p, 0x2222);
}

UNIT_TEST(slab_debug_catches_overflow_past_request)
{
	u8 *p;

	world_init();
	EXPECT_EQ(slab_cache_init(&dbg, "dbg", 16, 8, true), 0);
	p = dbg_alloc(13);
	EXPECT(p[0] == SLAB_POISON_ALLOC);       /* not zeroed */
	p[13] = 0;                               /* inside the object, past the request */
	dbg_free(p);
	EXPECT_EQ(reports[SLAB_BUG_OVERFLOW], 1);
	EXPECT_EQ(last_offset, 13);
	/* The red zone was repaired: the next use is clean. */
	p = dbg_alloc(16);
	p[15] = 1;
	dbg_free(p);
	EXPECT_EQ(reports[SLAB_BUG_OVERFLOW], 1);
	p = dbg_alloc(16);
	p[16 + 3] = 1;                           /* right red zone */
	p[-2] = 1;                               /* left red zone */
	dbg_free(p);
	EXPECT_EQ(reports[SLAB_BUG_OVERFLOW], 3);
	EXPECT_EQ(reports[SLAB_BUG_USE_AFTER_FREE], 0);
	slab_shrink(&dbg);
}

UNIT_TEST(slab_debug_catches_use_after_free)
{
	u8 *p, *q;

	world_init();
	EXPECT_EQ(slab_cache_init(&dbg, "dbg", 64, 8, true), 0);
	p = dbg_alloc(64);
	dbg_free(p);
	EXPECT(p[0] == SLAB_POISON_FREE && p[63] == SLAB_POISON_FREE);
	p[40] = 7;                               /* write after free */
	q = dbg_alloc(64);                       /* LIFO: the same object */
	EXPECT(q == p);
	EXPECT_EQ(reports[SLAB_BUG_USE_AFTER_FREE], 1);
	EXPECT_EQ(last_offset, 40);
	dbg_free(q);
	slab_shrink(&dbg);
}

UNIT_TEST(slab_debug_catches_bad_frees)
{
	u8 *p, *q;
	struct kmem_cache other;

	world_init();
	EXPECT_EQ(slab_cache_init(&dbg, "dbg", 32, 8, true), 0);
	EXPECT_EQ(slab_cache_init(&other, "other", 32, 8, true), 0);
	p = dbg_alloc(32);
	q = dbg_alloc(32);
	dbg_free(p);
	dbg_free(p);
	EXPECT_EQ(reports[SLAB_BUG_DOUBLE_FREE], 1);
	EXPECT_EQ(dbg.nr_active, 1);             /* ignored, not absorbed */
	slab_free(&dbg, slab_of(q + 4), q + 4, 0);
	EXPECT_EQ(reports[SLAB_BUG_INVALID_FREE], 1);
	slab_free(&other, slab_of(q), q, 0);
	EXPECT_EQ(reports[SLAB_BUG_WRONG_CACHE], 1);
	EXPECT_EQ(dbg.nr_active, 1);
	dbg_free(q);
	EXPECT_EQ(dbg.nr_active, 0);
	/* Two allocations later, the double-freed object was not handed out
	 * twice. */
	p = dbg_alloc(32);
	q = dbg_alloc(32);
	EXPECT(p != q);
	dbg_free(p);
	dbg_free(q);
	slab_shrink(&dbg);
	EXPECT(slab_of(arena + ARENA_SIZE - 1) == NULL);
}

UNIT_TEST(slab_nodebug_catches_immediate_double_free)
{
	struct kmem_cache c;
	void *p, *q;

	world_init();
	EXPECT_EQ(slab_cache_init(&c, "c", 48, 8, false), 0);
	p = slab_alloc(&c, GFP_KERNEL, 48, 0);
	q = slab_alloc(&c, GFP_KERNEL, 48, 0);
	slab_free(&c, slab_of(p), p, 0);
	slab_free(&c, slab_of(p), p, 0);
	EXPECT_EQ(reports[SLAB_BUG_DOUBLE_FREE], 1);
	slab_free(&c, slab_of(q), q, 0);
	EXPECT_EQ(c.nr_active, 0);
	slab_shrink(&c);
	EXPECT_EQ(c.nr_slabs, 0);
}
