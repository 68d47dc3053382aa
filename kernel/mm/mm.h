/*
 * Bringing the memory manager up. mm_init() runs once on the boot CPU,
 * from kmain() right after the clock and before ACPI: it replaces boot.S's
 * page tables (the identity map goes away; the kernel image gets section
 * permissions; all memory is direct-mapped), turns on NX, WP, SMEP and
 * SMAP, and starts the frame allocator, kmalloc, kernel stacks and
 * ioremap. Every other CPU calls mm_cpu_init() once it runs on kernel_as.
 */
#ifndef VIREO_MM_MM_H
#define VIREO_MM_MM_H

#include "kernel/boot/boot_info.h"

void mm_init(const struct boot_info *bi);

/*
 * Per-CPU protection bits (EFER.NXE, CR0.WP, CR4.PGE/SMEP/SMAP). An AP's
 * trampoline must set EFER.NXE together with EFER.LME before it enables
 * paging on as_root(&kernel_as): kernel data pages are NX, which is a
 * reserved bit while NXE is clear.
 */
void mm_cpu_init(void);

#endif
