/*
 * kvmclock, the paravirtual clock of KVM (and of QEMU's KVM accelerator):
 * each CPU registers a small area with MSR_KVM_SYSTEM_TIME_NEW; the
 * hypervisor keeps in it a (tsc_timestamp, system_time, mul, shift) tuple
 * that turns this CPU's TSC into nanoseconds. Protocol: Linux's
 * Documentation/virt/kvm/x86/msr.rst (MSR_KVM_SYSTEM_TIME_NEW) and
 * cpuid.rst; constants from linux-libc-dev's <asm/kvm_para.h>.
 * Under TCG there is no KVM signature, and clock.c picks another source.
 */
#include "kernel/time/clock.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"
#include <asm/kvm_para.h>

/* The shared area; layout fixed by the ABI above (32 bytes). */
struct pvclock_vcpu_time_info {
	u32 version;            /* odd while the hypervisor updates it */
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;        /* ns at tsc_timestamp */
	u32 tsc_to_system_mul;  /* 32.32 fixed point */
	s8 tsc_shift;
	u8 flags;
	u8 pad[2];
} __packed;
_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock ABI");

#define PVCLOCK_TSC_STABLE_BIT (1u << 0)

static struct pvclock_vcpu_time_info boot_area __aligned(64);
static u32 kvm_system_time_msr;
static bool stable_bit_valid;
static u64 last_ns;             /* monotonic floor across CPUs (atomic) */

bool kvmclock_available(void)
{
	u32 a, sig[3];

	if (kvm_system_time_msr)
		return true;
	cpuid(KVM_CPUID_SIGNATURE, 0, &a, &sig[0], &sig[1], &sig[2]);
	if (memcmp(sig, KVM_SIGNATURE, 12) || a < KVM_CPUID_FEATURES)
		return false;
	cpuid(KVM_CPUID_FEATURES, 0, &a, &sig[0], &sig[1], &sig[2]);
	if (a & (1u << KVM_FEATURE_CLOCKSOURCE2))
		kvm_system_time_msr = MSR_KVM_SYSTEM_TIME_NEW;
	else if (a & (1u << KVM_FEATURE_CLOCKSOURCE))
		kvm_system_time_msr = MSR_KVM_SYSTEM_TIME;
	stable_bit_valid = a & (1u << KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
	return kvm_system_time_msr != 0;
}

/* Register this CPU's area: the boot CPU's is static, the others' come
 * from the caller (per-CPU state allocated at SMP start). */
static int kvmclock_register(struct pvclock_vcpu_time_info *area)
{
	struct cpu *c = this_cpu();

	if (!kvmclock_available())
		return -ENODEV;
	memset(area, 0, sizeof(*area));
	c->pvclock = area;
	wrmsr(kvm_system_time_msr, virt_to_phys(area) | KVM_MSR_ENABLED);
	return 0;
}

int kvmclock_cpu_init(void)
{
	struct cpu *c = this_cpu();

	if (c->id == 0)
		return kvmclock_register(&boot_area);
	if (!c->pvclock)
		return -ENOMEM;
	return kvmclock_register(c->pvclock);
}

static inline u64 rdtsc_ordered(void)
{
	/* LFENCE: the TSC read may not pass the area's loads. */
	__asm__ __volatile__("lfence" ::: "memory");
	return rdtsc();
}

static u64 pvclock_scale(u64 delta, s8 shift, u32 mul)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (u64)(((unsigned __int128)delta * mul) >> 32);
}

u64 kvmclock_read_ns(void)
{
	const volatile struct pvclock_vcpu_time_info *p;
	unsigned long rflags = read_rflags();
	u32 version;
	u64 ns, prev;
	u8 flags;

	/* Stay on this CPU: the area belongs to its TSC. */
	irq_disable();
	p = this_cpu()->pvclock;
	do {
		version = p->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		ns = p->system_time + pvclock_scale(rdtsc_ordered() - p->tsc_timestamp,
						    p->tsc_shift, p->tsc_to_system_mul);
		flags = p->flags;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != p->version);
	if (rflags & X86_RFLAGS_IF)
		irq_enable();

	if (stable_bit_valid && (flags & PVCLOCK_TSC_STABLE_BIT))
		return ns;
	/* Per-CPU areas may disagree by a little: never go backwards. */
	prev = __atomic_load_n(&last_ns, __ATOMIC_RELAXED);
	do {
		if (ns <= prev)
			return prev;
	} while (!__atomic_compare_exchange_n(&last_ns, &prev, ns, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return ns;
}

u64 kvmclock_tsc_khz(void)
{
	const volatile struct pvclock_vcpu_time_info *p = this_cpu()->pvclock;
	u64 khz;

	if (!p || !p->tsc_to_system_mul)
		return 0;
	/* ns = (ticks << shift) * mul / 2^32, so ticks per ms = 1e6 * 2^32 /
	 * mul, shifted back. */
	khz = (1000000ULL << 32) / p->tsc_to_system_mul;
	return p->tsc_shift < 0 ? khz << -p->tsc_shift : khz >> p->tsc_shift;
}
