/*
 * Page-table and address-space tests: mapping many pages leaks nothing,
 * large pages split correctly, errors leave nothing behind, the kernel
 * image's permissions hold, and ioremap maps a device.
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/ioremap.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/paging.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"

static char report[4096];

/* Free frames with every cache's empty slabs given back: a baseline that
 * does not depend on which slab an address space's struct landed in. */
static u64 settled_free(void)
{
	kmalloc_shrink();
	return pmm_free_count();
}

#define NR_PAGES 10000
#define SPREAD_VA 0x10000000000UL       /* 1 TiB: user half */

/* Page i of the spread layout: every 37th 4 KiB page, so the pages land in
 * many page tables and several page directories. */
static uintptr_t spread_va(int i)
{
	return SPREAD_VA + (uintptr_t)i * 37 * PAGE_SIZE;
}

KTEST(mm_vmm_map_unmap_10000_pages)
{
	u64 base = settled_free(), after_create, after_map, after_unmap;
	struct addr_space *as = as_create();
	int err = 0, bad_query = 0;
	phys_addr_t pa;

	KT_ASSERT(as != NULL);
	after_create = pmm_free_count();
	/* Round 1: map owned frames, check, unmap one by one. */
	for (int i = 0; i < NR_PAGES && !err; i++) {
		pa = pmm_alloc(0);
		err = pa ? vmm_map(as, spread_va(i), pa, PAGE_SIZE,
				   VM_READ | VM_WRITE | VM_USER | VM_OWNED) : -ENOMEM;
		if (err && pa)
			pmm_free(pa, 0);
	}
	after_map = pmm_free_count();
	for (int i = 0; i < NR_PAGES; i += 97) {
		unsigned prot = 0;

		bad_query += vmm_query(as, spread_va(i) + 123, &pa, &prot) != 0 ||
			     (pa & (PAGE_SIZE - 1)) != 123 ||
			     prot != (VM_READ | VM_WRITE | VM_USER | VM_OWNED);
		bad_query += vmm_query(as, spread_va(i) + PAGE_SIZE, NULL, NULL) != -ENOENT;
	}
	for (int i = 0; i < NR_PAGES; i++)
		err |= vmm_unmap(as, spread_va(i), PAGE_SIZE);
	/* Every data frame and every page table is back; only the root and
	 * the struct remain. */
	after_unmap = pmm_free_count();

	/* Round 2: map them again and let as_destroy clean up. */
	for (int i = 0; i < NR_PAGES && !err; i++) {
		pa = pmm_alloc(0);
		err = pa ? vmm_map(as, spread_va(i), pa, PAGE_SIZE,
				   VM_READ | VM_USER | VM_OWNED) : -ENOMEM;
		if (err && pa)
			pmm_free(pa, 0);
	}
	as_destroy(as);

	pr_info("mm_vmm_map_unmap_10000_pages: %lu frames for pages and tables\n",
		(unsigned long)(after_create - after_map));
	KT_ASSERT_EQ(err, 0);
	KT_ASSERT_EQ(bad_query, 0);
	/* 10000 data frames plus page tables: 10000 * 37 pages = 1445 MiB
	 * of address space, so at least 723 page tables. */
	KT_ASSERT(after_create - after_map >= NR_PAGES + 723);
	KT_ASSERT_EQ(after_unmap, after_create);
	KT_ASSERT_EQ(settled_free(), base);
}

KTEST(mm_vmm_large_page_split)
{
	u64 base = settled_free(), after_map;
	struct addr_space *as = as_create();
	uintptr_t va = 0x40000000;              /* 1 GiB: 2 MiB aligned */
	phys_addr_t big = pmm_alloc(9), pa = 0;
	unsigned prot = 0;
	int e_map, e_unmap, e_prot, q_hole, q_ro, q_rw, q_last;
	u64 d_map, d_split;

	KT_ASSERT(as && big);
	after_map = pmm_free_count();
	e_map = vmm_map(as, va, big, 2 << 20, VM_READ | VM_WRITE | VM_USER | VM_OWNED);
	/* One 2 MiB page: a PDPT and a PD, no page table. */
	d_map = after_map - pmm_free_count();
	/* Unmapping one 4 KiB page splits it: one page table more, the
	 * owned frame under it freed. */
	e_unmap = vmm_unmap(as, va + 5 * PAGE_SIZE, PAGE_SIZE);
	d_split = after_map - pmm_free_count();
	e_prot = vmm_protect(as, va + 6 * PAGE_SIZE, PAGE_SIZE, VM_READ | VM_USER);
	q_hole = vmm_query(as, va + 5 * PAGE_SIZE, NULL, NULL);
	q_ro = vmm_query(as, va + 6 * PAGE_SIZE, &pa, &prot);
	q_ro = q_ro || pa != big + 6 * PAGE_SIZE || (prot & VM_WRITE) || !(prot & VM_OWNED);
	q_rw = vmm_query(as, va + 7 * PAGE_SIZE, &pa, &prot);
	q_rw = q_rw || pa != big + 7 * PAGE_SIZE || !(prot & VM_WRITE);
	q_last = vmm_query(as, va + (2 << 20) - 1, &pa, NULL) || pa != big + (2 << 20) - 1;
	/* The 511 remaining frames come back one by one and merge. */
	as_destroy(as);

	KT_ASSERT_EQ(e_map, 0);
	KT_ASSERT_EQ(d_map, 2);
	KT_ASSERT_EQ(e_unmap, 0);
	KT_ASSERT_EQ(d_split, 2);               /* +1 table, -1 frame */
	KT_ASSERT_EQ(e_prot, 0);
	KT_ASSERT_EQ(q_hole, -ENOENT);
	KT_ASSERT(!q_ro && !q_rw && !q_last);
	KT_ASSERT_EQ(settled_free(), base);
}

KTEST(mm_vmm_errors_leave_nothing)
{
	u64 base = settled_free(), before;
	struct addr_space *as = as_create();
	phys_addr_t pa = pmm_alloc(0), pb = pmm_alloc(0);
	int e_exist, e_half, e_user, e_align, e_cross, e_noread, rolled_back;

	KT_ASSERT(as && pa && pb);
	KT_ASSERT_EQ(vmm_map(as, 0x800000 + 3 * PAGE_SIZE, pa, PAGE_SIZE, VM_READ | VM_OWNED), 0);
	before = pmm_free_count();
	/* Overlaps the mapped page at its end: nothing of it may remain. */
	e_exist = vmm_map(as, 0x800000, pb, 4 * PAGE_SIZE, VM_READ);
	rolled_back = vmm_query(as, 0x800000, NULL, NULL) == -ENOENT &&
		      pmm_free_count() == before;
	e_half = vmm_map(as, DIRECT_MAP_BASE + (1ULL << 40), pb, PAGE_SIZE, VM_READ);
	e_user = vmm_map(&kernel_as, IOREMAP_BASE + IOREMAP_SIZE - PAGE_SIZE, pb,
			 PAGE_SIZE, VM_READ | VM_USER);
	e_align = vmm_map(as, 0x900010, pb, PAGE_SIZE, VM_READ);
	e_cross = vmm_map(as, USER_END - PAGE_SIZE, pb, 2 * PAGE_SIZE, VM_READ);
	e_noread = vmm_map(as, 0x900000, pb, PAGE_SIZE, VM_WRITE);
	pmm_free(pb, 0);
	as_destroy(as);                         /* frees pa: it is owned */

	KT_ASSERT_EQ(e_exist, -EEXIST);
	KT_ASSERT(rolled_back);
	KT_ASSERT_EQ(e_half, -EINVAL);
	KT_ASSERT_EQ(e_user, -EINVAL);
	KT_ASSERT_EQ(e_align, -EINVAL);
	KT_ASSERT_EQ(e_cross, -EINVAL);
	KT_ASSERT_EQ(e_noread, -EINVAL);
	KT_ASSERT_EQ(settled_free(), base);
}

/* ---- the kernel image's permissions ------------------------------------------ */

static __noinline void write_byte(void *p)
{
	volatile u8 *b = p;

	*b = *b;                /* harmless if it ever succeeded */
}

static __noinline void call_code(void *p)
{
	((void (*)(void))p)();
}

static const u64 some_rodata = 0x1234;
static u8 data_ret[16] = { 0xc3 };      /* ret, in .data */

static int expect_pf(void (*fn)(void *), void *arg, u64 *err, u64 *cr2)
{
	struct trap_catch tc;
	int r = trap_catch_call(&tc, report, sizeof(report), fn, arg);

	*err = tc.error;
	*cr2 = tc.cr2;
	return r;
}

KTEST(mm_kernel_text_write_faults)
{
	void *text = (void *)pmm_alloc;
	u64 err, cr2;

	KT_ASSERT_EQ(expect_pf(write_byte, text, &err, &cr2), X86_TRAP_PF + 1);
	KT_ASSERT_EQ(cr2, (u64)text);
	KT_ASSERT_EQ(err & (PF_PRESENT | PF_WRITE | PF_USER), PF_PRESENT | PF_WRITE);
	KT_ASSERT_STR_CONTAINS(report, "(protection-violation write kernel)");
	KT_ASSERT_STR_CONTAINS(report, "write_byte+0x");
	/* Not through its direct-map alias either. */
	text = phys_to_virt(virt_to_phys(text));
	KT_ASSERT_EQ(expect_pf(write_byte, text, &err, &cr2), X86_TRAP_PF + 1);
	KT_ASSERT_EQ(cr2, (u64)text);
}

KTEST(mm_kernel_rodata_write_faults)
{
	u64 err, cr2;

	KT_ASSERT_EQ(expect_pf(write_byte, (void *)&some_rodata, &err, &cr2), X86_TRAP_PF + 1);
	KT_ASSERT_EQ(cr2, (u64)&some_rodata);
	KT_ASSERT_EQ(err & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
}

KTEST(mm_kernel_data_and_direct_map_not_executable)
{
	u64 err, cr2;
	void *alias = phys_to_virt(virt_to_phys((void *)pmm_alloc));

	KT_ASSERT(paging_cpu.nx);
	KT_ASSERT_EQ(expect_pf(call_code, data_ret, &err, &cr2), X86_TRAP_PF + 1);
	KT_ASSERT_EQ(cr2, (u64)data_ret);
	KT_ASSERT_EQ(err & (PF_PRESENT | PF_INSTR), PF_PRESENT | PF_INSTR);
	KT_ASSERT_STR_CONTAINS(report, "instruction-fetch");
	KT_ASSERT_EQ(expect_pf(call_code, alias, &err, &cr2), X86_TRAP_PF + 1);
	KT_ASSERT_EQ(err & PF_INSTR, PF_INSTR);
}

KTEST(mm_cpu_protections_on)
{
	KT_ASSERT(read_cr0() & X86_CR0_WP);
	KT_ASSERT(!paging_cpu.nx || (rdmsr(MSR_EFER) & EFER_NXE));
	KT_ASSERT(!paging_cpu.smep || (read_cr4() & X86_CR4_SMEP));
	KT_ASSERT(!paging_cpu.smap || (read_cr4() & X86_CR4_SMAP));
	/* boot.S's identity map is gone. */
	KT_ASSERT_EQ(vmm_query(&kernel_as, KERNEL_PHYS, NULL, NULL), -ENOENT);
	KT_ASSERT_EQ(as_root(&kernel_as) & ~(u64)PTE_ADDR, 0);
	KT_ASSERT(as_root(&kernel_as) < (4ULL << 30));
}

/* ---- ioremap --------------------------------------------------------------------- */

#define LAPIC_BASE 0xfee00000           /* SDM vol 3 §11.4.1, default base */
#define LAPIC_VERSION 0x30

KTEST(mm_ioremap_maps_a_device)
{
	u64 base = settled_free();
	volatile u32 *lapic = ioremap(LAPIC_BASE, PAGE_SIZE);
	void *ram = ioremap(0x200000, PAGE_SIZE);       /* RAM: refused */
	volatile u8 *odd = ioremap(LAPIC_BASE + LAPIC_VERSION + 1, 2);
	unsigned prot = 0;
	phys_addr_t pa = 0;
	u32 version;
	int q;

	KT_ASSERT(lapic != NULL);
	KT_ASSERT(ram == NULL);
	KT_ASSERT(odd != NULL);
	q = vmm_query(&kernel_as, (uintptr_t)lapic, &pa, &prot);
	/* Version register: bits 7:0 version (0x1X for an integrated APIC),
	 * bits 23:16 the highest LVT entry. Same bytes through both. */
	version = lapic[LAPIC_VERSION / 4];
	KT_ASSERT_EQ(odd[0], (version >> 8) & 0xff);
	iounmap(odd);
	iounmap((void *)lapic);
	KT_ASSERT_EQ(q, 0);
	KT_ASSERT_EQ(pa, LAPIC_BASE);
	KT_ASSERT(prot & VM_UNCACHED);
	KT_ASSERT(!(prot & VM_EXEC));
	KT_ASSERT_EQ(version & 0xf0, 0x10);
	KT_ASSERT(((version >> 16) & 0xff) >= 3);
	KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)lapic, NULL, NULL), -ENOENT);
	KT_ASSERT_EQ(settled_free(), base);
}

KTEST(mm_ioremap_large_bar_uses_2m_alignment)
{
	/* 0xe0000000 is in the PCI hole of q35 and pc; on microvm with
	 * more than 3.5 GiB it can be RAM, and then ioremap must refuse. */
	phys_addr_t pa = 0xe0000000 + 0x1000;
	volatile u8 *p = ioremap(pa, 4 << 20);
	phys_addr_t got = 0;

	if (!p) {
		KT_ASSERT(pfn_to_page(pa >> PAGE_SHIFT) != NULL);
		return;
	}
	KT_ASSERT_EQ(((uintptr_t)p - pa) & ((2 << 20) - 1), 0);
	KT_ASSERT_EQ(vmm_query(&kernel_as, (uintptr_t)p + (3 << 20), &got, NULL), 0);
	KT_ASSERT_EQ(got, pa + (3 << 20));
	iounmap(p);
}

/* ---- shootdown ------------------------------------------------------------------- */

#define SHOOT_VA (IOREMAP_BASE + IOREMAP_SIZE - PAGE_SIZE)  /* top of the pool */
#define SHOOT_MAGIC 0x5eed5eed5eed5eedULL

static int shoot_seen[64];

static void shoot_read(void *arg)
{
	u64 v = 0;
	int r = read_u64_nofault((const u64 *)SHOOT_VA, &v);

	shoot_seen[this_cpu()->id % 64] = r ? r : (v == SHOOT_MAGIC ? 1 : -1);
}

/* Every CPU caches the page, then vmm_unmap must take it from all of
 * them (TCG keeps each vCPU's TLB until it is flushed, so a missing IPI
 * shows as a CPU that still reads the old page). */
KTEST(mm_vmm_unmap_shoots_down_every_cpu)
{
	phys_addr_t pa = pmm_alloc(0);
	u32 n = cpu_count() ? cpu_count() : 1;
	int before = 0, after = 0;

	KT_ASSERT(pa && n <= 64);
	*(u64 *)phys_to_virt(pa) = SHOOT_MAGIC;
	KT_ASSERT_EQ(vmm_map(&kernel_as, SHOOT_VA, pa, PAGE_SIZE, VM_READ), 0);
	for (u32 i = 0; i < n; i++) {
		shoot_seen[i] = 0;
		if (smp_call_on(i, shoot_read, NULL) == 0)
			before += shoot_seen[i] == 1;
	}
	KT_ASSERT_EQ(vmm_unmap(&kernel_as, SHOOT_VA, PAGE_SIZE), 0);
	for (u32 i = 0; i < n; i++) {
		shoot_seen[i] = 0;
		if (smp_call_on(i, shoot_read, NULL) == 0)
			after += shoot_seen[i] == -EFAULT;
	}
	pmm_free(pa, 0);
	KT_ASSERT_EQ(before, (int)n);
	KT_ASSERT_EQ(after, (int)n);
}
