/* Binary buddy allocator (see buddy.h). */
#include "kernel/mm/buddy.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"

static struct page *bpage(const struct buddy *b, u64 pfn)
{
	return memmap_find(b->map, pfn);
}

static void free_push(struct buddy *b, u64 pfn, unsigned order)
{
	struct page *pg = bpage(b, pfn);

	pg->flags |= PG_FREE;
	pg->order = (u8)order;
	pg->free.prev = PFN_NONE;
	pg->free.next = b->head[order];
	if (b->head[order] != PFN_NONE)
		bpage(b, b->head[order])->free.prev = (u32)pfn;
	b->head[order] = (u32)pfn;
	b->nr_blocks[order]++;
}

static void free_remove(struct buddy *b, struct page *pg)
{
	unsigned order = pg->order;

	if (pg->free.prev != PFN_NONE)
		bpage(b, pg->free.prev)->free.next = pg->free.next;
	else
		b->head[order] = pg->free.next;
	if (pg->free.next != PFN_NONE)
		bpage(b, pg->free.next)->free.prev = pg->free.prev;
	pg->flags &= (u8)~PG_FREE;
	b->nr_blocks[order]--;
}

void buddy_init(struct buddy *b, const struct memmap *map)
{
	*b = (struct buddy){ .map = map };
	for (unsigned o = 0; o < BUDDY_ORDERS; o++)
		b->head[o] = PFN_NONE;
}

u64 buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned o = order;
	u64 pfn;

	if (order > BUDDY_MAX_ORDER)
		return PFN_NONE;
	while (o <= BUDDY_MAX_ORDER && b->head[o] == PFN_NONE)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return PFN_NONE;
	pfn = b->head[o];
	free_remove(b, bpage(b, pfn));
	/* Split: keep the low half, free the high half, down to `order`. */
	while (o > order) {
		o--;
		free_push(b, pfn + (1ULL << o), o);
	}
	b->free_frames -= 1ULL << order;
	return pfn;
}

/* The descriptor of pfn, looked up in r first (the common case: the
 * frames a free touches are all in the same range). */
static const struct page *near_page(const struct buddy *b,
				    const struct memmap_range *r, u64 pfn)
{
	if (pfn >= r->start_pfn && pfn < r->end_pfn)
		return &r->pages[pfn - r->start_pfn];
	return bpage(b, pfn);
}

/* Is any frame of [pfn, pfn + 2^order) free already, or unmanaged? */
static int buddy_check_free(const struct buddy *b, u64 pfn, unsigned order)
{
	const struct memmap_range *r = memmap_range_of(b->map, pfn);
	u64 n = 1ULL << order;

	if (!r)
		return -ENOENT;
	/* A free block that starts inside the range... */
	for (u64 i = 0; i < n; i++) {
		const struct page *pg = near_page(b, r, pfn + i);

		if (!pg || (pg->flags & PG_RESERVED))
			return -ENOENT;
		if (pg->flags & PG_FREE)
			return -EALREADY;
	}
	/* ...or a larger free block that starts below it and covers it. */
	for (unsigned o = order + 1; o <= BUDDY_MAX_ORDER; o++) {
		u64 head = pfn & ~((1ULL << o) - 1);
		const struct page *pg = near_page(b, r, head);

		if (pg && (pg->flags & PG_FREE) && pfn < head + (1ULL << pg->order))
			return -EALREADY;
	}
	return 0;
}

/* Put a block on its list, merging with free buddies on the way up. */
static void buddy_release(struct buddy *b, u64 pfn, unsigned order)
{
	b->free_frames += 1ULL << order;
	while (order < BUDDY_MAX_ORDER) {
		u64 buddy_pfn = pfn ^ (1ULL << order);
		struct page *bp = bpage(b, buddy_pfn);

		if (!bp || !(bp->flags & PG_FREE) || bp->order != order)
			break;
		free_remove(b, bp);
		pfn &= ~(1ULL << order);
		order++;
	}
	free_push(b, pfn, order);
}

int buddy_free(struct buddy *b, u64 pfn, unsigned order)
{
	int err;

	if (order > BUDDY_MAX_ORDER || (pfn & ((1ULL << order) - 1)))
		return -EINVAL;
	err = buddy_check_free(b, pfn, order);
	if (err)
		return err;
	buddy_release(b, pfn, order);
	return 0;
}

/* Mark the frames of [start, end) managed (flags 0) if every one has a
 * descriptor marked PG_RESERVED; else leave them all as they were and
 * return false. One pass over the descriptor arrays in the normal case:
 * this runs over every frame of RAM at boot. */
static bool buddy_claim(struct buddy *b, u64 start_pfn, u64 end_pfn)
{
	u64 pfn = start_pfn;

	while (pfn < end_pfn) {
		const struct memmap_range *r = memmap_range_of(b->map, pfn);
		u64 stop;

		if (!r)
			goto out_undo;
		stop = MIN(end_pfn, r->end_pfn);
		for (; pfn < stop; pfn++) {
			struct page *pg = &r->pages[pfn - r->start_pfn];

			if (pg->flags != PG_RESERVED)
				goto out_undo;
			pg->flags = 0;
		}
	}
	return true;

out_undo:
	for (u64 p = start_pfn; p < pfn; p++)
		bpage(b, p)->flags = PG_RESERVED;
	return false;
}

int buddy_add(struct buddy *b, u64 start_pfn, u64 end_pfn)
{
	u64 pfn;

	if (start_pfn > end_pfn || end_pfn > PFN_LIMIT - 1 ||
	    !buddy_claim(b, start_pfn, end_pfn))
		return -EINVAL;
	b->total_frames += end_pfn - start_pfn;
	/* Largest aligned blocks that fit; they merge with neighbours that
	 * earlier calls added. */
	pfn = start_pfn;
	while (pfn < end_pfn) {
		unsigned order = BUDDY_MAX_ORDER;

		while ((pfn & ((1ULL << order) - 1)) || pfn + (1ULL << order) > end_pfn)
			order--;
		buddy_release(b, pfn, order);
		pfn += 1ULL << order;
	}
	return 0;
}
