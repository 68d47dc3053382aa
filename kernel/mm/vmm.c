/*
 * Page tables and address spaces (see vmm.h).
 *
 * One recursive walker per operation (map, unmap, protect) visits the
 * entries a range covers, level 4 (PML4) down to 1 (PT). Frames that an
 * operation releases (page-table pages that became empty, owned frames)
 * are collected in a small batch and freed only after tlb_shootdown(), so
 * no CPU can still reach a frame through a stale TLB or paging-structure
 * cache entry once it is reused. A full batch is flushed and freed on the
 * spot; nothing is allocated to keep track.
 */
#include "kernel/mm/vmm.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/paging.h"
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/compiler.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/sched/spinlock.h"

/*
 * Where a user half may be cached. Without PCIDs a CR3 load drops every
 * non-global TLB entry, so a CPU can hold translations of a space's user
 * half only from its CR3 load of that space until its next CR3 load of
 * another. as_switch keeps `cpus` a superset of those CPUs: a CPU sets its
 * bit (locked RMW, a full barrier) before it loads the space's CR3 and
 * clears it only after it has loaded another one. tlb_shootdown orders
 * its entry updates before it reads the mask (a full fence), so a CPU it
 * does not see is one whose bit was set later, and that CPU's page walks,
 * after its serializing CR3 load, already see the updates. A CPU seen in
 * the mask that has meanwhile moved on takes one needless flush.
 */
struct addr_space {
	phys_addr_t root;               /* PML4; fixed for the space's life */
	struct spinlock lock;           /* its page tables */
	bool all_cpus;                  /* shootdowns go to every CPU: kernel_as
					   (whose kernel half every CPU caches),
					   or a CPU with an id past `cpus` ran
					   it (came online after as_create) */
	u32 nr_cpus;                    /* bits in cpus */
	u64 cpus[];                     /* by CPU id; see above */
};

struct addr_space kernel_as = { .lock = SPINLOCK_INIT("kernel_as"), .all_cpus = true };

/* Shootdowns of user halves: how many went to other CPUs and how many
 * CPUs they interrupted (vmm_tlb_stats). */
static u64 user_shootdowns_remote, user_shootdown_ipis;

/* Until pmm is up, page tables come from bootmem (below 4 GiB, which
 * boot.S's tables map). Set and cleared during boot only. */
static struct bootmem *pt_bootmem;
/* After boot no top-level kernel entry may appear (see vmm.h). */
static bool kernel_top_frozen;

#define VM_ALL (VM_READ | VM_WRITE | VM_EXEC | VM_USER | VM_UNCACHED | VM_OWNED)
#define PT_BATCH 32

static phys_addr_t pt_alloc(void)
{
	phys_addr_t pa;

	if (pt_bootmem)
		pa = bootmem_alloc(pt_bootmem, PAGE_SIZE, PAGE_SIZE, 4ULL << 30);
	else
		pa = pmm_alloc(0);
	if (pa) {
		/* Word stores: memset's rep stosb is 8x slower under TCG. */
		u64 *t = phys_to_virt(pa);

		for (int i = 0; i < PT_ENTRIES; i++)
			t[i] = 0;
	}
	return pa;
}

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

static bool table_empty(const u64 *t)
{
	for (int i = 0; i < PT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/* The frame a leaf entry at `level` maps (large pages: without PAT). */
static phys_addr_t leaf_addr(u64 e, int level)
{
	return e & PTE_ADDR & ~(PT_LEVEL_SIZE(level) - 1);
}

static u64 prot_to_pte(unsigned prot, bool kernel_half)
{
	u64 f = PTE_P;

	if (prot & VM_WRITE)
		f |= PTE_W;
	if (prot & VM_USER)
		f |= PTE_U;
	if (prot & VM_UNCACHED)
		f |= PTE_PCD | PTE_PWT;
	if (prot & VM_OWNED)
		f |= PTE_OWNED;
	if (!(prot & VM_EXEC) && paging_cpu.nx)
		f |= PTE_NX;
	if (kernel_half && paging_cpu.pge)
		f |= PTE_G;
	return f;
}

static unsigned pte_to_prot(u64 e)
{
	unsigned prot = VM_READ;

	if (e & PTE_W)
		prot |= VM_WRITE;
	if (!(e & PTE_NX))
		prot |= VM_EXEC;
	if (e & PTE_U)
		prot |= VM_USER;
	if (e & PTE_PCD)
		prot |= VM_UNCACHED;
	if (e & PTE_OWNED)
		prot |= VM_OWNED;
	return prot;
}

/* ---- one walk ----------------------------------------------------------- */

struct pt_walk {
	struct addr_space *as;
	uintptr_t start;                /* the whole request, for shootdowns */
	size_t len;
	bool kernel_half;
	u64 leaf;                       /* map, protect: leaf entry flags */
	u64 table_flags;                /* flags of a new non-leaf entry */
	bool free_owned;                /* unmap: give VM_OWNED frames back */
	bool flush;                     /* a translation was removed/narrowed */
	uintptr_t done;                 /* map: end of what is mapped so far */
	unsigned nbatch;
	struct {
		phys_addr_t pa;
		u8 order;               /* 0, 9 or 18 frames (1 GiB) */
	} batch[PT_BATCH];
};

static void walk_init(struct pt_walk *w, struct addr_space *as, uintptr_t va,
		      size_t len, bool kernel_half)
{
	w->as = as;
	w->start = va;
	w->len = len;
	w->kernel_half = kernel_half;
	w->leaf = 0;
	/* Non-leaf entries allow everything; leaves decide. */
	w->table_flags = PTE_P | PTE_W | (kernel_half ? 0 : PTE_U);
	w->free_owned = true;
	w->flush = false;
	w->done = va;
	w->nbatch = 0;
}

static void free_frames(phys_addr_t pa, unsigned order)
{
	unsigned chunk = MIN(order, (unsigned)PMM_MAX_ORDER);

	for (u64 off = 0; off < ((u64)PAGE_SIZE << order); off += (u64)PAGE_SIZE << chunk)
		pmm_free(pa + off, chunk);
}

/* Shoot down what this walk changed, then release what it collected. */
static void walk_finish(struct pt_walk *w)
{
	if (w->flush || w->nbatch)
		tlb_shootdown(w->as, w->start, w->len);
	for (unsigned i = 0; i < w->nbatch; i++)
		free_frames(w->batch[i].pa, w->batch[i].order);
	w->nbatch = 0;
	w->flush = false;
}

/* Queue a frame whose entry has already been cleared. */
static void walk_release(struct pt_walk *w, phys_addr_t pa, unsigned order)
{
	if (w->nbatch == PT_BATCH)
		walk_finish(w);
	w->batch[w->nbatch].pa = pa;
	w->batch[w->nbatch].order = (u8)order;
	w->nbatch++;
}

/* The end of the entry at `level` containing va, clipped to end. In the
 * last top-level slot the entry's end wraps to 0, hence the -1 bias. */
static uintptr_t entry_end(uintptr_t va, uintptr_t end, int level)
{
	uintptr_t next = ALIGN_DOWN(va, PT_LEVEL_SIZE(level)) + PT_LEVEL_SIZE(level);

	return next - 1 >= end - 1 ? end : next;
}

/* Replace a large leaf by a table of next-level leaves mapping the same. */
static int pt_split(struct pt_walk *w, u64 *e, int level)
{
	u64 flags = *e & ~PTE_ADDR & ~PTE_PS & ~PTE_LARGE_PAT;
	phys_addr_t base = leaf_addr(*e, level);
	phys_addr_t t = pt_alloc();
	u64 *child;

	if (!t)
		return -ENOMEM;
	child = phys_to_virt(t);
	for (int i = 0; i < PT_ENTRIES; i++)
		child[i] = (base + (u64)i * PT_LEVEL_SIZE(level - 1)) | flags |
			   (level - 1 > 1 ? PTE_PS : 0);
	/* Same translations either way, so no flush is needed for the parts
	 * the caller leaves alone; the caller flushes what it changes. */
	*e = t | w->table_flags;
	return 0;
}

static bool use_large(int level, uintptr_t va, uintptr_t next, phys_addr_t pa)
{
	u64 size = PT_LEVEL_SIZE(level);

	if (level == 2 || (level == 3 && paging_cpu.gbpages))
		return next - va == size && !(pa & (size - 1));
	return false;
}

static int walk_map(struct pt_walk *w, u64 *table, int level, uintptr_t va,
		    uintptr_t end, phys_addr_t pa)
{
	while (va < end) {
		uintptr_t next = entry_end(va, end, level);
		u64 *e = &table[PT_INDEX(va, level)];
		u64 *child;
		bool fresh = false;
		int err;

		if (level == 1 || use_large(level, va, next, pa)) {
			if (*e & PTE_P)
				return -EEXIST;
			*e = pa | w->leaf | (level > 1 ? PTE_PS : 0);
			w->done = next;
		} else {
			if (!(*e & PTE_P)) {
				phys_addr_t t;

				if (level == 4 && w->kernel_half && kernel_top_frozen)
					return -EINVAL;
				t = pt_alloc();
				if (!t)
					return -ENOMEM;
				*e = t | w->table_flags;
				fresh = true;
			} else if (*e & PTE_PS) {
				return -EEXIST;
			}
			child = table_of(*e);
			err = walk_map(w, child, level - 1, va, next, pa);
			if (err) {
				/* A table this call added and nothing uses. */
				if (fresh && table_empty(child)) {
					phys_addr_t t = *e & PTE_ADDR;

					*e = 0;
					walk_release(w, t, 0);
				}
				return err;
			}
		}
		pa += next - va;
		va = next;
	}
	return 0;
}

static int walk_unmap(struct pt_walk *w, u64 *table, int level, uintptr_t va,
		      uintptr_t end)
{
	while (va < end) {
		uintptr_t next = entry_end(va, end, level);
		u64 *e = &table[PT_INDEX(va, level)];
		u64 *child;
		int err;

		if (!(*e & PTE_P)) {
			va = next;
			continue;
		}
		if (level == 1 || (*e & PTE_PS)) {
			if (next - va == PT_LEVEL_SIZE(level)) {
				u64 old = *e;

				*e = 0;
				w->flush = true;
				if ((old & PTE_OWNED) && w->free_owned)
					walk_release(w, leaf_addr(old, level),
						     PT_LEVEL_SHIFT(level) - PAGE_SHIFT);
				va = next;
				continue;
			}
			err = pt_split(w, e, level);
			if (err)
				return err;
		}
		child = table_of(*e);
		err = walk_unmap(w, child, level - 1, va, next);
		if (err)
			return err;
		/* kernel_as's top-level kernel entries stay (see vmm.h). */
		if (!(level == 4 && w->kernel_half) && table_empty(child)) {
			phys_addr_t t = *e & PTE_ADDR;

			*e = 0;
			w->flush = true;
			walk_release(w, t, 0);
		}
		va = next;
	}
	return 0;
}

static int walk_protect(struct pt_walk *w, u64 *table, int level, uintptr_t va,
			uintptr_t end)
{
	while (va < end) {
		uintptr_t next = entry_end(va, end, level);
		u64 *e = &table[PT_INDEX(va, level)];
		int err;

		if (!(*e & PTE_P)) {
			va = next;
			continue;
		}
		if (level == 1 || (*e & PTE_PS)) {
			if (next - va == PT_LEVEL_SIZE(level)) {
				*e = leaf_addr(*e, level) | (*e & (PTE_OWNED | PTE_A | PTE_D)) |
				     w->leaf | (level > 1 ? PTE_PS : 0);
				w->flush = true;
				va = next;
				continue;
			}
			err = pt_split(w, e, level);
			if (err)
				return err;
		}
		err = walk_protect(w, table_of(*e), level - 1, va, next);
		if (err)
			return err;
		va = next;
	}
	return 0;
}

/* ---- the API ------------------------------------------------------------------ */

static u64 *root_table(const struct addr_space *as)
{
	return phys_to_virt(as->root);
}

/* A range must be page-aligned, non-empty, and within one half; the
 * kernel half only in kernel_as. */
static int check_range(const struct addr_space *as, uintptr_t va, size_t len,
		       bool *kernel_half)
{
	uintptr_t end = va + len;

	if (!len || ((va | len) & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (end < va)
		return -EINVAL;
	if (end <= USER_END) {
		*kernel_half = false;
		return 0;
	}
	if (va >= KERNEL_HALF_BASE && as == &kernel_as) {
		*kernel_half = true;
		return 0;
	}
	return -EINVAL;
}

int vmm_map(struct addr_space *as, uintptr_t va, phys_addr_t pa, size_t len,
	    unsigned prot)
{
	struct pt_walk w;
	bool kernel_half;
	int err = check_range(as, va, len, &kernel_half);

	if (err)
		return err;
	if ((pa & (PAGE_SIZE - 1)) || pa + len < pa ||
	    pa + len > (1ULL << paging_cpu.phys_bits) ||
	    !(prot & VM_READ) || (prot & ~VM_ALL) || (kernel_half && (prot & VM_USER)))
		return -EINVAL;
	walk_init(&w, as, va, len, kernel_half);
	w.leaf = prot_to_pte(prot, kernel_half);
	spin_lock(&as->lock);
	err = walk_map(&w, root_table(as), PT_LEVELS, va, va + len, pa);
	if (err && w.done != va) {
		/* Undo; the frames stay the caller's. Unmapping exactly what
		 * was mapped splits nothing, so this cannot fail. */
		w.free_owned = false;
		walk_unmap(&w, root_table(as), PT_LEVELS, va, w.done);
	}
	spin_unlock(&as->lock);
	walk_finish(&w);
	return err;
}

int vmm_unmap(struct addr_space *as, uintptr_t va, size_t len)
{
	struct pt_walk w;
	bool kernel_half;
	int err = check_range(as, va, len, &kernel_half);

	if (err)
		return err;
	walk_init(&w, as, va, len, kernel_half);
	spin_lock(&as->lock);
	err = walk_unmap(&w, root_table(as), PT_LEVELS, va, va + len);
	spin_unlock(&as->lock);
	walk_finish(&w);
	return err;
}

int vmm_protect(struct addr_space *as, uintptr_t va, size_t len, unsigned prot)
{
	struct pt_walk w;
	bool kernel_half;
	int err = check_range(as, va, len, &kernel_half);

	if (err)
		return err;
	if (!(prot & VM_READ) || (prot & ~VM_ALL) || (prot & VM_OWNED) ||
	    (kernel_half && (prot & VM_USER)))
		return -EINVAL;
	walk_init(&w, as, va, len, kernel_half);
	w.leaf = prot_to_pte(prot, kernel_half);
	spin_lock(&as->lock);
	err = walk_protect(&w, root_table(as), PT_LEVELS, va, va + len);
	spin_unlock(&as->lock);
	walk_finish(&w);
	return err;
}

int vmm_query(struct addr_space *as, uintptr_t va, phys_addr_t *pa, unsigned *prot)
{
	u64 *table = root_table(as);
	int err = -ENOENT;

	if (va >= USER_END && va < KERNEL_HALF_BASE)
		return -EINVAL;
	spin_lock(&as->lock);
	for (int level = PT_LEVELS; level >= 1; level--) {
		u64 e = table[PT_INDEX(va, level)];

		if (!(e & PTE_P))
			break;
		if (level == 1 || (e & PTE_PS)) {
			if (pa)
				*pa = leaf_addr(e, level) + (va & (PT_LEVEL_SIZE(level) - 1));
			if (prot)
				*prot = pte_to_prot(e);
			err = 0;
			break;
		}
		table = table_of(e);
	}
	spin_unlock(&as->lock);
	return err;
}

struct vmm_walker {
	int (*fn)(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx);
	void *ctx;
};

static int walk_visit(struct vmm_walker *w, const u64 *table, int level,
		      uintptr_t va, uintptr_t end)
{
	while (va < end) {
		uintptr_t next = entry_end(va, end, level);
		u64 e = table[PT_INDEX(va, level)];
		int err;

		if (!(e & PTE_P)) {
			va = next;
			continue;
		}
		if (level == 1 || (e & PTE_PS)) {
			for (uintptr_t p = va; p < next; p += PAGE_SIZE) {
				err = w->fn(p, leaf_addr(e, level) +
					    (p & (PT_LEVEL_SIZE(level) - 1)),
					    pte_to_prot(e), w->ctx);
				if (err)
					return err;
			}
		} else {
			err = walk_visit(w, table_of(e), level - 1, va, next);
			if (err)
				return err;
		}
		va = next;
	}
	return 0;
}

int vmm_walk(struct addr_space *as, uintptr_t va, size_t len,
	     int (*fn)(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx),
	     void *ctx)
{
	struct vmm_walker w = { fn, ctx };
	bool kernel_half;
	int err = check_range(as, va, len, &kernel_half);

	if (err || kernel_half)
		return -EINVAL;
	spin_lock(&as->lock);
	err = walk_visit(&w, root_table(as), PT_LEVELS, va, va + len);
	spin_unlock(&as->lock);
	return err;
}

void tlb_shootdown(struct addr_space *as, uintptr_t start, size_t len)
{
	bool kernel_half = start >= KERNEL_HALF_BASE;
	u32 sent;

	/* Orders the caller's entry updates before reading the mask (see
	 * struct addr_space). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (kernel_half || READ_ONCE(as->all_cpus)) {
		smp_tlb_flush_others(start, len);
	} else {
		sent = smp_tlb_flush_mask(as->cpus, as->nr_cpus, start, len);
		if (sent) {
			__atomic_fetch_add(&user_shootdowns_remote, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&user_shootdown_ipis, sent, __ATOMIC_RELAXED);
		}
	}
	/* Without PCIDs a CR3 load drops every non-global entry, so a user
	 * half that is not loaded here has nothing cached here. */
	if (kernel_half || (read_cr3() & PTE_ADDR) == as->root)
		tlb_flush_local(start, len);
}

/* ---- address spaces -------------------------------------------------------- */

void vmm_tlb_stats(u64 *remote_shootdowns, u64 *ipis)
{
	*remote_shootdowns = __atomic_load_n(&user_shootdowns_remote, __ATOMIC_RELAXED);
	*ipis = __atomic_load_n(&user_shootdown_ipis, __ATOMIC_RELAXED);
}

struct addr_space *as_create(void)
{
	u32 nr_cpus = cpu_count() ? cpu_count() : 1;
	u32 words = (nr_cpus + 63) / 64;
	struct addr_space *as = kzalloc(sizeof(*as) + words * sizeof(u64), GFP_KERNEL);
	u64 *top;

	if (!as)
		return NULL;
	as->nr_cpus = words * 64;
	as->root = pmm_alloc(0);
	if (!as->root) {
		kfree(as);
		return NULL;
	}
	top = phys_to_virt(as->root);
	memset(top, 0, PAGE_SIZE / 2);
	/* The kernel half's top-level entries never change after boot, so a
	 * copy stays right for the space's whole life. */
	memcpy(top + PT_ENTRIES / 2, root_table(&kernel_as) + PT_ENTRIES / 2,
	       PAGE_SIZE / 2);
	as->lock = (struct spinlock)SPINLOCK_INIT("addr_space");
	return as;
}

/* Free a table at `level` and everything below it, owned frames too. */
static void free_table(phys_addr_t t, int level)
{
	u64 *table = phys_to_virt(t);

	for (int i = 0; i < PT_ENTRIES; i++) {
		u64 e = table[i];

		if (!(e & PTE_P))
			continue;
		if (level == 1 || (e & PTE_PS)) {
			if (e & PTE_OWNED)
				free_frames(leaf_addr(e, level),
					    PT_LEVEL_SHIFT(level) - PAGE_SHIFT);
		} else {
			free_table(e & PTE_ADDR, level - 1);
		}
	}
	pmm_free(t, 0);
}

/* On a CPU that may still have an address space about to go in CR3
 * (interrupts off: in a cross-CPU call, or from as_destroy). */
static void as_drop(void *arg)
{
	if (this_cpu()->as == arg)
		as_switch(&kernel_as);
}

static bool as_in_use(const struct addr_space *as)
{
	for (u32 i = 0; i < as->nr_cpus / 64; i++)
		if (__atomic_load_n(&as->cpus[i], __ATOMIC_ACQUIRE))
			return true;
	return false;
}

void as_destroy(struct addr_space *as)
{
	unsigned long flags;
	u64 *top;

	if (!as)
		return;
	BUG_ON(as == &kernel_as);
	/* A process's space leaves every CPU when its last thread does
	 * (proc_switch). A kernel thread that borrowed one with as_switch
	 * and was switched out (or exited) before switching back leaves it
	 * in that CPU's CR3, since switches between kernel threads keep
	 * CR3: take it off there, this CPU included. */
	if (as_in_use(as)) {
		flags = read_rflags();
		irq_disable();
		as_drop(as);
		if (flags & X86_RFLAGS_IF)
			irq_enable();
		smp_call_mask(as->cpus, as->nr_cpus, as_drop, as);
	}
	BUG_ON(as_in_use(as));
	/* Not loaded anywhere, so nothing is cached: no shootdown needed. */
	top = root_table(as);
	for (int i = 0; i < PT_ENTRIES / 2; i++)
		if (top[i] & PTE_P)
			free_table(top[i] & PTE_ADDR, PT_LEVELS - 1);
	pmm_free(as->root, 0);
	kfree(as);
}

/* Enter (set) or leave (clear) as's CPU mask; see struct addr_space. */
static void as_mark_cpu(struct addr_space *as, u32 id, bool set)
{
	u64 bit = 1ULL << (id % 64);

	if (as->all_cpus)
		return;
	if (id >= as->nr_cpus) {
		if (set) {
			WRITE_ONCE(as->all_cpus, true);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		}
		return;
	}
	if (set)
		__atomic_fetch_or(&as->cpus[id / 64], bit, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&as->cpus[id / 64], ~bit, __ATOMIC_RELEASE);
}

void as_switch(struct addr_space *as)
{
	unsigned long flags = read_rflags();
	struct addr_space *old;
	struct cpu *c;

	/* The CR3 load and c->as change together on one CPU. */
	irq_disable();
	c = this_cpu();
	old = c->as;
	if (old != as) {
		as_mark_cpu(as, c->id, true);
		write_cr3(as->root);    /* serializing: no TLB use of old after */
		c->as = as;
		if (old)
			as_mark_cpu(old, c->id, false);
	}
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

phys_addr_t as_root(const struct addr_space *as)
{
	return as->root;
}

/* ---- boot ------------------------------------------------------------------------ */

extern char __text_start[], __rodata_start[], __data_start[], __kernel_end[];
extern char boot_stack_guard[], boot_stack_bottom[];

static void map_or_die(uintptr_t va, phys_addr_t pa, size_t len, unsigned prot,
		       const char *what)
{
	int err = vmm_map(&kernel_as, va, pa, len, prot);

	if (err)
		panic("mm: cannot map %s [%#lx-%#lx]: error %d", what,
		      (unsigned long)pa, (unsigned long)(pa + len - 1), err);
}

static void map_image(const char *start, const char *end, unsigned prot,
		      const char *what)
{
	map_or_die((uintptr_t)start, virt_to_phys(start), (size_t)(end - start),
		   prot, what);
}

/* What the direct map maps a memory-map range as (0: not at all). RAM and
 * the firmware's ACPI and NVS memory are ordinary write-back memory.
 * Reserved ranges below 4 GiB hold firmware tables (SeaBIOS puts ACPI
 * tables there) but also MMIO (PCIe ECAM), so they are uncached: the same
 * type ioremap uses, and no write-back alias of a device. */
static unsigned direct_prot(const struct bootmem_range *r)
{
	switch (r->type) {
	case BOOT_MEM_RAM:
	case BOOT_MEM_ACPI:
	case BOOT_MEM_NVS:
		return VM_READ | VM_WRITE;
	case BOOT_MEM_RESERVED:
		return r->base < (4ULL << 30) ? VM_READ | VM_WRITE | VM_UNCACHED : 0;
	default:
		return 0;
	}
}

static void map_direct(const struct bootmem *bm)
{
	u64 base = 0, end = 0;
	unsigned prot = 0;

	/* Adjacent ranges with the same attributes go in one call, so large
	 * pages can span them. */
	for (u32 i = 0; i <= bm->nr_map; i++) {
		struct bootmem_range r = i < bm->nr_map ? bm->map[i] :
					 (struct bootmem_range){ 0, 0, 0 };
		unsigned p = i < bm->nr_map ? direct_prot(&r) : 0;

		if (r.type == BOOT_MEM_RESERVED)
			r.end = MIN(r.end, 4ULL << 30);
		if (p && p == prot && r.base == end) {
			end = r.end;
			continue;
		}
		if (prot)
			map_or_die(DIRECT_MAP_BASE + base, base, end - base, prot,
				   "the direct map");
		base = r.base;
		end = r.end;
		prot = p;
	}
}

void vmm_init_kernel(struct bootmem *bm)
{
	static const uintptr_t areas[] = { KSTACK_AREA_BASE, IOREMAP_BASE };
	u64 *top;

	pt_bootmem = bm;
	kernel_as.root = pt_alloc();
	if (!kernel_as.root)
		panic("mm: no memory below 4 GiB for page tables");

	map_image(__text_start, __rodata_start, VM_READ | VM_EXEC, "kernel text");
	map_image(__rodata_start, __data_start, VM_READ, "kernel rodata");
	map_image(__data_start, boot_stack_guard, VM_READ | VM_WRITE, "kernel data");
	map_image(boot_stack_bottom, __kernel_end, VM_READ | VM_WRITE, "kernel data");

	map_direct(bm);
	/* The direct-map alias of text and rodata must not be a way to
	 * write them. */
	if (vmm_protect(&kernel_as, (uintptr_t)phys_to_virt(virt_to_phys(__text_start)),
			(size_t)(__data_start - __text_start), VM_READ))
		panic("mm: cannot write-protect the kernel's direct-map alias");

	/* Top-level entries for the other kernel areas, made now so that
	 * every address space created later shares them. */
	top = root_table(&kernel_as);
	for (size_t i = 0; i < ARRAY_SIZE(areas); i++) {
		u64 *e = &top[PT_INDEX(areas[i], PT_LEVELS)];
		phys_addr_t t;

		if (*e & PTE_P)
			continue;
		t = pt_alloc();
		if (!t)
			panic("mm: no memory below 4 GiB for page tables");
		*e = t | PTE_P | PTE_W;
	}
}

void vmm_boot_done(void)
{
	pt_bootmem = NULL;
	kernel_top_frozen = true;
}
