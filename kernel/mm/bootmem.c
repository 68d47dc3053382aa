/* Boot-time memory map and reservations (see bootmem.h). */
#include "kernel/mm/bootmem.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"

/* Overlap precedence: a higher rank wins. */
static unsigned type_rank(u32 type)
{
	switch (type) {
	case BOOT_MEM_RAM: return 1;
	case BOOT_MEM_ACPI: return 2;
	case BOOT_MEM_NVS: return 3;
	case BOOT_MEM_UNUSABLE: return 4;
	default: return 5;                      /* reserved and unknown types */
	}
}

static u32 type_normalize(u32 type)
{
	return type_rank(type) == 5 ? BOOT_MEM_RESERVED : type;
}

/* A region as whole pages: RAM rounded inward, the rest outward. Returns
 * false if nothing is left. */
static bool region_pages(const struct boot_mem_region *r, u64 *base, u64 *end)
{
	u64 b = r->base, e = r->base + r->len;

	if (!r->len || b >= BOOTMEM_PHYS_LIMIT)
		return false;
	if (e < b || e > BOOTMEM_PHYS_LIMIT)    /* wrapped or beyond the limit */
		e = BOOTMEM_PHYS_LIMIT;
	if (r->type == BOOT_MEM_RAM) {
		b = ALIGN_UP(b, (u64)PAGE_SIZE);
		e = ALIGN_DOWN(e, (u64)PAGE_SIZE);
	} else {
		b = ALIGN_DOWN(b, (u64)PAGE_SIZE);
		e = ALIGN_UP(e, (u64)PAGE_SIZE);
	}
	*base = b;
	*end = e;
	return b < e;
}

void bootmem_set_map(struct bootmem *bm, const struct boot_mem_region *r, u32 n)
{
	u64 bounds[2 * BOOT_MEM_MAX];
	u32 nb = 0;

	bm->nr_map = 0;
	n = MIN(n, (u32)BOOT_MEM_MAX);
	for (u32 i = 0; i < n; i++) {
		u64 b, e;

		if (region_pages(&r[i], &b, &e)) {
			bounds[nb++] = b;
			bounds[nb++] = e;
		}
	}
	/* Sort the boundaries (insertion sort: at most 256 of them, once). */
	for (u32 i = 1; i < nb; i++) {
		u64 v = bounds[i];
		u32 j = i;

		for (; j > 0 && bounds[j - 1] > v; j--)
			bounds[j] = bounds[j - 1];
		bounds[j] = v;
	}
	/* Each elementary interval takes the highest-ranked covering type. */
	for (u32 k = 0; k + 1 < nb; k++) {
		u64 lo = bounds[k], hi = bounds[k + 1];
		unsigned best = 0;
		u32 type = 0;

		if (lo == hi)
			continue;
		for (u32 i = 0; i < n; i++) {
			u64 b, e;

			if (region_pages(&r[i], &b, &e) && b <= lo && hi <= e &&
			    type_rank(r[i].type) > best) {
				best = type_rank(r[i].type);
				type = type_normalize(r[i].type);
			}
		}
		if (!best)
			continue;                       /* a hole */
		if (bm->nr_map && bm->map[bm->nr_map - 1].end == lo &&
		    bm->map[bm->nr_map - 1].type == type) {
			bm->map[bm->nr_map - 1].end = hi;
			continue;
		}
		bm->map[bm->nr_map++] = (struct bootmem_range){ lo, hi, type };
	}
}

int bootmem_reserve(struct bootmem *bm, u64 base, u64 len)
{
	u64 b = ALIGN_DOWN(base, (u64)PAGE_SIZE);
	u64 e = ALIGN_UP(base + len, (u64)PAGE_SIZE);
	u32 i, j;

	if (!len)
		return 0;
	/* First entry that ends at or after b: it may merge with [b, e). */
	for (i = 0; i < bm->nr_rsv && bm->rsv[i].end < b; i++)
		;
	/* Swallow every entry that touches [b, e). */
	for (j = i; j < bm->nr_rsv && bm->rsv[j].base <= e; j++) {
		b = MIN(b, bm->rsv[j].base);
		e = MAX(e, bm->rsv[j].end);
	}
	if (j == i) {
		if (bm->nr_rsv >= BOOTMEM_RESERVED_MAX)
			return -ENOSPC;
		for (u32 k = bm->nr_rsv; k > i; k--)
			bm->rsv[k] = bm->rsv[k - 1];
		bm->nr_rsv++;
	} else if (j > i + 1) {
		for (u32 k = 0; j + k < bm->nr_rsv; k++)
			bm->rsv[i + 1 + k] = bm->rsv[j + k];
		bm->nr_rsv -= j - i - 1;
	}
	bm->rsv[i] = (struct bootmem_range){ b, e, BOOT_MEM_RESERVED };
	return 0;
}

u64 bootmem_alloc(struct bootmem *bm, u64 size, u64 align, u64 limit)
{
	size = ALIGN_UP(size, (u64)PAGE_SIZE);
	align = MAX(align, (u64)PAGE_SIZE);
	for (u32 m = 0; m < bm->nr_map; m++) {
		const struct bootmem_range *ram = &bm->map[m];
		u64 end = MIN(ram->end, limit);
		u64 at = ALIGN_UP(ram->base, align);

		if (ram->type != BOOT_MEM_RAM)
			continue;
		/* Step over each reservation that overlaps the candidate. */
		for (u32 i = 0; i < bm->nr_rsv && at + size <= end; i++) {
			if (bm->rsv[i].end <= at)
				continue;
			if (bm->rsv[i].base >= at + size)
				break;
			at = ALIGN_UP(bm->rsv[i].end, align);
		}
		if (at && at + size <= end && !bootmem_reserve(bm, at, size))
			return at;
	}
	return 0;
}

void bootmem_for_each_free(const struct bootmem *bm,
			   void (*fn)(u64 base, u64 end, void *arg), void *arg)
{
	for (u32 m = 0; m < bm->nr_map; m++) {
		u64 at = bm->map[m].base, end = bm->map[m].end;

		if (bm->map[m].type != BOOT_MEM_RAM)
			continue;
		for (u32 i = 0; i < bm->nr_rsv && at < end; i++) {
			if (bm->rsv[i].end <= at)
				continue;
			if (bm->rsv[i].base >= end)
				break;
			if (bm->rsv[i].base > at)
				fn(at, bm->rsv[i].base, arg);
			at = bm->rsv[i].end;
		}
		if (at < end)
			fn(at, end, arg);
	}
}

u64 bootmem_ram_bytes(const struct bootmem *bm)
{
	u64 n = 0;

	for (u32 m = 0; m < bm->nr_map; m++)
		if (bm->map[m].type == BOOT_MEM_RAM)
			n += bm->map[m].end - bm->map[m].base;
	return n;
}
