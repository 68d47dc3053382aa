/*
 * Ranges of kernel virtual addresses: a pool hands out page-aligned pieces
 * of a fixed window (kernel stacks, ioremap). Only addresses: mapping is
 * the caller's business. Every range, used or free, is a node on one
 * address-ordered list; allocation is first fit, and freeing merges free
 * neighbours, so the list stays as short as the pool's fragmentation.
 */
#ifndef VIREO_MM_VMAREA_H
#define VIREO_MM_VMAREA_H

#include "kernel/lib/list.h"
#include "kernel/sched/spinlock.h"

struct vmarea_pool {
	struct spinlock lock;           /* the list and every node on it */
	struct list_node ranges;
};

/* Returns 0 or -ENOMEM. */
int vmarea_pool_init(struct vmarea_pool *p, uintptr_t base, size_t size);

/* size bytes starting at a multiple of align (both multiples of
 * PAGE_SIZE, align a power of two). Returns the address, or 0. */
uintptr_t vmarea_alloc(struct vmarea_pool *p, size_t size, size_t align);

/* The used range containing addr: its start and size, or 0. */
uintptr_t vmarea_find(struct vmarea_pool *p, uintptr_t addr, size_t *size);

/* Free the used range starting at start. Returns 0 or -ENOENT. */
int vmarea_free(struct vmarea_pool *p, uintptr_t start);

#endif
