/*
 * Symmetric multiprocessing: start every CPU the MADT lists, and make CPUs
 * run functions for each other (call-function and TLB shootdown IPIs).
 */
#ifndef VIREO_ARCH_SMP_H
#define VIREO_ARCH_SMP_H

#include "kernel/lib/types.h"

/* Boot CPU, after sched_init: start the others; returns how many run. */
u32 smp_init(void);

/* Run fn(arg) on cpu (may be this one) / on every other online CPU, in
 * interrupt context there, and wait until it has returned everywhere.
 * Callable with interrupts off: a caller waiting for its turn serves the
 * requests sent to it meanwhile. -EINVAL if cpu is not online. */
int smp_call_on(u32 cpu, void (*fn)(void *arg), void *arg);
void smp_call_others(void (*fn)(void *arg), void *arg);
/* The same on every other online CPU whose bit (by id) is set in mask
 * (nbits bits, read once each, as they are then: the caller orders its
 * own writes before this). Returns how many CPUs were called. */
u32 smp_call_mask(const u64 *mask, u32 nbits, void (*fn)(void *arg), void *arg);

/* Invalidate [start, start + len) in every other CPU's TLB, and wait: the
 * cross-CPU half of the memory manager's tlb_shootdown(). */
void smp_tlb_flush_others(uintptr_t start, size_t len);
/* The same on the other CPUs in mask (as smp_call_mask); returns how
 * many were interrupted. */
u32 smp_tlb_flush_mask(const u64 *mask, u32 nbits, uintptr_t start, size_t len);
/* The same on this CPU: INVLPG per page, or a full flush for long ranges. */
void tlb_flush_local(uintptr_t start, size_t len);

#endif
