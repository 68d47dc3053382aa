/*
 * Memory benchmarks, printed and not asserted (bench/mm.md):
 *   test=mm_bench slab_debug=0     the allocators as they run normally
 *   test=mm_bench                  with the slab debug checks
 * Each line: "BENCH mm <what> <ns> ns/op".
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/lib/log.h"
#include "kernel/time/clock.h"

#define ROUNDS 20000

static void bench_line(const char *what, u64 ns, u64 ops)
{
	pr_notice("BENCH mm %s %lu ns/op (slab_debug %s)\n", what,
		  (unsigned long)(ns / ops), kmalloc_debug_enabled() ? "on" : "off");
}

static void bench_kmalloc(size_t size, const char *what)
{
	u64 t = ktime_get();

	for (int i = 0; i < ROUNDS; i++)
		kfree(kmalloc(size, GFP_KERNEL));
	bench_line(what, ktime_get() - t, ROUNDS);
}

static void bench_pmm(unsigned order, const char *what)
{
	u64 t = ktime_get();

	for (int i = 0; i < ROUNDS; i++)
		pmm_free(pmm_alloc(order), order);
	bench_line(what, ktime_get() - t, ROUNDS);
}

KTEST_MANUAL(mm_bench)
{
	struct kmem_cache *c = kmem_cache_create("bench", 48, 16);
	void *held[64];
	u64 t;

	KT_ASSERT(c != NULL);
	bench_kmalloc(64, "kmalloc+kfree/64B");
	bench_kmalloc(512, "kmalloc+kfree/512B");
	bench_kmalloc(8192, "kmalloc+kfree/8KiB(frames)");

	t = ktime_get();
	for (int i = 0; i < ROUNDS; i++)
		kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	bench_line("kmem_cache_alloc+free/48B", ktime_get() - t, ROUNDS);

	/* A batch of 64 live objects at a time: slabs fill and drain. */
	t = ktime_get();
	for (int i = 0; i < ROUNDS / 64; i++) {
		for (int k = 0; k < 64; k++)
			held[k] = kmalloc(128, GFP_KERNEL);
		for (int k = 0; k < 64; k++)
			kfree(held[k]);
	}
	bench_line("kmalloc+kfree/128B,batch64", ktime_get() - t, ROUNDS / 64 * 64);

	bench_pmm(0, "pmm_alloc+free/order0");
	bench_pmm(4, "pmm_alloc+free/order4");
	bench_pmm(PMM_MAX_ORDER, "pmm_alloc+free/order10");

	t = ktime_get();
	for (int i = 0; i < ROUNDS / 10; i++)
		kstack_free(kstack_alloc());
	bench_line("kstack_alloc+free", ktime_get() - t, ROUNDS / 10);

	t = ktime_get();
	for (int i = 0; i < ROUNDS / 10; i++) {
		phys_addr_t pa = pmm_alloc(0);

		vmm_map(&kernel_as, KSTACK_AREA_BASE + KSTACK_AREA_SIZE - PAGE_SIZE, pa,
			PAGE_SIZE, VM_READ | VM_WRITE | VM_OWNED);
		vmm_unmap(&kernel_as, KSTACK_AREA_BASE + KSTACK_AREA_SIZE - PAGE_SIZE, PAGE_SIZE);
	}
	bench_line("vmm_map+unmap/4KiB", ktime_get() - t, ROUNDS / 10);
}
