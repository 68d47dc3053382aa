/*
 * Frame allocator tests: exhaustion and return to baseline, bad frees,
 * and that the memory manager found and mapped all the memory the
 * machine has (run with -m 64M and -m 4G by tests/run.py).
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/boot/boot_info.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include <linux/qemu_fw_cfg.h>

/*
 * Holding every frame of the machine: the blocks are recorded (address |
 * order) in the first block taken, so no other memory is needed, and
 * only the record's own pages are touched (first touch of guest RAM is
 * what costs under nested virtualization, ~5 ms per 2 MiB here).
 */
struct hoard {
	u64 *slot;
	u64 n, cap;
	phys_addr_t self;
	unsigned self_order;
};

static bool hoard_init(struct hoard *h)
{
	for (int order = PMM_MAX_ORDER; order >= 0; order--) {
		h->self = pmm_alloc((unsigned)order);
		if (h->self) {
			h->self_order = (unsigned)order;
			h->slot = phys_to_virt(h->self);
			h->cap = ((u64)PAGE_SIZE << order) / sizeof(u64);
			h->n = 0;
			return true;
		}
	}
	return false;
}

/* Take blocks of `order` until none is left or the record is full. */
static u64 hoard_take(struct hoard *h, unsigned order, bool *misaligned)
{
	u64 frames = 0;
	phys_addr_t pa;

	while (h->n < h->cap && (pa = pmm_alloc(order))) {
		*misaligned |= (pa & (((u64)PAGE_SIZE << order) - 1)) != 0;
		h->slot[h->n++] = pa | order;
		frames += 1ULL << order;
	}
	return frames;
}

static void hoard_release(struct hoard *h)
{
	while (h->n) {
		u64 v = h->slot[--h->n];

		pmm_free(v & ~(u64)(PAGE_SIZE - 1), (unsigned)(v & (PAGE_SIZE - 1)));
	}
	pmm_free(h->self, h->self_order);
}

/* Blocks of 4 MiB the allocator can give right now (then gives back). */
static u64 count_max_blocks(void)
{
	struct hoard h;
	bool misaligned = false;
	u64 n;

	if (!hoard_init(&h))
		return 0;
	n = (h.self_order == PMM_MAX_ORDER) +
	    (hoard_take(&h, PMM_MAX_ORDER, &misaligned) >> PMM_MAX_ORDER);
	hoard_release(&h);
	return n;
}

KTEST(mm_pmm_exhaust_all_frames)
{
	u64 base = pmm_free_count(), big_before = count_max_blocks(), got;
	u64 free_at_empty, after;
	struct hoard h;
	bool misaligned = false, alloc_fails, full;
	struct addr_space *as;
	void *k, *stack;

	KT_ASSERT(hoard_init(&h));
	/* Biggest blocks first, down to single frames: all of memory. */
	got = 1ULL << h.self_order;
	for (int order = PMM_MAX_ORDER; order >= 0; order--)
		got += hoard_take(&h, (unsigned)order, &misaligned);
	full = h.n == h.cap;

	/* Out of memory: every allocator fails cleanly. */
	free_at_empty = pmm_free_count();
	alloc_fails = pmm_alloc(0) == 0;
	k = kmalloc(8192, GFP_KERNEL);
	as = as_create();
	stack = kstack_alloc();
	kfree(k);
	as_destroy(as);
	kstack_free(stack);

	hoard_release(&h);
	after = pmm_free_count();

	pr_info("mm_pmm_exhaust_all_frames: %lu frames, %lu blocks of 4 MiB\n",
		(unsigned long)got, (unsigned long)big_before);
	KT_ASSERT(!full);
	KT_ASSERT(!misaligned);
	KT_ASSERT_EQ(got, base);
	KT_ASSERT_EQ(free_at_empty, 0);
	KT_ASSERT(alloc_fails);
	KT_ASSERT(k == NULL);
	KT_ASSERT(as == NULL);
	KT_ASSERT(stack == NULL);
	KT_ASSERT_EQ(after, base);
	/* Freed blocks merged back: as many 4 MiB blocks as before. */
	KT_ASSERT_EQ(count_max_blocks(), big_before);
	KT_ASSERT_EQ(pmm_free_count(), base);
}

KTEST(mm_pmm_bad_free_is_reported_and_ignored)
{
	phys_addr_t pa = pmm_alloc(1);
	u64 base;

	KT_ASSERT(pa);
	pmm_free(pa, 1);
	base = pmm_free_count();
	pmm_free(pa, 1);                        /* double free */
	pmm_free(pa + PAGE_SIZE, 0);            /* inside a free block */
	pmm_free(0x1000, 0);                    /* first MiB: never managed */
	pmm_free(pa + 8, 0);                    /* misaligned */
	KT_ASSERT_EQ(pmm_free_count(), base);
	KT_ASSERT(pmm_alloc(PMM_MAX_ORDER + 1) == 0);
}

KTEST(mm_pmm_trampoline_page_below_1m)
{
	phys_addr_t t = pmm_low_trampoline_page();
	phys_addr_t pa;
	unsigned prot;

	KT_ASSERT(t >= PAGE_SIZE && t < 0xa0000 && !(t & (PAGE_SIZE - 1)));
	/* It is RAM, direct-mapped and writable through the direct map. */
	KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)phys_to_virt(t), &pa, &prot), 0);
	KT_ASSERT_EQ(pa, t);
	KT_ASSERT(prot & VM_WRITE);
	KT_ASSERT(!(prot & VM_UNCACHED));
}

/* QEMU's fw_cfg (docs/specs/fw_cfg.rst): selector port 0x510, data port
 * 0x511. FW_CFG_RAM_SIZE is the -m value: an independent witness. */
#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511

static u64 fw_cfg_ram_size(void)
{
	char sig[4];
	u64 size = 0;

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_PORT_DATA);
	if (memcmp(sig, "QEMU", 4))
		return 0;
	outw(FW_CFG_PORT_SEL, FW_CFG_RAM_SIZE);
	for (int i = 0; i < 8; i++)
		size |= (u64)inb(FW_CFG_PORT_DATA) << (8 * i);
	return size;
}

KTEST(mm_finds_all_memory)
{
	u64 listed = 0, top = 0, qemu_ram = fw_cfg_ram_size();

	/* RAM pages the loader's map lists, counted here independently. */
	for (u32 i = 0; i < boot_info->nr_mem; i++) {
		const struct boot_mem_region *m = &boot_info->mem[i];
		u64 b = ALIGN_UP(m->base, (u64)PAGE_SIZE);
		u64 e = ALIGN_DOWN(m->base + m->len, (u64)PAGE_SIZE);

		if (m->type != BOOT_MEM_RAM || e <= b)
			continue;
		listed += (e - b) / PAGE_SIZE;
		top = MAX(top, e);
	}
	pr_info("mm_finds_all_memory: map lists %lu MiB of RAM up to %#lx; "
		"pmm has %lu frames of RAM, manages %lu; QEMU -m %lu MiB\n",
		(unsigned long)(listed >> 8), (unsigned long)top,
		(unsigned long)pmm_ram_count(), (unsigned long)pmm_total_count(),
		(unsigned long)(qemu_ram >> 20));
	KT_ASSERT_EQ(pmm_ram_count(), listed);
	/* What the kernel keeps is small: image, first MiB, descriptors
	 * (16 bytes a frame), page tables. */
	KT_ASSERT(pmm_total_count() < listed);
	KT_ASSERT(listed - pmm_total_count() < listed / 128 + 1024);
	/* The firmware lists all of -m but holes and what it keeps for
	 * itself: under 1 MiB with SeaBIOS, about 7 MiB with OVMF. */
	if (qemu_ram) {
		KT_ASSERT(listed * PAGE_SIZE <= qemu_ram);
		KT_ASSERT(listed * PAGE_SIZE > qemu_ram - MAX(qemu_ram / 32, 8ULL << 20));
	}
	/* Every RAM range is direct-mapped: first and last page, by table
	 * walk and by touching them. */
	for (u32 i = 0; i < mem_map.nr; i++) {
		u64 first = mem_map.range[i].start_pfn << PAGE_SHIFT;
		u64 last = (mem_map.range[i].end_pfn - 1) << PAGE_SHIFT;
		phys_addr_t pa;

		KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)phys_to_virt(first), &pa, NULL), 0);
		KT_ASSERT_EQ(pa, first);
		KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)phys_to_virt(last + 4095), &pa, NULL), 0);
		KT_ASSERT_EQ(pa, last + 4095);
		(void)READ_ONCE(*(u64 *)phys_to_virt(first));
		(void)READ_ONCE(*(u64 *)phys_to_virt(last + 4088));
	}
	KT_ASSERT_EQ((mem_map.range[mem_map.nr - 1].end_pfn << PAGE_SHIFT), top);
	/* And nothing past the top of RAM is (it is not a device either). */
	KT_ASSERT(vmm_query(&kernel_as, (uintptr_t)phys_to_virt(top), NULL, NULL) != 0 ||
		  top < (4ULL << 30));
}

/* Is every RAM frame of [base, base + len) kept from the allocator? */
static bool kept_from_buddy(u64 base, u64 len)
{
	for (u64 pa = ALIGN_DOWN(base, (u64)PAGE_SIZE); pa < base + len; pa += PAGE_SIZE) {
		struct page *pg = pfn_to_page(pa >> PAGE_SHIFT);

		if (pg && !(pg->flags & PG_RESERVED))
			return false;
	}
	return true;
}

extern char __kernel_end[];

KTEST(mm_boot_reservations_kept)
{
	KT_ASSERT(kept_from_buddy(0, 1 << 20));
	KT_ASSERT(kept_from_buddy(KERNEL_PHYS, virt_to_phys(__kernel_end) - KERNEL_PHYS));
	for (u32 i = 0; i < boot_info->nr_modules; i++)
		KT_ASSERT(kept_from_buddy(boot_info->modules[i].base, boot_info->modules[i].len));
	if (boot_info->rsdp_phys)
		KT_ASSERT(kept_from_buddy(boot_info->rsdp_phys, 36));
	/* And the allocator does manage the rest: the frame after the
	 * kernel's page tables and descriptors is somewhere above. */
	KT_ASSERT(!kept_from_buddy(0, (u64)(pmm_ram_count() + 1024) << PAGE_SHIFT));
}
