/* kmalloc and slab caches in the kernel, debug mode included. */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

/* The log since *pos (tests read what a report printed). */
static const char *log_since(u64 *pos)
{
	static char buf[8192];
	size_t n = log_read(pos, buf, sizeof(buf) - 1);

	buf[n] = '\0';
	return buf;
}

static u64 log_now(void)
{
	static char sink[512];
	u64 pos = 0;

	while (log_read(&pos, sink, sizeof(sink)))
		;
	return pos;
}

KTEST(mm_kmalloc_sizes_and_alignment)
{
	static const size_t sizes[] = { 0, 1, 8, 13, 16, 17, 64, 95, 100, 192,
					1000, 2048, 2049, 4096, 5000, 65536, 1 << 20 };
	void *p[ARRAY_SIZE(sizes)];
	u64 base;
	bool bad = false;

	kmalloc_shrink();
	base = pmm_free_count();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];

		p[i] = kmalloc(n, GFP_KERNEL);
		if (!p[i]) {
			bad = true;
			continue;
		}
		bad |= ((uintptr_t)p[i] & (n >= 16 ? 15 : 7)) != 0;
		bad |= n > 2048 && ((uintptr_t)p[i] & (PAGE_SIZE - 1));
		memset(p[i], 0xa5, n ? n : 1);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		for (size_t j = 0; j < i; j++)
			bad |= p[i] && p[i] == p[j];
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(p[i]);
	kfree(NULL);
	KT_ASSERT(!bad);
	KT_ASSERT(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	kmalloc_shrink();
	KT_ASSERT_EQ(pmm_free_count(), base);
}

KTEST(mm_kzalloc_zeroes)
{
	u8 *p = kmalloc(200, GFP_KERNEL), *q;
	bool zero = true;

	KT_ASSERT(p);
	memset(p, 0xff, 200);
	kfree(p);
	q = kzalloc(200, GFP_ATOMIC);
	KT_ASSERT(q);
	for (int i = 0; i < 200; i++)
		zero &= q[i] == 0;
	kfree(q);
	KT_ASSERT(zero);
	q = kzalloc(3 * PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(q && q[0] == 0 && q[3 * PAGE_SIZE - 1] == 0);
	kfree(q);
}

struct thing {
	u64 a, b;
	u8 c[40];
};

KTEST(mm_kmem_cache_roundtrip)
{
	struct kmem_cache *c = kmem_cache_create("ktest_thing", sizeof(struct thing), 64);
	struct thing *t[100];
	bool ok = true;

	KT_ASSERT(c != NULL);
	for (int i = 0; i < 100; i++) {
		t[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ok &= t[i] && ((uintptr_t)t[i] & 63) == 0;
		if (t[i])
			t[i]->a = (u64)i;
	}
	for (int i = 0; i < 100; i++) {
		ok &= t[i] && t[i]->a == (u64)i;
		kmem_cache_free(c, t[i]);
	}
	KT_ASSERT(ok);
	KT_ASSERT(kmem_cache_create("bad", 64, 48) == NULL);
}

KTEST(mm_kfree_of_a_stranger_is_reported)
{
	static u8 not_heap[64];
	u64 before = kmalloc_debug_reports(), pos = log_now();
	u8 *p = kmalloc(4 * PAGE_SIZE, GFP_KERNEL);

	KT_ASSERT(p);
	kfree(not_heap);                        /* kernel image */
	kfree(p + PAGE_SIZE);                   /* inside a large block */
	kfree(p);
	KT_ASSERT_EQ(kmalloc_debug_reports(), before + 2);
	KT_ASSERT_STR_CONTAINS(log_since(&pos), "kfree of a pointer");
}

/* The debug checks, which `test` turns on. */

KTEST(mm_slab_debug_catches_overflow)
{
	u64 before = kmalloc_debug_reports(), pos = log_now();
	volatile u8 *p = kmalloc(13, GFP_KERNEL);
	const char *log;

	KT_ASSERT(kmalloc_debug_enabled());
	KT_ASSERT(p);
	p[13] = 0;                              /* one past what was asked */
	kfree((void *)p);
	log = log_since(&pos);
	KT_ASSERT_EQ(kmalloc_debug_reports(), before + 1);
	KT_ASSERT_STR_CONTAINS(log, "slab: BUG: out-of-bounds write (red zone overwritten) in kmalloc-16");
	KT_ASSERT_STR_CONTAINS(log, "first bad byte at object+13 (object size 16, asked for 13)");
	KT_ASSERT_STR_CONTAINS(log, "last allocated by ktest_fn_mm_slab_debug_catches_overflow+0x");
	KT_ASSERT_STR_CONTAINS(log, "Call trace:");
}

KTEST(mm_slab_debug_catches_use_after_free)
{
	u64 before = kmalloc_debug_reports(), pos = log_now();
	volatile u8 *p = kmalloc(100, GFP_KERNEL), *q;
	const char *log;

	KT_ASSERT(p);
	kfree((void *)p);
	p[50] = 1;                              /* write after free */
	q = kmalloc(100, GFP_KERNEL);           /* the same object comes back */
	log = log_since(&pos);
	kfree((void *)q);
	KT_ASSERT(q == p);
	KT_ASSERT_EQ(kmalloc_debug_reports(), before + 1);
	KT_ASSERT_STR_CONTAINS(log, "slab: BUG: use-after-free write in kmalloc-128");
	KT_ASSERT_STR_CONTAINS(log, "first bad byte at object+50");
	KT_ASSERT_STR_CONTAINS(log, "last freed by ktest_fn_mm_slab_debug_catches_use_after_free+0x");
}

KTEST(mm_slab_debug_catches_double_free)
{
	u64 before = kmalloc_debug_reports(), pos = log_now();
	void *p = kmalloc(32, GFP_KERNEL), *q, *r;

	KT_ASSERT(p);
	kfree(p);
	kfree(p);
	KT_ASSERT_EQ(kmalloc_debug_reports(), before + 1);
	KT_ASSERT_STR_CONTAINS(log_since(&pos), "slab: BUG: double free in kmalloc-32");
	/* Ignored, not absorbed: the object is handed out once. */
	q = kmalloc(32, GFP_KERNEL);
	r = kmalloc(32, GFP_KERNEL);
	kfree(q);
	kfree(r);
	KT_ASSERT(q != r);
}
