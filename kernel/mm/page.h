/*
 * Frame descriptors. Every page-aligned frame of RAM the boot memory map
 * lists has a struct page, kept in one array per RAM range (memmap.c), so a
 * lookup costs a binary search over a handful of ranges and holes between
 * ranges cost nothing. Frame numbers are stored in 32 bits: RAM above
 * 16 TiB (PFN_LIMIT) is ignored at boot, with a warning.
 *
 * Who owns which field:
 *   free, PG_FREE, PG_RESERVED, order of a free block: the buddy
 *       allocator, under the pmm lock;
 *   PG_SLAB, slab, PG_LARGE, order of a large block, refs, PG_TEXT:
 *       whoever allocated the frames (the buddy does not touch an
 *       allocated frame's fields); refs and PG_TEXT of shared frames are
 *       upage.c's, changed atomically.
 */
#ifndef VIREO_MM_PAGE_H
#define VIREO_MM_PAGE_H

#include "kernel/lib/types.h"
#include "kernel/arch/x86_64/layout.h"

#define PFN_LIMIT (1ULL << 32)
#define PFN_NONE  0xffffffffu

/* page->flags */
#define PG_RESERVED 0x01        /* never managed by the buddy (boot, holes) */
#define PG_FREE     0x02        /* head of a free buddy block of `order` */
#define PG_SLAB     0x04        /* part of a slab; `slab` is valid */
#define PG_LARGE    0x08        /* head of a large kmalloc block of `order` */
#define PG_TEXT     0x10        /* a shared frame that was mapped executable
				   (upage.h): scrubbed before it is freed */

struct slab;

struct page {
	union {
		struct {                /* PG_FREE: buddy free list, by pfn */
			u32 next, prev;
		} free;
		struct slab *slab;      /* PG_SLAB */
	};
	u8 order;
	u8 flags;
	u32 refs;                       /* shared frames (upage.h): mappings
					   of it in user address spaces plus
					   its file's cache, atomic */
};
_Static_assert(sizeof(struct page) == 16, "struct page is 16 bytes");

/* The descriptor arrays, sorted by frame number, disjoint. */
struct memmap_range {
	u64 start_pfn, end_pfn;         /* [start, end) */
	struct page *pages;             /* pages[0] describes start_pfn */
};

#define MEMMAP_MAX 256

struct memmap {
	struct memmap_range range[MEMMAP_MAX];
	u32 nr;
};

/* The kernel's frame descriptors, filled once by pmm_init(). */
extern struct memmap mem_map;

/* Register descriptors for [start_pfn, end_pfn). Returns 0, -EINVAL if the
 * range is empty or overlaps another, -ENOSPC if the table is full. */
int memmap_add(struct memmap *m, u64 start_pfn, u64 end_pfn, struct page *pages);
/* The range holding pfn's descriptor, or NULL (a hole, MMIO). */
const struct memmap_range *memmap_range_of(const struct memmap *m, u64 pfn);

/* The descriptor of pfn, or NULL if it has none. */
static inline struct page *memmap_find(const struct memmap *m, u64 pfn)
{
	const struct memmap_range *r = memmap_range_of(m, pfn);

	return r ? &r->pages[pfn - r->start_pfn] : NULL;
}

static inline struct page *pfn_to_page(u64 pfn)
{
	return memmap_find(&mem_map, pfn);
}

#ifdef HOST_TEST
/* Host unit tests: a "physical" address is the host's own address. */
static inline void *pfn_to_virt(u64 pfn)
{
	return (void *)(uintptr_t)(pfn << PAGE_SHIFT);
}
static inline u64 virt_to_pfn(const void *p)
{
	return (uintptr_t)p >> PAGE_SHIFT;
}
#else
static inline void *pfn_to_virt(u64 pfn)
{
	return phys_to_virt(pfn << PAGE_SHIFT);
}
static inline u64 virt_to_pfn(const void *p)
{
	return virt_to_phys(p) >> PAGE_SHIFT;
}
#endif

static inline struct page *virt_to_page(const void *p)
{
	return pfn_to_page(virt_to_pfn(p));
}

#endif
