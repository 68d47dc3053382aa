/*
 * kmalloc and slab caches for the kernel: locking, size classes, large
 * allocations, and the platform side of slab.c (frames from pmm, bug
 * reports to the log).
 *
 * Each cache's lock is taken with interrupts off, so GFP_ATOMIC callers
 * in interrupt handlers are safe. Lock order: cache lock, then the pmm
 * lock (a cache may need a new slab), then the log lock (reports).
 */
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/slab.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

/* Size classes served by slabs; larger requests take whole frames. */
static const u32 kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048,
};
#define KMALLOC_CLASSES ARRAY_SIZE(kmalloc_sizes)
#define KMALLOC_SLAB_MAX 2048

static const char *const kmalloc_names[KMALLOC_CLASSES] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	"kmalloc-1024", "kmalloc-2048",
};

static struct kmem_cache kmalloc_caches[KMALLOC_CLASSES];
static bool slab_debug;
static u64 debug_reports;

/* Every cache, for kmalloc_shrink(). */
static struct list_node all_caches = LIST_INIT(all_caches);
static struct spinlock all_caches_lock = SPINLOCK_INIT("kmem_caches");

static void cache_register(struct kmem_cache *c)
{
	unsigned long flags = spin_lock_irqsave(&all_caches_lock);

	list_add_tail(&c->link, &all_caches);
	spin_unlock_irqrestore(&all_caches_lock, flags);
}

void kmalloc_init(bool debug)
{
	slab_debug = debug;
	for (size_t i = 0; i < KMALLOC_CLASSES; i++) {
		struct kmem_cache *c = &kmalloc_caches[i];

		if (slab_cache_init(c, kmalloc_names[i], kmalloc_sizes[i],
				    MIN(kmalloc_sizes[i], 16u), debug))
			panic("kmalloc: cannot set up %s", kmalloc_names[i]);
		cache_register(c);
	}
}

bool kmalloc_debug_enabled(void)
{
	return slab_debug;
}

u64 kmalloc_debug_reports(void)
{
	return __atomic_load_n(&debug_reports, __ATOMIC_RELAXED);
}

/* ---- slab.c's platform ----------------------------------------------------- */

void *slab_platform_alloc(unsigned order, gfp_t flags)
{
	phys_addr_t pa = pmm_alloc(order);

	return pa ? phys_to_virt(pa) : NULL;
}

void slab_platform_free(void *p, unsigned order)
{
	pmm_free(virt_to_phys(p), order);
}

static const char *const bug_names[SLAB_BUG_KINDS] = {
	[SLAB_BUG_DOUBLE_FREE] = "double free",
	[SLAB_BUG_INVALID_FREE] = "free of a pointer that is not an object",
	[SLAB_BUG_WRONG_CACHE] = "object freed to the wrong cache",
	[SLAB_BUG_OVERFLOW] = "out-of-bounds write (red zone overwritten)",
	[SLAB_BUG_USE_AFTER_FREE] = "use-after-free write",
	[SLAB_BUG_CORRUPT] = "corrupted object metadata",
};

static void report_header(const char *what, const char *cache, const void *obj)
{
	__atomic_fetch_add(&debug_reports, 1, __ATOMIC_RELAXED);
	pr_err("slab: BUG: %s in %s, object %p\n", what, cache, obj);
}

void slab_platform_report(enum slab_bug bug, const struct kmem_cache *c,
			  const void *obj, long offset, const struct slab_meta *meta)
{
	char sym[128];

	report_header(bug_names[bug], c->name, obj);
	if (bug == SLAB_BUG_OVERFLOW || bug == SLAB_BUG_USE_AFTER_FREE)
		pr_err("slab: first bad byte at object%+ld (object size %u, asked for %u)\n",
		       offset, c->size, meta ? meta->req : c->size);
	if (meta && meta->alloc_ip) {
		ksym_format(meta->alloc_ip, sym, sizeof(sym));
		pr_err("slab: last allocated by %s\n", sym);
	}
	if (meta && meta->free_ip) {
		ksym_format(meta->free_ip, sym, sizeof(sym));
		pr_err("slab: last freed by %s\n", sym);
	}
	backtrace_print(&log_sink, (u64)__builtin_frame_address(0));
}

/* ---- kmalloc ---------------------------------------------------------------- */

static struct kmem_cache *kmalloc_cache(size_t size)
{
	for (size_t i = 0; i < KMALLOC_CLASSES; i++)
		if (size <= kmalloc_sizes[i])
			return &kmalloc_caches[i];
	return NULL;
}

static void *cache_alloc(struct kmem_cache *c, gfp_t flags, size_t req, u64 ip)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);
	void *p = slab_alloc(c, flags, req, ip);

	spin_unlock_irqrestore(&c->lock, irq);
	if (p && (flags & __GFP_ZERO))
		memset(p, 0, req);
	return p;
}

static void *large_alloc(size_t size, gfp_t flags)
{
	unsigned order = 0;
	phys_addr_t pa;
	struct page *pg;

	while (((size_t)PAGE_SIZE << order) < size)
		order++;
	pa = pmm_alloc(order);
	if (!pa)
		return NULL;
	pg = pfn_to_page(pa >> PAGE_SHIFT);
	pg->flags |= PG_LARGE;
	pg->order = (u8)order;
	if (flags & __GFP_ZERO)
		memset(phys_to_virt(pa), 0, size);
	return phys_to_virt(pa);
}

void *kmalloc(size_t size, gfp_t flags)
{
	u64 ip = (u64)__builtin_return_address(0);

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	if (size > KMALLOC_SLAB_MAX)
		return large_alloc(size, flags);
	return cache_alloc(kmalloc_cache(size ? size : 1), flags, size ? size : 1, ip);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static void bad_free(const void *p, const char *what)
{
	report_header(what, "kfree", p);
	backtrace_print(&log_sink, (u64)__builtin_frame_address(0));
}

void kfree(const void *p)
{
	u64 ip = (u64)__builtin_return_address(0);
	uintptr_t a = (uintptr_t)p;
	struct page *pg;
	struct slab *s;

	if (!p)
		return;
	if (a < DIRECT_MAP_BASE || a >= DIRECT_MAP_BASE + DIRECT_MAP_SIZE ||
	    !(pg = virt_to_page(p))) {
		bad_free(p, "kfree of a pointer outside the heap");
		return;
	}
	s = (pg->flags & PG_SLAB) ? pg->slab : NULL;
	if (s) {
		struct kmem_cache *c = s->cache;
		unsigned long irq = spin_lock_irqsave(&c->lock);

		slab_free(NULL, s, (void *)p, ip);
		spin_unlock_irqrestore(&c->lock, irq);
		return;
	}
	if ((pg->flags & PG_LARGE) && !(a & (PAGE_SIZE - 1))) {
		pg->flags &= (u8)~PG_LARGE;
		pmm_free(virt_to_phys(p), pg->order);
		return;
	}
	bad_free(p, "kfree of a pointer kmalloc did not return");
}

void kmalloc_shrink(void)
{
	unsigned long flags = spin_lock_irqsave(&all_caches_lock);
	struct kmem_cache *c;

	list_for_each_entry(c, &all_caches, link) {
		unsigned long irq = spin_lock_irqsave(&c->lock);

		slab_shrink(c);
		spin_unlock_irqrestore(&c->lock, irq);
	}
	spin_unlock_irqrestore(&all_caches_lock, flags);
}

/* ---- caches --------------------------------------------------------------------- */

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	struct kmem_cache *c = kmalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	if (slab_cache_init(c, name, size, align, slab_debug)) {
		kfree(c);
		return NULL;
	}
	cache_register(c);
	return c;
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags)
{
	return cache_alloc(c, flags, c->size, (u64)__builtin_return_address(0));
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	u64 ip = (u64)__builtin_return_address(0);
	struct slab *s;
	unsigned long irq;

	if (!obj)
		return;
	s = slab_of(obj);
	if (!s) {
		bad_free(obj, "kmem_cache_free of a pointer outside any slab");
		return;
	}
	irq = spin_lock_irqsave(&c->lock);
	slab_free(c, s, obj, ip);
	spin_unlock_irqrestore(&c->lock, irq);
}
