/* In-kernel tests for SMP start, cross-CPU calls and TLB shootdown. */
#include "kernel/arch/x86_64/smp.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/traps.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"
#include "kernel/mm/kstack.h"
#include "kernel/sched/atomic.h"
#include "kernel/sched/sched.h"
#include "kernel/test/ktest.h"
#include "kernel/time/clock.h"

#define MAX_TEST_CPUS 64

static int count_enabled_cpus(const struct acpi_madt_entry *e, void *ctx)
{
	const struct acpi_madt_lapic *l = (const void *)e;
	const struct acpi_madt_x2apic *x = (const void *)e;
	u32 flags = 0;

	if (e->type == ACPI_MADT_LAPIC && e->length >= sizeof(*l))
		flags = l->flags;
	else if (e->type == ACPI_MADT_X2APIC && e->length >= sizeof(*x))
		flags = x->flags;
	if (flags & (ACPI_MADT_ENABLED | ACPI_MADT_ONLINE_CAPABLE))
		(*(u32 *)ctx)++;
	return 0;
}

KTEST(smp_every_madt_cpu_online)
{
	u32 madt_cpus = 0;

	KT_ASSERT(acpi_madt() != NULL);
	acpi_madt_walk(acpi_madt(), count_enabled_cpus, &madt_cpus);
	KT_ASSERT_EQ(cpu_count(), madt_cpus);
	for (u32 id = 0; id < cpu_count(); id++) {
		struct cpu *c = cpu_get(id);

		KT_ASSERT(c != NULL);
		KT_ASSERT_EQ(c->id, id);
		for (u32 j = 0; j < id; j++)
			KT_ASSERT(cpu_get(j)->apic_id != c->apic_id);
	}
	KT_ASSERT(cpu_get(cpu_count()) == NULL);
}

/* Regression: APs' per-CPU memory once came from a carve of conventional
 * memory that overlapped the page pmm keeps for the SMP trampoline. It is
 * heap memory now, and its IST stacks are guarded kernel stacks. */
KTEST(smp_ap_memory_is_heap_not_low_memory)
{
	for (u32 id = 1; id < cpu_count(); id++) {
		struct cpu *c = cpu_get(id);
		u64 lo, hi;

		KT_ASSERT(c != NULL);
		KT_ASSERT(virt_to_phys(c) >= 1 << 20);
		KT_ASSERT(virt_to_phys(c->rq) >= 1 << 20);
		for (int i = 1; i <= 3; i++) {
			/* Just below the stack: its guard. */
			KT_ASSERT(kstack_guard_hit((u64)c->ist_stacks[i] - IST_STACK_SIZE - 1,
						   &lo, &hi));
			KT_ASSERT_EQ(hi, (u64)c->ist_stacks[i]);
		}
	}
}

static atomic_t call_hits[MAX_TEST_CPUS];

static void call_hit(void *arg)
{
	atomic_inc(&call_hits[this_cpu()->id]);
}

static void call_record_cpu(void *arg)
{
	*(u32 *)arg = this_cpu()->id;
}

KTEST(smp_call_function_reaches_each_cpu)
{
	u32 n = cpu_count(), me;

	KT_ASSERT(n <= MAX_TEST_CPUS);
	for (u32 i = 0; i < n; i++)
		atomic_set(&call_hits[i], 0);
	irq_disable();                  /* stay on this CPU for "others" */
	me = this_cpu()->id;
	smp_call_others(call_hit, NULL);
	irq_enable();
	for (u32 i = 0; i < n; i++)
		KT_ASSERT_EQ(atomic_read(&call_hits[i]), i == me ? 0 : 1);
	for (u32 i = 0; i < n; i++) {
		u32 ran_on = ~0u;

		KT_ASSERT_EQ(smp_call_on(i, call_record_cpu, &ran_on), 0);
		KT_ASSERT_EQ(ran_on, i);
	}
	KT_ASSERT_EQ(smp_call_on(n, call_record_cpu, NULL), -EINVAL);
}

/*
 * A mapping removed on one CPU is gone on the others. The test builds its
 * own 2 MiB mapping in an unused PML4 slot (the lower half's second) onto
 * physical 0, has every CPU read through it (so each caches it in its
 * TLB; TCG's software TLB does too), removes it, shoots it down, and has
 * every CPU read again: each must fault.
 */
#define SD_VA      0x0000008000000000ULL        /* PML4 slot 1 */
#define SD_OFFSET  0x8000                       /* trampoline page: RAM */
#define PTE_P      0x1ULL
#define PTE_RW     0x2ULL
#define PTE_PS     0x80ULL

static u64 sd_pdpt[512] __aligned(4096);
static u64 sd_pd[512] __aligned(4096);
static int sd_result[MAX_TEST_CPUS];

static void sd_read(void *arg)
{
	u64 v;

	sd_result[this_cpu()->id] = read_u64_nofault((const u64 *)(SD_VA + SD_OFFSET), &v);
}

KTEST(smp_tlb_shootdown_removes_mapping_everywhere)
{
	u64 *pml4 = phys_to_virt(read_cr3() & ~0xfffULL);
	u32 n = cpu_count();

	KT_ASSERT(n <= MAX_TEST_CPUS);
	KT_ASSERT_EQ(pml4[1], 0);
	sd_pd[0] = 0 | PTE_P | PTE_RW | PTE_PS;
	sd_pdpt[0] = virt_to_phys(sd_pd) | PTE_P | PTE_RW;
	pml4[1] = virt_to_phys(sd_pdpt) | PTE_P | PTE_RW;
	for (u32 i = 0; i < n; i++) {
		sd_result[i] = 1;
		KT_ASSERT_EQ(smp_call_on(i, sd_read, NULL), 0);
		KT_ASSERT_EQ(sd_result[i], 0);
	}

	/* Remove on this CPU, shoot down on the others. */
	irq_disable();
	WRITE_ONCE(sd_pd[0], 0);
	tlb_flush_local(SD_VA, 2 << 20);
	smp_tlb_flush_others(SD_VA, 2 << 20);
	irq_enable();
	for (u32 i = 0; i < n; i++) {
		sd_result[i] = 1;
		KT_ASSERT_EQ(smp_call_on(i, sd_read, NULL), 0);
		KT_ASSERT_EQ(sd_result[i], -EFAULT);
	}
	pml4[1] = 0;
	irq_disable();
	tlb_flush_local(SD_VA, 1ULL << 30);
	smp_tlb_flush_others(SD_VA, 1ULL << 30);
	irq_enable();
}
