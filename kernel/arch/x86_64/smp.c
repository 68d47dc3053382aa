/*
 * SMP start and cross-CPU calls (see smp.h), and the registry of online
 * CPUs by dense id (cpu.h: cpu_get, cpu_count). The boot CPU is id 0 from
 * its first instruction on; the others get ids in MADT order.
 *
 * cpu_table is replaced (boot-only -> sized by the MADT) before any other
 * CPU runs; entries are published with a release store and never removed
 * (no hot-unplug), so readers take no lock.
 *
 * Per-CPU memory of an application processor (struct cpu with its GDT
 * and TSS, run queue, timer queue, kvmclock area) comes from kzalloc; its
 * idle stack and IST stacks are guarded kernel stacks (kstack_alloc). The
 * real-mode trampoline runs from the low page the physical allocator keeps
 * for it (pmm_low_trampoline_page), identity-mapped only while CPUs start.
 */
#include "kernel/arch/x86_64/smp.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/acpi/acpi.h"
#include "kernel/boot/boot_info.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/log.h"
#include "kernel/lib/string.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/clock.h"
#include "kernel/time/timer.h"

#define MSR_EFER        0xc0000080

_Static_assert(IST_STACK_SIZE <= KSTACK_SIZE, "IST stacks are kernel stacks");

/* ---- the registry ------------------------------------------------------------- */

static struct cpu *boot_only[1];
static struct cpu **cpu_table = boot_only;
static u32 cpu_table_len = 1;
static u32 nr_online;

void cpu_set_online(struct cpu *c)
{
	if (c->id >= cpu_table_len)
		return;
	__atomic_store_n(&cpu_table[c->id], c, __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_online, 1, __ATOMIC_RELEASE);
}

struct cpu *cpu_get(u32 id)
{
	if (id >= READ_ONCE(cpu_table_len))
		return NULL;
	return __atomic_load_n(&cpu_table[id], __ATOMIC_ACQUIRE);
}

u32 cpu_count(void)
{
	return __atomic_load_n(&nr_online, __ATOMIC_ACQUIRE);
}

static void call_ipi(void *ctx);

/* ---- starting a CPU ----------------------------------------------------------------- */

struct smp_tramp_data {         /* trampoline.S, smp_trampoline_data */
	u64 cr3, cr4, efer, cr0;
	u64 stack;
	u64 cpu;
	u64 entry;
};

extern const char smp_trampoline[], smp_trampoline_end[], smp_trampoline_data[];

/* Set by an AP once it no longer needs the trampoline page and is
 * registered; the boot CPU waits for it before starting the next one. */
static u32 ap_started;

void __noreturn smp_ap_entry(struct cpu *c);
void __noreturn smp_ap_entry(struct cpu *c)
{
	cpu_secondary_init(c);
	lapic_init();
	if (clock_cpu_init()) {
		pr_err("smp: cpu %u: no clock; halting it\n", c->id);
		__atomic_store_n(&ap_started, 2, __ATOMIC_RELEASE);
		for (;;)
			halt();
	}
	timer_cpu_init(c->timers);
	sched_cpu_init(c->rq, c->current);
	cpu_set_online(c);
	__atomic_store_n(&ap_started, 1, __ATOMIC_RELEASE);
	irq_enable();
	sched_idle_loop();
}

/* What an AP's struct cpu points at, in one object of ap_cache (created
 * by smp_init, aligned for the kvmclock area). */
struct ap_mem {
	struct cpu cpu;
	struct task idle;
	struct timer_queue timers;
	u8 pvclock[32] __aligned(32);
};

static struct kmem_cache *ap_cache;
static phys_addr_t tramp_page;

static void ap_mem_free(struct ap_mem *m)
{
	for (int i = 1; i <= 3; i++)
		if (m->cpu.ist_stacks[i])
			kstack_free(m->cpu.ist_stacks[i] - IST_STACK_SIZE);
	kfree(m->cpu.rq);
	kmem_cache_free(ap_cache, m);
}

static struct ap_mem *ap_mem_alloc(u32 id, u32 apic_id, void **stack)
{
	struct ap_mem *m = kmem_cache_alloc(ap_cache, GFP_KERNEL | __GFP_ZERO);

	if (!m)
		return NULL;
	m->cpu.id = id;
	m->cpu.apic_id = apic_id;
	m->cpu.timers = &m->timers;
	m->cpu.current = &m->idle;
	m->cpu.pvclock = (void *)m->pvclock;
	m->cpu.rq = kzalloc(sched_runqueue_size(), GFP_KERNEL);
	if (!m->cpu.rq)
		goto out_free;
	for (int i = 1; i <= 3; i++) {
		u8 *ist = kstack_alloc();

		if (!ist)
			goto out_free;
		m->cpu.ist_stacks[i] = ist + IST_STACK_SIZE;
	}
	*stack = kstack_alloc();
	if (!*stack)
		goto out_free;
	return m;

out_free:
	ap_mem_free(m);
	return NULL;
}

static int smp_start_cpu(u32 id, u32 apic_id)
{
	struct smp_tramp_data *d = phys_to_virt(tramp_page +
		(u64)(smp_trampoline_data - smp_trampoline));
	void *stack;
	struct ap_mem *m = ap_mem_alloc(id, apic_id, &stack);
	u64 end;

	if (!m)
		return -ENOMEM;
	d->cr3 = read_cr3();
	d->cr4 = read_cr4();
	d->efer = rdmsr(MSR_EFER);
	d->cr0 = read_cr0();
	d->stack = (u64)stack + KSTACK_SIZE;
	d->cpu = (u64)&m->cpu;
	d->entry = (u64)smp_ap_entry;
	__atomic_store_n(&ap_started, 0, __ATOMIC_SEQ_CST);

	/* INIT, 10 ms, STARTUP; a second STARTUP if the first is lost
	 * (SDM vol 3 §9.4.4.1, "universal start-up algorithm"). */
	lapic_send_init(apic_id);
	udelay(10000);
	for (int sipi = 0; sipi < 2; sipi++) {
		lapic_send_sipi(apic_id, tramp_page >> PAGE_SHIFT);
		end = ktime_get() + (sipi ? 1000 : 1) * NSEC_PER_MSEC;
		while (!__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE) && ktime_get() < end)
			cpu_relax();
		if (__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE))
			break;
	}
	switch (__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE)) {
	case 1:
		return 0;
	case 2:
		return -ENODEV;
	}
	/* The memory of a CPU that did not answer, or that halted itself
	 * (case 2), stays allocated: it may yet run on that stack, or take
	 * an NMI through that TSS. */
	return -ETIMEDOUT;
}

struct madt_cpus {
	u32 count;              /* enabled CPUs, the boot CPU included */
	u32 next_id;
	u32 started;
	bool start;             /* second pass: start them */
};

static void smp_madt_cpu(struct madt_cpus *mc, u32 apic_id, u32 flags)
{
	int err;

	if (!(flags & (ACPI_MADT_ENABLED | ACPI_MADT_ONLINE_CAPABLE)))
		return;
	if (!mc->start) {
		mc->count++;
		return;
	}
	if (apic_id == lapic_id() || mc->next_id >= cpu_table_len)
		return;
	err = smp_start_cpu(mc->next_id, apic_id);
	if (err) {
		pr_warn("smp: CPU with APIC id %u did not start (%d)\n", apic_id, err);
		return;
	}
	mc->next_id++;
	mc->started++;
}

static int smp_madt_entry(const struct acpi_madt_entry *e, void *arg)
{
	const struct acpi_madt_lapic *l = (const void *)e;
	const struct acpi_madt_x2apic *x = (const void *)e;

	if (e->type == ACPI_MADT_LAPIC && e->length >= sizeof(*l))
		smp_madt_cpu(arg, l->apic_id, l->flags);
	else if (e->type == ACPI_MADT_X2APIC && e->length >= sizeof(*x))
		smp_madt_cpu(arg, x->x2apic_id, x->flags);
	return 0;
}

u32 smp_init(void)
{
	const struct acpi_madt *madt = acpi_madt();
	struct madt_cpus mc = { .next_id = 1 };
	struct cpu **table;

	irq_set_system_handler(IRQ_VECTOR_CALL_FUNC, call_ipi, NULL);

	if (!madt) {
		pr_warn("smp: no MADT; running on the boot CPU only\n");
		return 1;
	}
	acpi_madt_walk(madt, smp_madt_entry, &mc);
	if (mc.count <= 1)
		return 1;
	tramp_page = pmm_low_trampoline_page();
	if (!tramp_page) {
		pr_warn("smp: no low page for the trampoline; boot CPU only\n");
		return 1;
	}
	ap_cache = kmem_cache_create("cpu", sizeof(struct ap_mem),
				     __alignof__(struct ap_mem));
	table = kzalloc(mc.count * sizeof(*table), GFP_KERNEL);
	if (!ap_cache || !table) {
		kfree(table);
		pr_warn("smp: no memory for the CPU table; boot CPU only\n");
		return 1;
	}
	table[0] = cpu_table[0];
	cpu_table = table;
	__atomic_store_n(&cpu_table_len, mc.count, __ATOMIC_RELEASE);
	memcpy(phys_to_virt(tramp_page), smp_trampoline,
	       (size_t)(smp_trampoline_end - smp_trampoline));
	/* The trampoline turns paging on with the kernel's CR3 while still
	 * running at its physical address: identity-map that page for as
	 * long as CPUs are starting (kernel_as's user half is otherwise
	 * empty; see kernel/mm/vmm.h). */
	if (vmm_map(&kernel_as, tramp_page, tramp_page, PAGE_SIZE, VM_READ | VM_EXEC)) {
		pr_warn("smp: cannot map the trampoline; boot CPU only\n");
		return 1;
	}
	mc.start = true;
	acpi_madt_walk(madt, smp_madt_entry, &mc);
	vmm_unmap(&kernel_as, tramp_page, PAGE_SIZE);
	pr_info("smp: %u of %u CPUs online\n", cpu_count(), mc.count);
	return cpu_count();
}

/* ---- cross-CPU calls ---------------------------------------------------------------- */

/*
 * One call in flight system-wide (call_lock): the caller points each
 * target's call_pending at the request, sends the IPI and waits for
 * `remaining` to reach zero. While waiting for the lock or for the
 * targets, a CPU serves its own call_pending, so two CPUs calling each
 * other with interrupts off cannot deadlock.
 */
struct call_req {
	void (*fn)(void *arg);
	void *arg;
	u32 remaining;
};

static struct spinlock call_lock = SPINLOCK_INIT("smp_call");

static void smp_call_serve(void)
{
	struct cpu *c = this_cpu();
	struct call_req *req = __atomic_exchange_n(&c->call_pending, NULL,
						   __ATOMIC_ACQUIRE);

	if (!req)
		return;
	req->fn(req->arg);
	__atomic_fetch_sub(&req->remaining, 1, __ATOMIC_RELEASE);
}

static void call_ipi(void *ctx)
{
	smp_call_serve();
}

static void smp_call_wait(struct call_req *req)
{
	while (__atomic_load_n(&req->remaining, __ATOMIC_ACQUIRE)) {
		smp_call_serve();
		cpu_relax();
	}
}

static void smp_call_lock(void)
{
	while (!spin_trylock(&call_lock)) {
		smp_call_serve();
		cpu_relax();
	}
}

static void smp_call_post(struct cpu *c, struct call_req *req)
{
	__atomic_store_n(&c->call_pending, req, __ATOMIC_RELEASE);
	lapic_send_ipi(c->apic_id, IRQ_VECTOR_CALL_FUNC);
}

int smp_call_on(u32 cpu, void (*fn)(void *arg), void *arg)
{
	struct call_req req = { fn, arg, 1 };
	struct cpu *c = cpu_get(cpu);
	unsigned long flags;

	if (!c)
		return -EINVAL;
	/* Interrupts off before comparing, so "this CPU" stays true. */
	flags = read_rflags();
	irq_disable();
	if (c == this_cpu()) {
		fn(arg);
		if (flags & X86_RFLAGS_IF)
			irq_enable();
		return 0;
	}
	if (flags & X86_RFLAGS_IF)
		irq_enable();
	smp_call_lock();
	smp_call_post(c, &req);
	smp_call_wait(&req);
	spin_unlock(&call_lock);
	return 0;
}

void smp_call_others(void (*fn)(void *arg), void *arg)
{
	struct call_req req = { fn, arg, 0 };
	struct cpu *me;

	smp_call_lock();
	me = this_cpu();        /* preemption is off under the lock */
	req.remaining = cpu_count() - 1;
	for (u32 id = 0; id < cpu_count(); id++) {
		struct cpu *c = cpu_get(id);

		if (c && c != me)
			smp_call_post(c, &req);
	}
	smp_call_wait(&req);
	spin_unlock(&call_lock);
}

u32 smp_call_mask(const u64 *mask, u32 nbits, void (*fn)(void *arg), void *arg)
{
	/* `remaining` starts at one on our own behalf, so a target that
	 * answers before the last post cannot let it reach zero early. */
	struct call_req req = { fn, arg, 1 };
	struct cpu *me;
	u32 sent = 0;

	smp_call_lock();
	me = this_cpu();
	for (u32 id = 0; id < nbits && id < cpu_count(); id++) {
		struct cpu *c;

		if (!(__atomic_load_n(&mask[id / 64], __ATOMIC_RELAXED) & (1ULL << (id % 64))))
			continue;
		c = cpu_get(id);
		if (!c || c == me)
			continue;
		__atomic_fetch_add(&req.remaining, 1, __ATOMIC_RELAXED);
		smp_call_post(c, &req);
		sent++;
	}
	__atomic_fetch_sub(&req.remaining, 1, __ATOMIC_RELEASE);
	smp_call_wait(&req);
	spin_unlock(&call_lock);
	return sent;
}

/* ---- TLB shootdown -------------------------------------------------------------------- */

#define TLB_FLUSH_ALL_PAGES 32  /* beyond this, reloading CR3 is cheaper */

struct tlb_range {
	uintptr_t start;
	size_t len;
};

void tlb_flush_local(uintptr_t start, size_t len)
{
	uintptr_t end = start + len;

	if (len > TLB_FLUSH_ALL_PAGES * PAGE_SIZE) {
		/* Global pages (the kernel half) survive a CR3 reload:
		 * toggle CR4.PGE to drop them too (SDM vol 3 §4.10.4.1). */
		u64 cr4 = read_cr4();

		if (cr4 & (1u << 7)) {
			write_cr4(cr4 & ~(1ULL << 7));
			write_cr4(cr4);
		} else {
			write_cr3(read_cr3());
		}
		return;
	}
	for (uintptr_t va = ALIGN_DOWN(start, PAGE_SIZE); va < end; va += PAGE_SIZE)
		__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static void tlb_flush_ipi(void *arg)
{
	struct tlb_range *r = arg;

	tlb_flush_local(r->start, r->len);
}

void smp_tlb_flush_others(uintptr_t start, size_t len)
{
	struct tlb_range r = { start, len };

	if (cpu_count() > 1)
		smp_call_others(tlb_flush_ipi, &r);
}

u32 smp_tlb_flush_mask(const u64 *mask, u32 nbits, uintptr_t start, size_t len)
{
	struct tlb_range r = { start, len };

	return cpu_count() > 1 ? smp_call_mask(mask, nbits, tlb_flush_ipi, &r) : 0;
}

