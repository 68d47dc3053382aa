/*
 * Physical frames: a buddy allocator over all RAM the boot memory map
 * lists, except the first MiB, the kernel image, boot modules, ACPI tables
 * and what the memory manager took at boot (page tables, descriptors).
 * Frames are PAGE_SIZE; a block of order n is 2^n frames, aligned to its
 * size. Safe from any context, interrupt handlers included (one spinlock,
 * interrupts off while held). Never panics on exhaustion: it fails.
 */
#ifndef VIREO_MM_PMM_H
#define VIREO_MM_PMM_H

#include "kernel/lib/types.h"

#define PMM_MAX_ORDER 10                /* blocks up to 4 MiB */

/* The physical address of a free, unzeroed block of 2^order frames, or 0
 * if there is none (0 is never a frame the allocator owns). */
phys_addr_t pmm_alloc(unsigned order);

/* Give back a block (or an aligned part of one: see buddy.h). Freeing a
 * frame twice, or one the allocator does not own, is a kernel bug: it is
 * reported with a backtrace and the call is ignored. */
void pmm_free(phys_addr_t pa, unsigned order);

u64 pmm_free_count(void);      /* free frames now */
u64 pmm_total_count(void);     /* frames the allocator manages (fixed at boot) */
u64 pmm_ram_count(void);       /* RAM frames the memory map lists */

/*
 * One page of RAM below 1 MiB, kept out of every allocator for the SMP
 * start-up trampoline (a SIPI vector names a 4 KiB page below 1 MiB).
 * 0 if the memory map has no such RAM. Its direct-map alias is writable;
 * to run it, identity-map it in kernel_as (see vmm.h).
 */
phys_addr_t pmm_low_trampoline_page(void);

#endif
