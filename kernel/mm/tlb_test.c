/*
 * TLB shootdowns of user address spaces go to the CPUs that have the
 * space loaded, and only to them. Under TCG each vCPU keeps its TLB until
 * it is flushed, so a missed shootdown shows as a CPU that still reads a
 * page after it was unmapped.
 */
#include "kernel/test/ktest.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/err.h"
#include "kernel/lib/errno.h"
#include "kernel/sched/kthread.h"
#include "kernel/sched/spinlock.h"

#define TLB_VA    0x400000UL
#define TLB_MAGIC 0x7115eed07115eed0ULL

/* A space with one user page at TLB_VA holding TLB_MAGIC; the frame is
 * the test's (not VM_OWNED), so it outlives the unmap. */
struct tlb_kt {
	struct addr_space *as;
	phys_addr_t pa;
	u32 stage;              /* reader: 1 = page read (cached); main: 2 =
				   unmapped; reader: 3 = read again */
	int first, second;      /* copy_from_user results */
	u64 v1, v2;
};

static bool tlb_kt_setup(struct tlb_kt *k)
{
	k->stage = 0;
	k->v1 = k->v2 = 0;
	k->pa = pmm_alloc(0);
	k->as = as_create();
	if (!k->pa || !k->as ||
	    vmm_map(k->as, TLB_VA, k->pa, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER)) {
		as_destroy(k->as);
		if (k->pa)
			pmm_free(k->pa, 0);
		return false;
	}
	*(u64 *)phys_to_virt(k->pa) = TLB_MAGIC;
	return true;
}

static void tlb_kt_teardown(struct tlb_kt *k)
{
	as_destroy(k->as);
	pmm_free(k->pa, 0);
}

/* On the other CPU: load the space, read the page (its translation is now
 * cached there), wait for the unmap, read again; then exit with the space
 * still loaded, which as_destroy must cope with. */
static void tlb_reader(void *arg)
{
	struct tlb_kt *k = arg;

	as_switch(k->as);
	k->first = copy_from_user(&k->v1, (const void __user *)TLB_VA, sizeof(k->v1));
	__atomic_store_n(&k->stage, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&k->stage, __ATOMIC_ACQUIRE) != 2)
		cpu_relax();
	k->second = copy_from_user(&k->v2, (const void __user *)TLB_VA, sizeof(k->v2));
	__atomic_store_n(&k->stage, 3, __ATOMIC_RELEASE);
}

KTEST(mm_tlb_shootdown_reaches_cpu_with_the_space_loaded)
{
	struct tlb_kt k;
	u32 n = cpu_count() ? cpu_count() : 1;
	u32 other = (this_cpu()->id + 1) % n, here;
	u64 sd0, ipi0, sd1, ipi1;
	struct task *t;
	int unmapped;

	KT_ASSERT(tlb_kt_setup(&k));
	t = kthread_create(tlb_reader, &k, "tlb_reader", other);
	KT_ASSERT(!IS_ERR(t));
	while (__atomic_load_n(&k.stage, __ATOMIC_ACQUIRE) != 1)
		sched_yield();
	/* This CPU never loads the space (unless it is the reader's, with
	 * one CPU): the unmap reaches the reader only through the mask. */
	preempt_disable();
	here = this_cpu()->id;
	vmm_tlb_stats(&sd0, &ipi0);
	unmapped = vmm_unmap(k.as, TLB_VA, PAGE_SIZE);
	vmm_tlb_stats(&sd1, &ipi1);
	preempt_enable();
	__atomic_store_n(&k.stage, 2, __ATOMIC_RELEASE);
	kthread_join(t);
	tlb_kt_teardown(&k);
	/* The reader's CPU dropped the space when it went. */
	KT_ASSERT(cpu_get(other)->as != k.as);

	KT_ASSERT_EQ(unmapped, 0);
	KT_ASSERT_EQ(k.first, 0);
	KT_ASSERT_EQ(k.v1, TLB_MAGIC);
	KT_ASSERT_EQ(k.second, -EFAULT);
	KT_ASSERT_EQ(k.v2, 0);
	if (here != other) {
		KT_ASSERT_EQ(sd1 - sd0, 1);
		KT_ASSERT_EQ(ipi1 - ipi0, 1);
	}
}

/* A space loaded only here: changing it flushes this TLB and interrupts
 * no other CPU. */
KTEST(mm_tlb_private_space_change_sends_no_ipi)
{
	struct tlb_kt k;
	u64 sd0, ipi0, sd1, ipi1;
	int unmapped, prot;

	KT_ASSERT(tlb_kt_setup(&k));
	preempt_disable();
	as_switch(k.as);
	k.first = copy_from_user(&k.v1, (const void __user *)TLB_VA, sizeof(k.v1));
	vmm_tlb_stats(&sd0, &ipi0);
	prot = vmm_protect(k.as, TLB_VA, PAGE_SIZE, VM_READ | VM_USER);
	unmapped = vmm_unmap(k.as, TLB_VA, PAGE_SIZE);
	vmm_tlb_stats(&sd1, &ipi1);
	k.second = copy_from_user(&k.v2, (const void __user *)TLB_VA, sizeof(k.v2));
	as_switch(&kernel_as);
	preempt_enable();
	tlb_kt_teardown(&k);

	KT_ASSERT_EQ(prot, 0);
	KT_ASSERT_EQ(unmapped, 0);
	KT_ASSERT_EQ(k.first, 0);
	KT_ASSERT_EQ(k.v1, TLB_MAGIC);
	KT_ASSERT_EQ(k.second, -EFAULT);
	KT_ASSERT_EQ(sd1 - sd0, 0);
	KT_ASSERT_EQ(ipi1 - ipi0, 0);
}
