/*
 * Bringing the memory manager up. mm_init() runs once on the boot CPU,
 * from kmain() right after the boot information is logged and before
 * ACPI: it replaces boot.S's page tables (the identity map goes away; the
 * kernel image gets section permissions; all memory is direct-mapped),
 * turns on NX, WP, SMEP and SMAP, and starts the frame allocator,
 * kmalloc, kernel stacks and ioremap.
 *
 * Other CPUs must run with the boot CPU's CR0, CR4 and EFER (WP, PGE,
 * SMEP, SMAP, NXE), as the SMP trampoline loads them: in particular EFER.NXE
 * must be set before paging is enabled on as_root(&kernel_as), since kernel
 * data pages are NX, a reserved bit while NXE is clear.
 */
#ifndef VIREO_MM_MM_H
#define VIREO_MM_MM_H

#include "kernel/boot/boot_info.h"

void mm_init(const struct boot_info *bi);

#endif
