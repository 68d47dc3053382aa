/*
 * Address spaces and page tables (x86-64, 4 levels).
 *
 * An address space has a user half [0, USER_END) of its own and shares the
 * kernel half (layout.h) with every other one: kernel-half mappings are
 * made only in kernel_as, whose top-level entries for the kernel half are
 * all created at boot and never change, so a mapping made there is seen by
 * every address space at once. kernel_as's own user half is empty except
 * for what boot code maps there on purpose (the SMP trampoline's identity
 * mapping); no user address space ever sees it.
 *
 * vmm_map picks the largest page that fits: 1 GiB (where the CPU has
 * pdpe1gb) and 2 MiB pages where virtual address, physical address and
 * length allow, else 4 KiB. vmm_unmap and vmm_protect split a large page
 * that the range covers only in part. A page-table page is freed as soon
 * as nothing is mapped through it (except kernel_as's top-level kernel
 * entries), after the TLB shootdown.
 *
 * Locking: each address space has a spinlock around its page tables
 * (kernel_as's covers the shared kernel half). It is taken with interrupts
 * enabled, so these functions must not be called from interrupt handlers;
 * tlb_shootdown may then wait for other CPUs while the lock is held.
 */
#ifndef VIREO_MM_VMM_H
#define VIREO_MM_VMM_H

#include "kernel/lib/types.h"

/* prot bits */
#define VM_READ     0x01        /* required: x86 has no write-only pages */
#define VM_WRITE    0x02
#define VM_EXEC     0x04        /* without it the page is NX */
#define VM_USER     0x08        /* user half only */
#define VM_UNCACHED 0x10        /* strong uncacheable (PCD|PWT), for MMIO */
#define VM_OWNED    0x20        /* the address space owns the frames: unmap
				   and as_destroy give them back to pmm */

struct addr_space;
extern struct addr_space kernel_as;

/* A new address space sharing the kernel half; NULL if out of memory. */
struct addr_space *as_create(void);
/* Unmap everything in the user half, free owned frames, page tables and
 * the address space. No task may use it any more; a CPU that still has it
 * in CR3 (a kernel thread borrowed it) is moved to kernel_as first. */
void as_destroy(struct addr_space *as);
/* Load as on this CPU (CR3) and track it in as's CPU mask. */
void as_switch(struct addr_space *as);
/* The physical address of the top-level table (the CR3 value). kernel_as's
 * is below 4 GiB, so a 32-bit trampoline can load it. */
phys_addr_t as_root(const struct addr_space *as);

/*
 * Map [va, va + len) to [pa, pa + len). All three page-aligned, the range
 * within one half and not already mapped in any part. Returns 0, or
 * -EINVAL (bad arguments, a kernel-half range in an address space other
 * than kernel_as, VM_USER in the kernel half), -EEXIST (something is
 * mapped there), -ENOMEM (no frame for a page table). On error nothing of
 * the range stays mapped and the caller still owns the frames.
 */
int vmm_map(struct addr_space *as, uintptr_t va, phys_addr_t pa, size_t len,
	    unsigned prot);
/* Remove every mapping in [va, va + len); holes are fine. Returns 0, or
 * -ENOMEM if a large page had to be split and no frame was left (then the
 * range may be partly unmapped), -EINVAL on bad arguments. */
int vmm_unmap(struct addr_space *as, uintptr_t va, size_t len);
/* Change the protection of every mapping in [va, va + len); holes are
 * skipped. VM_OWNED cannot be changed. Returns 0, -EINVAL or -ENOMEM
 * (as vmm_unmap). */
int vmm_protect(struct addr_space *as, uintptr_t va, size_t len, unsigned prot);
/* Look up va: 0 and its physical address and prot, or -ENOENT. */
int vmm_query(struct addr_space *as, uintptr_t va, phys_addr_t *pa, unsigned *prot);

/*
 * Call fn for every 4 KiB page mapped in [va, va + len) (page-aligned,
 * user half), in address order, with its physical address and prot (a
 * large page is reported page by page); empty tables are skipped whole,
 * so a sparse range costs what is mapped. fn runs under as's lock: it must
 * not sleep and must not touch `as` itself. A nonzero return stops the
 * walk and is returned; else 0 (or -EINVAL for a bad range).
 */
int vmm_walk(struct addr_space *as, uintptr_t va, size_t len,
	     int (*fn)(uintptr_t va, phys_addr_t pa, unsigned prot, void *ctx),
	     void *ctx);

/*
 * TLB shootdown hook: every page-table change that removes or narrows a
 * translation ends here, before any frame it released is reused. It
 * invalidates the range on this CPU if `as` can be cached here (the kernel
 * half always; a user half when `as` is loaded), and through an IPI, which
 * it waits for, on the other CPUs that may cache it: every online CPU for
 * the kernel half (and kernel_as), for a user half only the CPUs in the
 * space's CPU mask, which as_switch keeps (vmm.c, struct addr_space) -- so
 * a single-threaded process's changes interrupt no other CPU. It may be
 * called with as's lock held and must not take it; the lock is never held
 * with interrupts off, so CPUs spinning on it still answer the IPI.
 */
void tlb_shootdown(struct addr_space *as, uintptr_t start, size_t len);
/* Since boot: user-half shootdowns that had to interrupt other CPUs, and
 * the CPUs they interrupted. */
void vmm_tlb_stats(u64 *remote_shootdowns, u64 *ipis);

#endif
