/* MMIO mappings (see ioremap.h). */
#include "kernel/mm/ioremap.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/page.h"
#include "kernel/mm/vmarea.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/log.h"

#define LARGE_PAGE (2ULL << 20)

static struct vmarea_pool io_pool;

void ioremap_init(void)
{
	if (vmarea_pool_init(&io_pool, IOREMAP_BASE, IOREMAP_SIZE))
		panic("mm: no memory for the ioremap pool");
}

/* Does [start, end) overlap RAM (frames with descriptors)? */
static bool range_has_ram(u64 start_pfn, u64 end_pfn)
{
	for (u32 i = 0; i < mem_map.nr; i++)
		if (mem_map.range[i].start_pfn < end_pfn &&
		    start_pfn < mem_map.range[i].end_pfn)
			return true;
	return false;
}

void __iomem *ioremap(phys_addr_t pa, size_t len)
{
	phys_addr_t base = ALIGN_DOWN(pa, (phys_addr_t)PAGE_SIZE);
	phys_addr_t end = ALIGN_UP(pa + len, (phys_addr_t)PAGE_SIZE);
	size_t size = end - base, lead = 0;
	uintptr_t va;

	if (!len || end <= base)
		return NULL;
	if (range_has_ram(base >> PAGE_SHIFT, end >> PAGE_SHIFT)) {
		pr_warn("ioremap: [%#lx-%#lx] is RAM; refused\n", (unsigned long)pa,
			(unsigned long)(pa + len - 1));
		return NULL;
	}
	/* Same offset within 2 MiB on both sides, so vmm_map can use large
	 * pages for the aligned middle of a big BAR. */
	if (size >= LARGE_PAGE)
		lead = base & (LARGE_PAGE - 1);
	va = vmarea_alloc(&io_pool, lead + size, size >= LARGE_PAGE ? LARGE_PAGE : PAGE_SIZE);
	if (!va)
		return NULL;
	if (vmm_map(&kernel_as, va + lead, base, size,
		    VM_READ | VM_WRITE | VM_UNCACHED)) {
		vmarea_free(&io_pool, va);
		return NULL;
	}
	return (void __iomem *)(va + lead + (pa - base));
}

void iounmap(volatile void __iomem *p)
{
	size_t size;
	uintptr_t start;

	if (!p)
		return;
	start = vmarea_find(&io_pool, (uintptr_t)p, &size);
	if (!start) {
		pr_err("ioremap: BUG: iounmap of %p, which ioremap did not return\n",
		       (void *)p);
		backtrace_print(&log_sink, (u64)__builtin_frame_address(0));
		return;
	}
	vmm_unmap(&kernel_as, start, size);
	vmarea_free(&io_pool, start);
}
