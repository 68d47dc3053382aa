/* In-kernel tests for vectors, dispatch and the LAPIC. */
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/errno.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

struct hit {
	u32 count;
	u32 cpu;
};

static void hit_handler(void *ctx)
{
	struct hit *h = ctx;

	h->cpu = this_cpu()->id;
	__atomic_fetch_add(&h->count, 1, __ATOMIC_RELEASE);
}

/* Wait with interrupts on until *p reaches want or 200 ms pass. */
static bool wait_count(u32 *p, u32 want)
{
	u64 end = ktime_get() + 200 * NSEC_PER_MSEC;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < want && ktime_get() < end)
		cpu_relax();
	return __atomic_load_n(p, __ATOMIC_ACQUIRE) >= want;
}

KTEST(irq_dynamic_vector_self_ipi)
{
	struct hit h = { 0, 99 };
	u64 before;
	int v = irq_alloc_vector(hit_handler, &h, 0, "test");

	KT_ASSERT(v >= IRQ_VECTOR_DYN_FIRST && v <= IRQ_VECTOR_DYN_LAST);
	before = irq_vector_count(v);
	lapic_send_ipi(lapic_id(), (u8)v);
	KT_ASSERT(wait_count(&h.count, 1));
	KT_ASSERT_EQ(h.cpu, 0);
	KT_ASSERT_EQ(irq_vector_count(v), before + 1);
	lapic_send_ipi(lapic_id(), (u8)v);
	KT_ASSERT(wait_count(&h.count, 2));
	irq_free_vector(v);
	/* Freed: no MSI message, no retargeting. */
	{
		u64 addr;
		u32 data;

		KT_ASSERT_EQ(irq_msi_message(v, &addr, &data), -EINVAL);
	}
	KT_ASSERT_EQ(irq_set_target(v, 0), -EINVAL);
}

KTEST(irq_vectors_exhaust_then_free)
{
	static int got[256];
	struct hit h = { 0, 0 };
	int n = 0, v;

	while ((v = irq_alloc_vector(hit_handler, &h, 0, "fill")) >= 0)
		got[n++] = v;
	KT_ASSERT_EQ(v, -ENOSPC);
	KT_ASSERT(n > 100 && n <= IRQ_VECTOR_DYN_LAST - IRQ_VECTOR_DYN_FIRST + 1);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			KT_ASSERT(got[i] != got[j]);
	for (int i = 0; i < n; i++)
		irq_free_vector(got[i]);
	v = irq_alloc_vector(hit_handler, &h, 0, "again");
	KT_ASSERT(v >= 0);
	irq_free_vector(v);
	KT_ASSERT_EQ(irq_alloc_vector(hit_handler, &h, 9999, "nocpu"), -EINVAL);
	KT_ASSERT_EQ(irq_alloc_vector(NULL, &h, 0, "nofn"), -EINVAL);
}

KTEST(irq_msi_message_targets_cpu)
{
	struct hit h = { 0, 0 };
	int v = irq_alloc_vector(hit_handler, &h, 0, "msi");
	u64 addr;
	u32 data;

	KT_ASSERT(v >= 0);
	KT_ASSERT_EQ(irq_msi_message(v, &addr, &data), 0);
	KT_ASSERT_EQ(addr, 0xfee00000ULL | ((u64)cpu_get(0)->apic_id << 12));
	KT_ASSERT_EQ(data, v);
	irq_free_vector(v);
}
