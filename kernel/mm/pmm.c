/*
 * The physical frame allocator: frame descriptors for every RAM range,
 * and the buddy allocator under one lock (see pmm.h).
 */
#include "kernel/mm/pmm.h"
#include "kernel/mm/buddy.h"
#include "kernel/mm/internal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/sched/spinlock.h"

static struct buddy buddy;
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");    /* buddy */
static u64 ram_frames;
static phys_addr_t trampoline_page;

phys_addr_t pmm_alloc(unsigned order)
{
	unsigned long flags;
	u64 pfn;

	if (order > PMM_MAX_ORDER)
		return 0;
	flags = spin_lock_irqsave(&pmm_lock);
	pfn = buddy_alloc(&buddy, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pfn == PFN_NONE ? 0 : pfn << PAGE_SHIFT;
}

void pmm_free(phys_addr_t pa, unsigned order)
{
	unsigned long flags;
	int err;

	flags = spin_lock_irqsave(&pmm_lock);
	err = (pa & (PAGE_SIZE - 1)) ? -EINVAL : buddy_free(&buddy, pa >> PAGE_SHIFT, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	if (err) {
		pr_err("pmm: BUG: freeing %#lx order %u: %s\n", (unsigned long)pa, order,
		       err == -EALREADY ? "already free" :
		       err == -ENOENT ? "not a frame the allocator owns" :
		       "misaligned or bad order");
		backtrace_print(&log_sink, (u64)__builtin_frame_address(0));
	}
}

u64 pmm_free_count(void)
{
	return READ_ONCE(buddy.free_frames);
}

u64 pmm_total_count(void)
{
	return buddy.total_frames;
}

u64 pmm_ram_count(void)
{
	return ram_frames;
}

phys_addr_t pmm_low_trampoline_page(void)
{
	return trampoline_page;
}

/* The highest page of RAM below 640 KiB that nothing else uses (the top
 * of conventional memory, as real-mode code expects; page 0 holds the
 * real-mode interrupt table). Call before the first MiB is reserved. */
static phys_addr_t pick_trampoline(const struct bootmem *bm)
{
	for (phys_addr_t pa = 0x9f000; pa >= PAGE_SIZE; pa -= PAGE_SIZE) {
		bool ram = false, taken = false;

		for (u32 i = 0; i < bm->nr_map; i++)
			if (bm->map[i].type == BOOT_MEM_RAM && bm->map[i].base <= pa &&
			    pa + PAGE_SIZE <= bm->map[i].end)
				ram = true;
		for (u32 i = 0; i < bm->nr_rsv; i++)
			if (bm->rsv[i].base < pa + PAGE_SIZE && pa < bm->rsv[i].end)
				taken = true;
		if (ram && !taken)
			return pa;
	}
	return 0;
}

void pmm_reserve_low(struct bootmem *bm)
{
	trampoline_page = pick_trampoline(bm);
	if (!trampoline_page)
		pr_warn("pmm: no free RAM page below 640 KiB for the SMP trampoline\n");
	/* The first MiB: real-mode tables, BIOS areas, firmware leftovers. */
	if (bootmem_reserve(bm, 0, 1 << 20))
		panic("pmm: boot reservation table full");
}

static void add_free(u64 base, u64 end, void *arg)
{
	if (buddy_add(&buddy, base >> PAGE_SHIFT, end >> PAGE_SHIFT))
		panic("pmm: cannot hand [%#lx-%#lx] to the buddy allocator",
		      (unsigned long)base, (unsigned long)end);
}

void pmm_init(struct bootmem *bm)
{
	buddy_init(&buddy, &mem_map);
	/* One descriptor array per RAM range, every frame reserved... */
	for (u32 i = 0; i < bm->nr_map; i++) {
		const struct bootmem_range *r = &bm->map[i];
		u64 n = (r->end - r->base) >> PAGE_SHIFT;
		phys_addr_t pa;
		struct page *pages;

		if (r->type != BOOT_MEM_RAM)
			continue;
		ram_frames += n;
		pa = bootmem_alloc(bm, n * sizeof(struct page), PAGE_SIZE, ~0ULL);
		if (!pa)
			panic("pmm: no memory for %lu frame descriptors", (unsigned long)n);
		pages = phys_to_virt(pa);
		/* One store per descriptor: this touches every frame's. */
		for (u64 k = 0; k < n; k++)
			pages[k] = (struct page){ .flags = PG_RESERVED };
		if (memmap_add(&mem_map, r->base >> PAGE_SHIFT, r->end >> PAGE_SHIFT, pages))
			panic("pmm: too many RAM ranges");
	}
	/* ...then every frame bootmem did not keep goes to the buddy. */
	bootmem_for_each_free(bm, add_free, NULL);
}
