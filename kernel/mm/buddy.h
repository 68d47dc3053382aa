/*
 * Binary buddy allocator over frame numbers. Pure logic: it reads and
 * writes only struct page descriptors (found through a struct memmap),
 * never the frames themselves, and takes no locks (pmm.c does). Host unit
 * tests run it against a model (tests/unit/test_buddy.c).
 *
 * A free block of order k is 2^k frames starting at a frame number that is
 * a multiple of 2^k; its first descriptor has PG_FREE and order k and sits
 * on free list k. Freeing merges a block with its buddy (the other half of
 * the enclosing order k+1 block) while that buddy is free and whole.
 */
#ifndef VIREO_MM_BUDDY_H
#define VIREO_MM_BUDDY_H

#include "kernel/mm/page.h"

#define BUDDY_MAX_ORDER 10              /* largest block: 1024 frames, 4 MiB */
#define BUDDY_ORDERS    (BUDDY_MAX_ORDER + 1)

struct buddy {
	const struct memmap *map;
	u32 head[BUDDY_ORDERS];         /* first block of each list, PFN_NONE */
	u64 nr_blocks[BUDDY_ORDERS];    /* blocks on each list */
	u64 free_frames;
	u64 total_frames;               /* frames handed over by buddy_add() */
};

void buddy_init(struct buddy *b, const struct memmap *map);

/* Hand frames [start, end) to the allocator, free. Each must have a
 * descriptor marked PG_RESERVED (not yet managed). Returns 0 or -EINVAL. */
int buddy_add(struct buddy *b, u64 start_pfn, u64 end_pfn);

/* A free block of 2^order frames: its first frame number, or PFN_NONE. */
u64 buddy_alloc(struct buddy *b, unsigned order);

/*
 * Return a block. Parts of an allocated block may be freed separately (a
 * 2 MiB mapping split into 4 KiB pages frees them one by one); they merge
 * back as their buddies come home. Returns 0, or without changing anything:
 * -EINVAL  order too large or pfn not aligned to it,
 * -ENOENT  a frame the allocator does not manage,
 * -EALREADY a frame that is already free (double free).
 */
int buddy_free(struct buddy *b, u64 pfn, unsigned order);

#endif
