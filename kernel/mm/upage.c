/* Shared frames (see upage.h). */
#include "kernel/mm/upage.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

static struct page *upage(phys_addr_t pa)
{
	struct page *pg = pfn_to_page(pa >> PAGE_SHIFT);

	BUG_ON(!pg);
	return pg;
}

phys_addr_t upage_alloc(void)
{
	phys_addr_t pa = pmm_alloc(0);

	if (!pa)
		return 0;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	__atomic_store_n(&upage(pa)->refs, 1, __ATOMIC_RELAXED);
	return pa;
}

void upage_get(phys_addr_t pa)
{
	__atomic_add_fetch(&upage(pa)->refs, 1, __ATOMIC_RELAXED);
}

void upage_put(phys_addr_t pa, bool exec)
{
	struct page *pg = upage(pa);
	u64 *w;

	/* The buddy allocator leaves an allocated frame's flags alone, and
	 * other holders may mark it at the same time: atomic. */
	if (exec)
		__atomic_or_fetch(&pg->flags, PG_TEXT, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&pg->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (__atomic_load_n(&pg->flags, __ATOMIC_RELAXED) & PG_TEXT) {
		/* Word stores: memset's rep stosb is slower under TCG. */
		w = phys_to_virt(pa);
		for (size_t i = 0; i < PAGE_SIZE / sizeof(*w); i++)
			w[i] = 0;
		__atomic_and_fetch(&pg->flags, (u8)~PG_TEXT, __ATOMIC_RELAXED);
	}
	pmm_free(pa, 0);
}

u32 upage_refs(phys_addr_t pa)
{
	return __atomic_load_n(&upage(pa)->refs, __ATOMIC_ACQUIRE);
}
