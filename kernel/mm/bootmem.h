/*
 * Boot-time memory bookkeeping, before the buddy allocator exists.
 *
 * The loader's memory map may be unsorted, overlapping and unaligned.
 * bootmem_set_map() turns it into sorted, disjoint, page-aligned ranges,
 * one type each: where regions overlap the stricter type wins (anything
 * beats RAM, reserved beats everything), RAM shrinks to whole pages and
 * other types grow to whole pages, so a frame is RAM only if all of it is.
 *
 * Frames that must never be handed out (the first MiB, the kernel image,
 * boot modules, ACPI tables, early page tables, the frame descriptors) are
 * recorded with bootmem_reserve() or taken with bootmem_alloc(); pmm_init()
 * then gives every other RAM frame to the buddy allocator.
 *
 * Pure logic on fixed arrays (there is no allocator yet); used during boot
 * by one CPU, so no locks. Host tests: tests/unit/test_bootmem.c.
 */
#ifndef VIREO_MM_BOOTMEM_H
#define VIREO_MM_BOOTMEM_H

#include "kernel/boot/boot_info.h"

#define BOOTMEM_MAP_MAX      (2 * BOOT_MEM_MAX)
#define BOOTMEM_RESERVED_MAX 128
/* The architectural limit of x86-64 physical addresses (52 bits). */
#define BOOTMEM_PHYS_LIMIT   (1ULL << 52)

struct bootmem_range {
	u64 base, end;                  /* [base, end), page-aligned */
	u32 type;                       /* enum boot_mem_type */
};

struct bootmem {
	struct bootmem_range map[BOOTMEM_MAP_MAX];
	u32 nr_map;
	struct bootmem_range rsv[BOOTMEM_RESERVED_MAX];  /* sorted, merged */
	u32 nr_rsv;
};

/* Sanitize the loader's map into bm->map (see above). Types the ACPI
 * numbering does not define count as reserved; empty regions vanish. */
void bootmem_set_map(struct bootmem *bm, const struct boot_mem_region *r, u32 n);

/* Keep [base, base + len), widened to whole pages, from the buddy.
 * Returns 0 or -ENOSPC when the table is full. */
int bootmem_reserve(struct bootmem *bm, u64 base, u64 len);

/* Take size bytes of RAM aligned to align (a power of two, at least a
 * page), ending at or below limit, lowest address first. Returns the
 * physical address or 0. The memory is not zeroed (it may not be mapped). */
u64 bootmem_alloc(struct bootmem *bm, u64 size, u64 align, u64 limit);

/* Call fn for each stretch of RAM that is not reserved, in order. */
void bootmem_for_each_free(const struct bootmem *bm,
			   void (*fn)(u64 base, u64 end, void *arg), void *arg);

/* Bytes of RAM in the sanitized map. */
u64 bootmem_ram_bytes(const struct bootmem *bm);

#endif
