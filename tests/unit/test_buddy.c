// uses: kernel/mm/buddy.c kernel/mm/memmap.c
/*
 * The buddy allocator against a model: long random alloc/free sequences
 * over frame ranges with holes and reserved frames. The model is one bit
 * per frame (allocated or not); after every step the allocator's answers
 * must agree with it, and at checkpoints its free lists must be exactly
 * the maximal merge of the free frames.
 */
#include "tests/unit/unit.h"
#include "kernel/mm/buddy.h"
#include "kernel/lib/errno.h"

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A frame world: descriptor ranges, of which some frames are managed. */
#define NR_RANGES 3
static const u64 range_start[NR_RANGES] = { 0x100, 0x2003, 0x10000 };
static const u64 range_len[NR_RANGES] = { 3000, 5000, 1024 * 3 + 7 };
/* Frames handed to the buddy: the ranges minus a few reserved holes. */
static const u64 managed[][2] = {
	{ 0x100, 0x180 }, { 0x1a0, 0x100 + 3000 },
	{ 0x2003, 0x2003 + 4000 }, { 0x2003 + 4001, 0x2003 + 5000 },
	{ 0x10000, 0x10000 + 1024 * 3 + 7 },
};
#define WORLD_END (0x10000 + 1024 * 3 + 7)

static struct memmap map;
static struct page *pages[NR_RANGES];
static struct buddy b;
static unsigned char is_managed[WORLD_END];
static unsigned char is_alloc[WORLD_END];
static u64 nr_managed;
static u64 model_free;          /* managed frames not allocated */

struct live {
	u64 pfn;
	unsigned order;
};
static struct live live[20000];
static int nr_live;

static void world_init(void)
{
	memset(&map, 0, sizeof(map));
	memset(is_managed, 0, sizeof(is_managed));
	memset(is_alloc, 0, sizeof(is_alloc));
	nr_managed = 0;
	nr_live = 0;
	for (int i = 0; i < NR_RANGES; i++) {
		free(pages[i]);
		pages[i] = calloc(range_len[i], sizeof(struct page));
		for (u64 j = 0; j < range_len[i]; j++)
			pages[i][j].flags = PG_RESERVED;
		if (memmap_add(&map, range_start[i], range_start[i] + range_len[i], pages[i]))
			abort();
	}
	buddy_init(&b, &map);
	for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++) {
		if (buddy_add(&b, managed[i][0], managed[i][1]))
			abort();
		for (u64 p = managed[i][0]; p < managed[i][1]; p++)
			is_managed[p] = 1;
		nr_managed += managed[i][1] - managed[i][0];
	}
	model_free = nr_managed;
}

/* Is the aligned block at pfn entirely managed and free in the model? */
static int model_block_free(u64 pfn, unsigned order)
{
	for (u64 i = 0; i < (1ULL << order); i++)
		if (pfn + i >= WORLD_END || !is_managed[pfn + i] || is_alloc[pfn + i])
			return 0;
	return 1;
}

/* Walk every free list: each block is aligned, model-free, counted, and
 * its buddy is not a free block of the same order (merging is complete).
 * Returns a message, or NULL if everything holds. */
static const char *check_lists(void)
{
	static unsigned char seen[WORLD_END];
	u64 free_frames = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		u64 n = 0;
		u32 prev = PFN_NONE;

		for (u32 pfn = b.head[o]; pfn != PFN_NONE; pfn = memmap_find(&map, pfn)->free.next) {
			struct page *pg = memmap_find(&map, pfn);
			u64 bud = pfn ^ (1ULL << o);
			struct page *bp = memmap_find(&map, bud);

			if (!pg || !(pg->flags & PG_FREE) || pg->order != o)
				return "list entry not marked free with its order";
			if (pg->free.prev != prev)
				return "broken prev link";
			if (pfn & ((1ULL << o) - 1))
				return "misaligned free block";
			if (!model_block_free(pfn, o))
				return "free block overlaps an allocation or unmanaged frame";
			for (u64 i = 0; i < (1ULL << o); i++) {
				if (seen[pfn + i]++)
					return "frame on two free lists";
			}
			if (o < BUDDY_MAX_ORDER && bp && (bp->flags & PG_FREE) && bp->order == o)
				return "two free buddies left unmerged";
			prev = pfn;
			n++;
			free_frames += 1ULL << o;
		}
		if (n != b.nr_blocks[o])
			return "nr_blocks disagrees with the list";
	}
	if (free_frames != b.free_frames)
		return "free_frames disagrees with the lists";
	for (u64 p = 0; p < WORLD_END; p++)
		if (is_managed[p] && !is_alloc[p] && !seen[p])
			return "a free frame is on no list (leak)";
	return NULL;
}

static u64 model_free_frames(void)
{
	u64 n = 0;

	for (u64 p = 0; p < WORLD_END; p++)
		n += is_managed[p] && !is_alloc[p];
	return n;
}

UNIT_TEST(buddy_initial_state_is_maximal)
{
	const char *err;

	world_init();
	err = check_lists();
	EXPECT(err == NULL || (printf("# %s\n", err), 0));
	EXPECT_EQ(b.total_frames, nr_managed);
	EXPECT_EQ(b.free_frames, nr_managed);
	/* 0x10000 is 1024-aligned: three whole order-10 blocks there. */
	EXPECT(b.nr_blocks[BUDDY_MAX_ORDER] >= 3);
}

UNIT_TEST(buddy_rejects_bad_frees)
{
	u64 pfn;

	world_init();
	pfn = buddy_alloc(&b, 2);
	EXPECT(pfn != PFN_NONE);
	EXPECT_EQ(buddy_free(&b, pfn + 1, 2), -EINVAL);           /* misaligned */
	EXPECT_EQ(buddy_free(&b, pfn, BUDDY_MAX_ORDER + 1), -EINVAL);
	EXPECT_EQ(buddy_free(&b, 0x180, 0), -ENOENT);            /* reserved */
	EXPECT_EQ(buddy_free(&b, 0x50, 0), -ENOENT);             /* no descriptor */
	EXPECT_EQ(buddy_free(&b, pfn, 2), 0);
	EXPECT_EQ(buddy_free(&b, pfn, 2), -EALREADY);            /* double */
	EXPECT_EQ(buddy_free(&b, pfn + 2, 0), -EALREADY);        /* inside a free block */
	EXPECT_EQ(b.free_frames, nr_managed);
	EXPECT(check_lists() == NULL);
	EXPECT_EQ(buddy_alloc(&b, BUDDY_MAX_ORDER + 1), PFN_NONE);
}

UNIT_TEST(buddy_split_block_merges_back)
{
	u64 pfn;

	world_init();
	pfn = buddy_alloc(&b, 9);
	EXPECT(pfn != PFN_NONE);
	/* Free a 2 MiB block as 512 single frames, in a scrambled order. */
	for (u64 i = 0; i < 512; i++)
		EXPECT_EQ(buddy_free(&b, pfn + ((i * 37) % 512), 0), 0);
	EXPECT(check_lists() == NULL);
	EXPECT_EQ(b.free_frames, nr_managed);
}

UNIT_TEST(buddy_exhaustion_then_all_back)
{
	unsigned long n = 0;
	u64 pfn;
	struct live *l = live;

	world_init();
	for (int o = BUDDY_MAX_ORDER; o >= 0; o--) {
		while ((pfn = buddy_alloc(&b, (unsigned)o)) != PFN_NONE) {
			l->pfn = pfn;
			l->order = (unsigned)o;
			l++;
			n += 1UL << o;
		}
	}
	EXPECT_EQ(n, nr_managed);
	EXPECT_EQ(b.free_frames, 0);
	while (l > live) {
		l--;
		EXPECT_EQ(buddy_free(&b, l->pfn, l->order), 0);
	}
	EXPECT_EQ(b.free_frames, nr_managed);
	EXPECT(check_lists() == NULL);
}

static void random_run(u64 seed, int steps)
{
	const char *err = NULL;

	rng_state = seed;
	world_init();
	for (int step = 0; step < steps; step++) {
		int do_alloc = nr_live == 0 || (rnd() % 100) < 52;

		if (do_alloc && nr_live < (int)(sizeof(live) / sizeof(live[0]))) {
			/* Mostly small orders, sometimes big ones. */
			unsigned order = (unsigned)(rnd() % 4 == 0 ? rnd() % (BUDDY_MAX_ORDER + 1)
								  : rnd() % 3);
			u64 pfn = buddy_alloc(&b, order);

			if (pfn == PFN_NONE) {
				/* Only acceptable if no aligned free block exists. */
				for (u64 p = 0; p < WORLD_END; p += 1ULL << order) {
					if (model_block_free(p, order)) {
						printf("# seed %llu step %d: order %u failed but %#llx is free\n",
						       (unsigned long long)seed, step, order,
						       (unsigned long long)p);
						unit_failed_now = 1;
						return;
					}
				}
				continue;
			}
			if ((pfn & ((1ULL << order) - 1)) || !model_block_free(pfn, order)) {
				printf("# seed %llu step %d: bad block %#llx order %u\n",
				       (unsigned long long)seed, step, (unsigned long long)pfn, order);
				unit_failed_now = 1;
				return;
			}
			memset(&is_alloc[pfn], 1, 1ULL << order);
			model_free -= 1ULL << order;
			live[nr_live++] = (struct live){ pfn, order };
		} else if (nr_live) {
			int i = (int)(rnd() % (u64)nr_live);
			struct live l = live[i];

			live[i] = live[--nr_live];
			if (l.order > 0 && rnd() % 4 == 0) {
				/* Free the two halves separately. */
				unsigned h = l.order - 1;

				EXPECT_EQ(buddy_free(&b, l.pfn + (1ULL << h), h), 0);
				EXPECT_EQ(buddy_free(&b, l.pfn, h), 0);
			} else {
				EXPECT_EQ(buddy_free(&b, l.pfn, l.order), 0);
			}
			memset(&is_alloc[l.pfn], 0, 1ULL << l.order);
			model_free += 1ULL << l.order;
			/* A second free of the same block is caught, not absorbed. */
			if (rnd() % 16 == 0)
				EXPECT_EQ(buddy_free(&b, l.pfn, l.order), -EALREADY);
		}
		if (b.free_frames != model_free) {
			printf("# seed %llu step %d: free count %llu, model %llu\n",
			       (unsigned long long)seed, step,
			       (unsigned long long)b.free_frames,
			       (unsigned long long)model_free);
			unit_failed_now = 1;
			return;
		}
		if (step % 512 == 0 && (model_free != model_free_frames() ||
					(err = check_lists()))) {
			err = err ? err : "model count drifted";
			printf("# seed %llu step %d: %s\n", (unsigned long long)seed, step, err);
			unit_failed_now = 1;
			return;
		}
	}
	/* Everything back: the lists are the same maximal blocks as at start. */
	while (nr_live) {
		struct live l = live[--nr_live];

		EXPECT_EQ(buddy_free(&b, l.pfn, l.order), 0);
		memset(&is_alloc[l.pfn], 0, 1ULL << l.order);
	}
	err = check_lists();
	if (err) {
		printf("# seed %llu final: %s\n", (unsigned long long)seed, err);
		unit_failed_now = 1;
		return;
	}
	EXPECT_EQ(b.free_frames, nr_managed);
}

UNIT_TEST(buddy_random_against_model)
{
	for (u64 seed = 1; seed <= 16 && !unit_failed_now; seed++)
		random_run(seed * 0x9e3779b97f4a7c15ULL, 100000);
}

UNIT_TEST(buddy_add_refuses_unreserved_frames)
{
	u64 free_before;

	world_init();
	free_before = b.free_frames;
	/* 0x180..0x1a0 is reserved and not yet managed; 0x1a0 is managed. */
	EXPECT_EQ(buddy_add(&b, 0x180, 0x1a1), -EINVAL);
	EXPECT_EQ(memmap_find(&map, 0x180)->flags, PG_RESERVED);   /* undone */
	EXPECT_EQ(memmap_find(&map, 0x19f)->flags, PG_RESERVED);
	EXPECT_EQ(buddy_add(&b, 0x50, 0x60), -EINVAL);             /* no descriptors */
	EXPECT_EQ(b.free_frames, free_before);
	EXPECT_EQ(buddy_add(&b, 0x180, 0x1a0), 0);
	memset(&is_managed[0x180], 1, 0x20);
	EXPECT_EQ(b.free_frames, free_before + 0x20);
	EXPECT(check_lists() == NULL || (printf("# %s\n", check_lists()), 0));
}
