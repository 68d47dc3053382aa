/*
 * /proc/meminfo, from the frame allocator's counters. Vireo has no swap,
 * and no page or buffer cache in the frame allocator's view yet, so those
 * lines are honest zeros; "free" computes used = total - free - buffers -
 * cache from exactly these lines.
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/pmm.h"

/* Linux's show_val_kb layout: the name padded to 16 columns, the value
 * right-aligned in 8, then " kB". */
static void meminfo_kb(struct pfs_buf *b, const char *name, u64 frames)
{
	pfs_printf(b, "%-16s%8llu kB\n", name,
		   (unsigned long long)(frames * (PAGE_SIZE / 1024)));
}

int procfs_show_meminfo(struct pfs_buf *b)
{
	u64 total = pmm_total_count(), free = pmm_free_count();

	meminfo_kb(b, "MemTotal:", total);
	meminfo_kb(b, "MemFree:", free);
	meminfo_kb(b, "MemAvailable:", free);
	meminfo_kb(b, "Buffers:", 0);
	meminfo_kb(b, "Cached:", 0);
	meminfo_kb(b, "SwapCached:", 0);
	meminfo_kb(b, "SwapTotal:", 0);
	meminfo_kb(b, "SwapFree:", 0);
	meminfo_kb(b, "Shmem:", 0);
	return 0;
}
