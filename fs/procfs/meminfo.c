/*
 * /proc/meminfo, from the frame allocator's counters and the buffer
 * cache's size (Linux's "Buffers": cached disk blocks, which the cache
 * gives back when an allocation fails, so they count as available).
 * Vireo has no swap and no page cache: those lines are honest zeros.
 * busybox free takes total, free and buffers from sysinfo(2), which
 * procfs_fill_sysinfo fills from the same counters.
 */
#include "fs/procfs/internal.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/mm/pmm.h"
#include "vfs/buffer.h"
#include <linux/sysinfo.h>

/* Linux's show_val_kb layout: the name padded to 16 columns, the value
 * right-aligned in 8, then " kB". */
static void meminfo_kb(struct pfs_buf *b, const char *name, u64 frames)
{
	pfs_printf(b, "%-16s%8llu kB\n", name,
		   (unsigned long long)(frames * (PAGE_SIZE / 1024)));
}

static u64 buffer_frames(void)
{
	struct bcache_stats st;

	bcache_get_stats(&st);
	return st.bytes / PAGE_SIZE;
}

int procfs_show_meminfo(struct pfs_buf *b)
{
	u64 total = pmm_total_count(), free = pmm_free_count(), buf = buffer_frames();

	meminfo_kb(b, "MemTotal:", total);
	meminfo_kb(b, "MemFree:", free);
	meminfo_kb(b, "MemAvailable:", free + buf);
	meminfo_kb(b, "Buffers:", buf);
	meminfo_kb(b, "Cached:", 0);
	meminfo_kb(b, "SwapCached:", 0);
	meminfo_kb(b, "SwapTotal:", 0);
	meminfo_kb(b, "SwapFree:", 0);
	meminfo_kb(b, "Shmem:", 0);
	return 0;
}

void procfs_fill_sysinfo(struct sysinfo *s)
{
	u64 avg[3];

	procfs_load_averages(avg);
	for (int i = 0; i < 3; i++)
		s->loads[i] = (unsigned long)(avg[i] << (SI_LOAD_SHIFT - PROCFS_LOAD_FSHIFT));
	s->bufferram = (unsigned long)(buffer_frames() * (PAGE_SIZE / s->mem_unit));
}
