/*
 * Frame descriptor lookup: a sorted table of RAM ranges, each with its own
 * array of struct page. Written only during boot (pmm_init), read without
 * locks afterwards.
 */
#include "kernel/mm/page.h"
#include "kernel/lib/errno.h"

struct memmap mem_map;

int memmap_add(struct memmap *m, u64 start_pfn, u64 end_pfn, struct page *pages)
{
	u32 i;

	if (start_pfn >= end_pfn)
		return -EINVAL;
	if (m->nr >= MEMMAP_MAX)
		return -ENOSPC;
	for (i = 0; i < m->nr && m->range[i].start_pfn < start_pfn; i++)
		;
	if ((i > 0 && m->range[i - 1].end_pfn > start_pfn) ||
	    (i < m->nr && m->range[i].start_pfn < end_pfn))
		return -EINVAL;
	for (u32 j = m->nr; j > i; j--)
		m->range[j] = m->range[j - 1];
	m->range[i] = (struct memmap_range){ start_pfn, end_pfn, pages };
	m->nr++;
	return 0;
}

const struct memmap_range *memmap_range_of(const struct memmap *m, u64 pfn)
{
	const struct memmap_range *r;
	u32 lo = 0, hi = m->nr;

	/* The last range starting at or below pfn is the only candidate. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (m->range[mid].start_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &m->range[lo - 1];
	return pfn < r->end_pfn ? r : NULL;
}
