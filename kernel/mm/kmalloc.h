/*
 * The kernel heap.
 *
 * kmalloc(size): 8 bytes to 4 MiB. Up to 2 KiB from slab caches of
 * power-of-two sizes (plus 96 and 192), 16-byte aligned (8 for 8-byte
 * objects); above 2 KiB whole frames straight from the buddy allocator,
 * page-aligned. kmalloc(0) returns a valid 8-byte object. Every
 * allocation can fail: NULL, never a panic. kfree(NULL) does nothing;
 * kfree of anything kmalloc did not return is reported and ignored.
 *
 * Slab caches hold fixed-size objects: kmem_cache_create(name, size,
 * align); name must outlive the cache (a string literal).
 *
 * gfp_t says what the caller's context allows. GFP_KERNEL may sleep to
 * find memory (process context, no spinlock held); GFP_ATOMIC never
 * sleeps (interrupt handlers, under spinlocks). There is no scheduler yet,
 * so today both only take what is free, but callers must pass the right
 * one: reclaim will wait for GFP_KERNEL callers only.
 *
 * Debug mode (slab_debug): freed objects are poisoned, every object has
 * red zones on both sides (the right one starts at the size the caller
 * asked for), and use-after-free writes, overflows, double and invalid
 * frees are reported with the object's last allocating and freeing
 * callers and the current call trace. It is on when
 * the command line has `test` (the in-kernel tests run with it) or
 * `slab_debug`/`slab_debug=1`, and off with `slab_debug=0`.
 */
#ifndef VIREO_MM_KMALLOC_H
#define VIREO_MM_KMALLOC_H

#include "kernel/lib/types.h"

typedef unsigned gfp_t;

#define __GFP_MAY_SLEEP 0x1u    /* the caller can wait for memory */
#define __GFP_ZERO      0x2u    /* zero the memory */

#define GFP_ATOMIC 0u
#define GFP_KERNEL __GFP_MAY_SLEEP

#define KMALLOC_MAX_SIZE (4u << 20)

void *kmalloc(size_t size, gfp_t flags);
void *kzalloc(size_t size, gfp_t flags);
void kfree(const void *p);

struct kmem_cache;

/* NULL if out of memory or if size/align are unusable (align must be a
 * power of two up to 4096; an object must fit in a 32 KiB slab). */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags);
void kmem_cache_free(struct kmem_cache *c, void *obj);

/* Return every cache's empty slabs to the frame allocator. */
void kmalloc_shrink(void);

bool kmalloc_debug_enabled(void);
/* Debug reports made since boot (tests check that a bug was caught). */
u64 kmalloc_debug_reports(void);

#endif
