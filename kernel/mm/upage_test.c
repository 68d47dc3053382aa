/* Shared frames (upage.h): references, and the scrub of a frame that was
 * mapped executable. */
#include "kernel/mm/upage.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/string.h"
#include "kernel/test/ktest.h"

static bool all_bytes(const u8 *p, u8 v)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != v)
			return false;
	return true;
}

KTEST(upage_refs_free_on_last_put)
{
	u64 before = pmm_free_count();
	phys_addr_t pa = upage_alloc();

	KT_ASSERT(pa);
	KT_ASSERT_EQ(upage_refs(pa), 1);
	KT_ASSERT(all_bytes(phys_to_virt(pa), 0));
	upage_get(pa);
	upage_get(pa);
	KT_ASSERT_EQ(upage_refs(pa), 3);
	upage_put(pa, false);
	upage_put(pa, false);
	KT_ASSERT_EQ(upage_refs(pa), 1);
	KT_ASSERT_EQ(pmm_free_count(), before - 1);
	upage_put(pa, false);
	KT_ASSERT_EQ(pmm_free_count(), before);
}

/* Regression: a file page that a process executed and that its file
 * system frees later (truncate, unlink) must be scrubbed like a private
 * one, though the last reference is not a mapping's. */
KTEST(upage_text_mark_survives_until_last_put)
{
	phys_addr_t pa = upage_alloc();
	u8 *p;

	KT_ASSERT(pa);
	p = phys_to_virt(pa);
	memset(p, 0xc3, PAGE_SIZE);
	upage_get(pa);                  /* a mapping, beside the "file" */
	upage_put(pa, true);            /* which had it executable */
	KT_ASSERT_EQ(upage_refs(pa), 1);
	KT_ASSERT(pfn_to_page(pa >> PAGE_SHIFT)->flags & PG_TEXT);
	KT_ASSERT(all_bytes(p, 0xc3));  /* still in use: untouched */
	upage_put(pa, false);           /* the file lets go */
	/* Freed: scrubbed, and the mark does not outlive the frame. */
	KT_ASSERT(all_bytes(p, 0));
	KT_ASSERT(!(pfn_to_page(pa >> PAGE_SHIFT)->flags & PG_TEXT));
}
